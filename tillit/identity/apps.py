from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "tillit.identity"
    label = "identity"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from tillit.identity.middleware import forget_required
        from tillit.identity.models import SingleSignOn

        post_save.connect(forget_required, sender=SingleSignOn, dispatch_uid="sso-required")
        post_delete.connect(forget_required, sender=SingleSignOn, dispatch_uid="sso-required-del")
