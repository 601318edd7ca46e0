"""A session reaches an organisation's pages only by a login that organisation accepts."""

import re
import time

from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from tillit.identity.models import SingleSignOn

_ORG_PATH = re.compile(r"^/o/(?P<slug>[-\w]+)/")
SESSION_KEY = "sso_organisation"  # the organisation's id, for logging out at its provider
SESSION_SLUG = "sso_organisation_slug"
# Which organisations admit their IdP's sessions only, read once per this many seconds per
# process (and at once in the process that saves a change): pages pay no query for it.
REFRESH_SECONDS = 30
_required: dict = {"at": float("-inf"), "slugs": frozenset()}


def sso_required_slugs() -> frozenset[str]:
    """Short names of the organisations that switched password login off."""
    now = time.monotonic()
    if now - _required["at"] > REFRESH_SECONDS:
        _required["slugs"] = frozenset(
            SingleSignOn.objects.filter(enabled=True, password_login=False).values_list(
                "organisation__slug", flat=True
            )
        )
        _required["at"] = now
    return _required["slugs"]


def forget_required(**kwargs) -> None:
    _required["at"] = float("-inf")


class SingleSignOnMiddleware:
    """Sends a session to the organisation's own login when it may not enter as it is.

    A session made by one organisation's identity provider is valid for that organisation
    only (its IdP vouches for its own staff, not for a consultant's other clients), and an
    organisation that switched password login off admits password sessions of operators
    (superusers) only – so a role in it cannot be reached past its IdP.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        match = _ORG_PATH.match(request.path_info)
        user = getattr(request, "user", None)
        if match and user is not None and user.is_authenticated and not user.is_superuser:
            slug = match["slug"]
            came_from = request.session.get(SESSION_SLUG)
            allowed = came_from == slug if came_from else slug not in sso_required_slugs()
            if not allowed:
                return self._elsewhere(request, slug)
        return self.get_response(request)

    def _elsewhere(self, request, slug: str):
        next_url = request.get_full_path()
        if SingleSignOn.objects.filter(organisation__slug=slug, enabled=True).exists():
            target = reverse("identity:login", args=[slug])
        else:
            logout(request)
            target = reverse("login")
        return redirect(f"{target}?{urlencode({'next': next_url})}")
