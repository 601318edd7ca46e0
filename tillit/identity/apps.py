from django.apps import AppConfig

# The backend of the login form (a single sign-on login is logged by `do_sso_login`).
FORM_BACKEND = "tillit.core.auth.EmailBackend"


def _audit_login(sender, request, user, **kwargs) -> None:
    # `backend` is set by authenticate(): the login form's; a test's force_login has none.
    if getattr(user, "backend", None) == FORM_BACKEND:
        from tillit.identity.actions import record_password_login

        record_password_login(user)


class IdentityConfig(AppConfig):
    name = "tillit.identity"
    label = "identity"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_delete, post_save

        from tillit.identity.middleware import forget_required
        from tillit.identity.models import SingleSignOn

        post_save.connect(forget_required, sender=SingleSignOn, dispatch_uid="sso-required")
        post_delete.connect(forget_required, sender=SingleSignOn, dispatch_uid="sso-required-del")
        user_logged_in.connect(_audit_login, dispatch_uid="identity.audit-login")
