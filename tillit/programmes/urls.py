from django.urls import path

from tillit.programmes import views

app_name = "programmes"

urlpatterns = [
    path("o/<slug:org>/programmes/", views.programmes, name="list"),
]
