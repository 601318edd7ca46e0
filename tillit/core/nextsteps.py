"""What to do next, for a role's home page.

The home page lives in `org`, which may not import the apps below it; each app registers a
provider instead (in its AppConfig.ready), which reads the request's organisation and access.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest


@dataclass(frozen=True)
class NextStep:
    """One thing to look at or do: a sentence and where to do it."""

    kind: str  # "campaign", "results", "action", "workshop", "answer"
    text: str
    url: str
    urgent: bool = False
    # A step done by a POST (a button, not a link): its address and the button's words.
    post_url: str = ""
    button: str = ""
    note: str = ""


_providers: list[Callable[[HttpRequest], list[NextStep]]] = []


def register(provider: Callable[[HttpRequest], list[NextStep]]) -> None:
    """Add a provider (idempotent: apps may be readied twice in tests)."""
    if provider not in _providers:
        _providers.append(provider)


def next_steps(request: HttpRequest) -> list[NextStep]:
    """Every provider's steps, urgent ones first, in the providers' order otherwise."""
    steps = [step for provider in _providers for step in provider(request)]
    return sorted(steps, key=lambda step: not step.urgent)
