from django.urls import path

from tillit.records import operator_views, views

app_name = "records"

R = "o/<slug:org>/records/"

urlpatterns = [
    path(R + "audit/", views.audit_log, name="audit"),
    path(R + "retention/", views.retention, name="retention"),
    path(R + "requests/", views.requests, name="requests"),
    path(R + "my-data/", views.my_data, name="my_data"),
    path("archived/<slug:org>/my-data/", views.archived_my_data, name="archived_my_data"),
    path("operator/<slug:org>/archive/", operator_views.archive, name="archive_org"),
    path("operator/<slug:org>/restore/", operator_views.restore, name="restore_org"),
    path("operator/<slug:org>/delete/", operator_views.delete, name="delete_org"),
]
