"""Writing to and searching the audit log: `record()` is the one way in."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from tillit.audit.models import AuditEntry

Kind = AuditEntry.Kind

# What an entry may say. A closed list, so no hook can put an answer, a comment or a token
# into the log by passing it along: record() refuses any other key.
DETAIL_KEYS = frozenset(
    {
        "campaign",
        "unit",
        "format",
        "email",
        "role",
        "setting",
        "old",
        "new",
        "file",
        "kind",
        "rows",
        "count",
        "units",
        "errors",
        "reference",
        "decision",
        "deleted",
        "name",
        "scopes",
    }
)
MAX_TEXT = 200


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(key)[:MAX_TEXT]: _clean(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(item) for item in value]
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)[:MAX_TEXT]


def record(event: str, organisation: Any, by: Any = None, **detail: Any) -> AuditEntry:
    """Log one event of `organisation` done by the user `by` (None: the system)."""
    unknown = set(detail) - DETAIL_KEYS
    if unknown:
        raise ValueError(f"the audit log does not hold {sorted(unknown)}")
    detail = {key: _clean(value) for key, value in detail.items() if value not in (None, "")}
    is_user = by is not None and getattr(by, "is_authenticated", False)
    return AuditEntry.objects.create(
        organisation_id=getattr(organisation, "pk", organisation),
        actor=by if is_user else None,
        actor_email=by.email if is_user else "",
        kind=event,
        detail=detail,
        search_text=" ".join(str(value) for value in detail.values()).lower()[:1000],
    )


def search(
    organisation: Any,
    *,
    kind: str = "",
    who: str = "",
    text: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[AuditEntry]:
    """The organisation's entries, newest first, narrowed by each filter that is given."""
    entries = AuditEntry.objects.filter(organisation=organisation)
    if kind:
        entries = entries.filter(kind=kind)
    if who:
        entries = entries.filter(actor_email__icontains=who.strip())
    if text:
        entries = entries.filter(search_text__contains=text.strip().lower())
    if since:
        entries = entries.filter(at__date__gte=since)
    if until:
        entries = entries.filter(at__date__lte=until)
    return entries


# Parts of a setting's name that mark a value never to be written down, only that it changed.
SECRET_PARTS = ("secret", "password", "token", "key", "private", "certificate")


def record_sso_change(organisation: Any, by: Any, old: dict, new: dict) -> AuditEntry:
    """Log a change of an organisation's single sign-on configuration: the settings that
    changed with their old and new values – secrets (client secret, keys, certificates) only
    as 'changed', never their values."""
    changed = sorted(name for name in {*old, *new} if old.get(name) != new.get(name))

    def shown(name: str, value: Any) -> Any:
        if any(part in name.lower() for part in SECRET_PARTS):
            return "(changed)" if value else None
        return value

    return record(
        Kind.SSO_CHANGED,
        organisation,
        by,
        setting=", ".join(changed),
        old={name: shown(name, old.get(name)) for name in changed},
        new={name: shown(name, new.get(name)) for name in changed},
    )
