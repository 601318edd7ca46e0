from django.urls import include, path

from tillit.org.views.home import home

urlpatterns = [
    path("", home, name="home"),
    path("", include("tillit.core.urls")),
    path("", include("tillit.org.urls")),
    path("", include("tillit.surveys.urls")),
    path("", include("tillit.programmes.urls")),
    path("", include("tillit.results.urls")),
    path("", include("tillit.workshop.urls")),
]
