from django.urls import path  # noqa: F401  (routes are added by the workshop tools)

app_name = "workshop"

urlpatterns: list = []
