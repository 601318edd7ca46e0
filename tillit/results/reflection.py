"""Reflection questions for the team's dialogue about its results, per construct."""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tillit.results.present import index_label

QUESTIONS = {
    "motivation": (
        _("When did your work last feel really meaningful? What made it so?"),
        _("What could we change so that more of us look forward to coming to work?"),
    ),
    "ledarskap": (
        _("How do we notice that our work is appreciated – and how would we like to notice it?"),
        _("What information do we need from our manager that we do not get today?"),
    ),
    "styrning": (
        _("Which goals of our workplace do we know and understand, and which not?"),
        _("How do we learn whether our work leads to anything for the people we serve?"),
    ),
    "tillit": (
        _("Where could we decide more ourselves, and where do we need a clearer mandate?"),
        _("What would our organisation have to stop doing to show that it trusts us?"),
    ),
    "medborgarfokus": (
        _("Whom do we serve, and how do we find out what matters to them?"),
        _("Which of our routines help the people we serve, and which help only ourselves?"),
    ),
    "helhetssyn": (
        _("Where do the people we serve fall between us and another unit?"),
        _("Whom should we cooperate with more, and what is in the way?"),
    ),
    "handlingsutrymme": (
        _("In which situations do we feel that rules stop us from doing the right thing?"),
        _("Which rule or routine would we remove first, and why?"),
    ),
    "stod": (
        _("What support do we get that really helps, and what support is missing?"),
        _("What do we spend time on that someone else could do better?"),
    ),
    "kunskap": (
        _("Which of our own experience is not used in how the work is steered?"),
        _("How do we share what we learn with each other and with other units?"),
    ),
    "oppenhet": (
        _("Which questions feel hard to raise at our workplace? Why?"),
        _("How can we make it easier to say when something does not work?"),
    ),
}

GENERAL = (
    _("What in these results surprises us, and what do we recognise?"),
    _("What is one thing we want to keep doing, and one we want to change before next time?"),
)


def questions_for(keys: list[str], data: dict[str, Any], language: str) -> list[dict[str, Any]]:
    """Questions for the weakest constructs first (keys like "hme.ledarskap"), then general
    ones, in `language`."""
    with translation.override(language):
        result = []
        for key in keys:
            name = key.split(".", 1)[1]
            if name in QUESTIONS:
                result.append(
                    {
                        "title": index_label(data, key),
                        "questions": [str(q) for q in QUESTIONS[name]],
                    }
                )
        result.append(
            {"title": gettext("For the whole team"), "questions": [str(q) for q in GENERAL]}
        )
        return result
