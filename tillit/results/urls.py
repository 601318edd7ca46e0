from django.urls import path  # noqa: F401  (routes are added by the results pages)

app_name = "results"

urlpatterns: list = []
