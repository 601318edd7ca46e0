from django.urls import path

from tillit.surveys import views

app_name = "surveys"

urlpatterns = [
    path("o/<slug:org>/surveys/", views.campaigns, name="campaigns"),
]
