from django.urls import path, re_path

from tillit.api import views

app_name = "api"

urlpatterns = [
    path("api/v1/openapi.json", views.schema, name="schema"),
    path("api/v1/units", views.units, name="units"),
    path("api/v1/people", views.people, name="people"),
    path("api/v1/campaigns", views.campaigns, name="campaigns"),
    path("api/v1/campaigns/<int:campaign_id>/results", views.results, name="results"),
    path("api/v1/actions", views.actions, name="actions"),
    path("api/v1/signals", views.signals, name="signals"),
    # Any other address under the API answers in JSON, as its description says.
    re_path(r"^api/", views.not_found),
]
