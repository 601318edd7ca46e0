from django.apps import AppConfig


class InstrumentsConfig(AppConfig):
    name = "tillit.instruments"
    label = "instruments"
