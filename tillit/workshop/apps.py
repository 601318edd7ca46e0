from django.apps import AppConfig


class WorkshopConfig(AppConfig):
    name = "tillit.workshop"
    label = "workshop"
