"""The audit log, low in the layering so every app can write to it: `audit.record(...)`."""

from typing import Any


def record(event: str, organisation: Any, by: Any = None, **detail: Any) -> Any:
    """Log one event (see `tillit.audit.log.record`); imported late, as apps load first."""
    from tillit.audit.log import record as _record

    return _record(event, organisation, by, **detail)
