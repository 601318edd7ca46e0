from django.urls import include, path

from tillit.org.views.home import home

# Surveys first: its answering links are the hot path (every employee, in a few days) and
# Django tries patterns in order.
urlpatterns = [
    path("", home, name="home"),
    path("", include("tillit.surveys.urls")),
    path("", include("tillit.core.urls")),
    path("", include("tillit.org.urls")),
    path("", include("tillit.programmes.urls")),
    path("", include("tillit.results.urls")),
    path("", include("tillit.workshop.urls")),
    path("", include("tillit.steering.urls")),
    path("", include("tillit.examples.urls")),
]
