"""Logging filters."""

import logging


class NoTracebackForRefusals(logging.Filter):
    """Log a refused request (403) as one line, without the traceback Django attaches.

    A 403 is the permission check working, not a fault: a full traceback at WARNING for
    each one buries real errors and fills the log.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            record.exc_info = None
            record.exc_text = None
        return True
