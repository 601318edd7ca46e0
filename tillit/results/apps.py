from django.apps import AppConfig


class ResultsConfig(AppConfig):
    name = "tillit.results"
    label = "results"
