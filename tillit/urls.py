from django.urls import include, path

from tillit.identity.views.sso import logout
from tillit.org.views.home import home

# Surveys first: its answering links are the hot path (every employee, in a few days) and
# Django tries patterns in order.
urlpatterns = [
    path("", home, name="home"),
    path("", include("tillit.surveys.urls")),
    # Before core's: the same address, also ending the session at an OpenID provider.
    path("logout/", logout, name="logout"),
    path("", include("tillit.identity.urls")),
    path("", include("tillit.api.urls")),
    path("", include("tillit.core.urls")),
    path("", include("tillit.org.urls")),
    path("", include("tillit.programmes.urls")),
    path("", include("tillit.results.urls")),
    path("", include("tillit.themes.urls")),
    path("", include("tillit.workshop.urls")),
    path("", include("tillit.steering.urls")),
    path("", include("tillit.records.urls")),
    path("", include("tillit.examples.urls")),
]
