"""E-mail and password login, throttled per address and per client.

Authentication is kept behind Django's backend interface so single sign-on can replace
or sit beside this backend without touching views.
"""

import hashlib

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.http import HttpRequest

from tillit.core.models import normalise_email


def _keys(request: HttpRequest | None, email: str) -> list[str]:
    # Hashed, so no e-mail address or IP address is written to the cache table in clear.
    parts = [f"email:{normalise_email(email)}"]
    if request is not None:
        parts.append(f"ip:{request.META.get('REMOTE_ADDR', '')}")
    return ["login-fail:" + hashlib.sha256(p.encode()).hexdigest() for p in parts]


def is_throttled(request: HttpRequest | None, email: str) -> bool:
    """True when this address or this client has failed too often in the window."""
    limit = settings.LOGIN_THROTTLE_ATTEMPTS
    return any((cache.get(k) or 0) >= limit for k in _keys(request, email))


def record_failure(request: HttpRequest | None, email: str) -> None:
    """Count one failed login for the address and the client."""
    for key in _keys(request, email):
        if not cache.add(key, 1, settings.LOGIN_THROTTLE_WINDOW):
            try:
                cache.incr(key)
            except ValueError:
                cache.set(key, 1, settings.LOGIN_THROTTLE_WINDOW)


def clear_failures(request: HttpRequest | None, email: str) -> None:
    """Forget the failures once the right password is given."""
    cache.delete_many(_keys(request, email))


class EmailBackend(ModelBackend):
    """Django's model backend with case-insensitive e-mail as the username."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        email = normalise_email(username or kwargs.get("email", ""))
        return super().authenticate(request, username=email, password=password)
