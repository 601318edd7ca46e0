from django.urls import path

from tillit.results import views

app_name = "results"

urlpatterns = [
    path("o/<slug:org>/results/", views.index, name="index"),
    path("o/<slug:org>/results/<int:campaign_id>/", views.overview, name="overview"),
    path("o/<slug:org>/results/<int:campaign_id>/units/<int:unit_pk>/", views.unit, name="unit"),
    path(
        "o/<slug:org>/results/<int:campaign_id>/units/<int:unit_pk>/report.pdf",
        views.unit_pdf,
        name="unit_pdf",
    ),
    path(
        "o/<slug:org>/results/<int:campaign_id>/export.<str:kind>",
        views.export,
        name="export",
    ),
]
