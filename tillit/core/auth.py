"""E-mail and password login, throttled per account and client address.

Authentication is kept behind Django's backend interface so single sign-on can replace
or sit beside this backend without touching views.
"""

import math

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest
from django.utils import timezone

from tillit.core import throttle
from tillit.core.models import normalise_email

# The longest lock-out the back-off reaches.
MAX_LOCKOUT = 24 * 3600


def _address(request: HttpRequest | None) -> str:
    return throttle.client_address(request) if request is not None else ""


def _pair_key(request: HttpRequest | None, email: str) -> str:
    return throttle.key_for("login-pair", normalise_email(email), _address(request))


def _strikes_key(request: HttpRequest | None, email: str) -> str:
    return throttle.key_for("login-strikes", normalise_email(email), _address(request))


def _address_key(request: HttpRequest | None) -> str:
    return throttle.key_for("login-address", _address(request))


def begin_attempt(request: HttpRequest | None, email: str) -> bool:
    """Count a login attempt before its password is checked; False: refuse it unchecked.

    Counted per (account, client address) pair, so one person's typos lock out neither
    their colleagues behind the same proxy nor the account from elsewhere; a higher
    ceiling per address stops one client guessing across many accounts. Counting first,
    atomically, means parallel guesses cannot all slip under the limit. Each time a pair
    reaches its limit again within a day, its lock-out doubles.
    """
    window = settings.LOGIN_THROTTLE_WINDOW
    if throttle.hit(_address_key(request), window) > settings.LOGIN_THROTTLE_ADDRESS_ATTEMPTS:
        return False
    pair = _pair_key(request, email)
    attempts = throttle.hit(pair, window)
    limit = settings.LOGIN_THROTTLE_ATTEMPTS
    if attempts <= limit:
        return True
    if attempts == limit + 1:  # just reached: lock out for longer each time
        strikes = throttle.hit(_strikes_key(request, email), MAX_LOCKOUT)
        seconds = min(window * 2 ** (strikes - 1), MAX_LOCKOUT)
        throttle.lock(pair, seconds, count=attempts)
    return False


def minutes_locked(request: HttpRequest | None, email: str) -> int:
    """Whole minutes until this pair may try again (at least 1)."""
    until = throttle.expires_at(_pair_key(request, email)) or throttle.expires_at(
        _address_key(request)
    )
    if until is None:
        return 1
    return max(1, math.ceil((until - timezone.now()).total_seconds() / 60))


def attempt_succeeded(request: HttpRequest | None, email: str) -> None:
    """The password was right: forget the pair's failures and give the address its attempt
    back (a busy office logging in every morning must not reach the address ceiling)."""
    throttle.clear(_pair_key(request, email), _strikes_key(request, email))
    throttle.refund(_address_key(request))


def may_send_password_reset(email: str) -> bool:
    """Count one reset mail for the account; False once its hourly allowance is spent."""
    key = throttle.key_for("password-reset", normalise_email(email))
    return throttle.hit(key, 3600) <= settings.PASSWORD_RESET_MAILS_PER_HOUR


class EmailBackend(ModelBackend):
    """Django's model backend with case-insensitive e-mail as the username."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        email = normalise_email(username or kwargs.get("email", ""))
        return super().authenticate(request, username=email, password=password)
