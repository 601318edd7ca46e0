import logging
import re

from django.apps import AppConfig

# Answering links carry the token in the path (/s/<token>/...). Django logs the path of
# 4xx/5xx requests and gunicorn of every request: the token must never reach a log.
TOKEN_IN_PATH = re.compile(r"/s/(?!c/)[A-Za-z0-9_-]{8,}")


def redact(text: str) -> str:
    """The text with every answering token replaced by "…"."""
    return TOKEN_IN_PATH.sub("/s/…", text)


class RedactTokens(logging.Filter):
    """Rewrites log records so no answering token is written anywhere."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is not ours to fix
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "path"):
            record.request = None  # the request object repeats the path in some formatters
        return True


class SurveysConfig(AppConfig):
    name = "tillit.surveys"
    label = "surveys"

    def ready(self) -> None:
        token_filter = RedactTokens()
        for name in (
            "django.request",
            "django.server",
            "django.security",
            "gunicorn.access",
            "gunicorn.error",
        ):
            logging.getLogger(name).addFilter(token_filter)
