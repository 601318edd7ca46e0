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
    path("o/<slug:org>/results/kolada/", views.kolada_import, name="kolada"),
    path("o/<slug:org>/results/<int:campaign_id>/reports/", views.batch_start, name="batch_start"),
    path(
        "o/<slug:org>/results/<int:campaign_id>/reports/<int:batch_id>/",
        views.batch_status,
        name="batch",
    ),
]
