from django.urls import path

from tillit.themes import views

app_name = "themes"

urlpatterns = [
    path("o/<slug:org>/themes/codebook/", views.codebook, name="codebook"),
]
