from django.apps import AppConfig


class ThemesConfig(AppConfig):
    name = "tillit.themes"
    label = "themes"
