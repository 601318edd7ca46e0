"""Which language to speak to someone: their own choice, else their organisation's.

Core knows accounts, not organisations; the org app registers a resolver for people without
an own choice (`add_fallback`), so core's password-reset mail follows the organisation too.
"""

from collections.abc import Callable

from django.conf import settings
from django.utils import translation

from tillit.core.models import User, normalise_email

_fallbacks: list[Callable[[str], str]] = []


def add_fallback(resolver: Callable[[str], str]) -> None:
    """Register a function e-mail -> language ("" when it does not know)."""
    if resolver not in _fallbacks:
        _fallbacks.append(resolver)


def own_language(user: User | None) -> str:
    """The language a user chose (on the account), or ""."""
    return (user.language if user is not None else "") or ""


def language_for_email(email: str) -> str:
    """The language to write to this address in: the account's choice, else a fallback's."""
    email = normalise_email(email)
    user = User.objects.filter(email=email).only("language").first()
    if language := own_language(user):
        return language
    for resolver in _fallbacks:
        if language := resolver(email):
            return language
    return settings.LANGUAGE_CODE


def activate_if_no_choice(request, language: str) -> None:
    """Speak `language` to a visitor who has chosen none (no account choice, no cookie)."""
    if not language or not translation.check_for_language(language):
        return
    user = getattr(request, "user", None)
    if own_language(user if user is not None and user.is_authenticated else None):
        return
    if settings.LANGUAGE_COOKIE_NAME in request.COOKIES:
        return
    translation.activate(language)
    request.LANGUAGE_CODE = language
