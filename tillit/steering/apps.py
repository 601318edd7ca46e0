from django.apps import AppConfig


class SteeringConfig(AppConfig):
    name = "tillit.steering"
    label = "steering"
