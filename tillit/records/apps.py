from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "tillit.records"
    label = "records"
