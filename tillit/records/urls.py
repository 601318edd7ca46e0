from django.urls import path

from tillit.records import views

app_name = "records"

R = "o/<slug:org>/records/"

urlpatterns = [
    path(R + "audit/", views.audit_log, name="audit"),
    path(R + "retention/", views.retention, name="retention"),
    path(R + "requests/", views.requests, name="requests"),
    path(R + "my-data/", views.my_data, name="my_data"),
]
