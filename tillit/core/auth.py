"""E-mail and password login, throttled per address and per client.

Authentication is kept behind Django's backend interface so single sign-on can replace
or sit beside this backend without touching views.
"""

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.http import HttpRequest

from tillit.core import throttle
from tillit.core.models import normalise_email


def _keys(request: HttpRequest | None, email: str) -> list[str]:
    # Hashed (throttle.key), so no e-mail or IP address is written to the cache table in clear.
    parts = [f"email:{normalise_email(email)}"]
    if request is not None:
        parts.append(f"ip:{throttle.client_address(request)}")
    return [throttle.key("login-fail", p) for p in parts]


def is_throttled(request: HttpRequest | None, email: str) -> bool:
    """True when this address or this client has failed too often in the window."""
    limit = settings.LOGIN_THROTTLE_ATTEMPTS
    return any(throttle.count(k) >= limit for k in _keys(request, email))


def record_failure(request: HttpRequest | None, email: str) -> None:
    """Count one failed login for the address and the client."""
    for key in _keys(request, email):
        throttle.record(key, settings.LOGIN_THROTTLE_WINDOW)


def clear_failures(request: HttpRequest | None, email: str) -> None:
    """Forget the failures once the right password is given."""
    cache.delete_many(_keys(request, email))


class EmailBackend(ModelBackend):
    """Django's model backend with case-insensitive e-mail as the username."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        email = normalise_email(username or kwargs.get("email", ""))
        return super().authenticate(request, username=email, password=password)
