from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from tillit.identity.models import SingleSignOn


def login_methods(request) -> dict:
    """The login page's other ways in (core's template lists them without knowing them)."""
    match = getattr(request, "resolver_match", None)
    if match is None or match.url_name != "login":
        return {}
    if not SingleSignOn.objects.filter(enabled=True).exists():
        return {}
    url = reverse("identity:start")
    if request.GET.get("next"):
        url += "?" + urlencode({"next": request.GET["next"]})
    return {"login_methods": [{"url": url, "label": _("Log in with your organisation's account")}]}
