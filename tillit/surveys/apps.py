import logging
import re

from django.apps import AppConfig

# Answering links carry the token in the path (/s/<token>/...). Django logs the path of
# 4xx/5xx requests (django.request, django.security.csrf, …) and gunicorn of every request:
# the token must never reach a log.
TOKEN_IN_PATH = re.compile(r"/s/(?!c/)[A-Za-z0-9_-]{8,}")


def redact(text: str) -> str:
    """The text with every answering token replaced by "…"."""
    return TOKEN_IN_PATH.sub("/s/…", text)


def _redacting(factory):
    def make_record(*args, **kwargs) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is not ours to fix
            return record
        if "/s/" in message:
            cleaned = redact(message)
            if cleaned != message:
                record.msg, record.args = cleaned, None
        request = getattr(record, "request", None)
        if request is not None and "/s/" in getattr(request, "path", ""):
            record.request = None  # some handlers print the request's path again
        return record

    make_record.tillit_redacting = True
    return make_record


def install_log_redaction() -> None:
    """Redact tokens from every log record of every logger (idempotent)."""
    factory = logging.getLogRecordFactory()
    if not getattr(factory, "tillit_redacting", False):
        logging.setLogRecordFactory(_redacting(factory))


class SurveysConfig(AppConfig):
    name = "tillit.surveys"
    label = "surveys"

    def ready(self) -> None:
        install_log_redaction()
        from tillit.core import jobs
        from tillit.surveys.schedule import run_schedule

        jobs.register_periodic("surveys.schedule", run_schedule)

        from tillit.core.nextsteps import register
        from tillit.surveys.nextsteps import open_campaigns, waiting_for_me

        register(waiting_for_me)
        register(open_campaigns)
