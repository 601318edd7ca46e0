"""A session reaches an organisation's pages only by a login that organisation accepts."""

import re

from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from tillit.identity.models import SingleSignOn

_ORG_PATH = re.compile(r"^/o/(?P<slug>[-\w]+)/")
SESSION_KEY = "sso_organisation"


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
            response = self._check(request, match["slug"])
            if response is not None:
                return response
        return self.get_response(request)

    def _check(self, request, slug: str):
        config = (
            SingleSignOn.objects.filter(organisation__slug=slug)
            .only("organisation_id", "enabled", "password_login")
            .first()
        )
        came_from = request.session.get(SESSION_KEY)
        sso_on = config is not None and config.enabled
        if came_from is None and (not sso_on or config.password_login):
            return None
        if came_from is not None and config is not None and came_from == config.organisation_id:
            return None
        next_url = request.get_full_path()
        if sso_on:
            target = reverse("identity:login", args=[slug])
        else:
            logout(request)
            target = reverse("login")
        return redirect(f"{target}?{urlencode({'next': next_url})}")
