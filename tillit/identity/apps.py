from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "tillit.identity"
    label = "identity"
