from django.apps import AppConfig


class ExamplesConfig(AppConfig):
    name = "tillit.examples"
    label = "examples"
