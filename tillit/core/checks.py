"""Tillit's own deployment checks (`tillit check --deploy`)."""

from django.conf import settings
from django.core.checks import Error, Tags, register

# Backends that deliver nothing: each personal link would go to the log or a file instead.
NOT_DELIVERING = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
}


@register(Tags.security, deploy=True)
def check_email_backend(app_configs, **kwargs) -> list[Error]:
    """In production, e-mail must be delivered: survey links and invitations are personal."""
    if settings.TILLIT_ENV != "production" or settings.EMAIL_BACKEND not in NOT_DELIVERING:
        return []
    return [
        Error(
            f"TILLIT_ENV=production sends e-mail with {settings.EMAIL_BACKEND}, which delivers "
            "nothing: every personal survey link and invitation would be written to the log.",
            hint="Set TILLIT_EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and "
            "TILLIT_EMAIL_HOST (see docs/operations.md).",
            id="tillit.E001",
        )
    ]
