"""A campaign's questionnaire as the respondent meets it: pages, background questions, checks.

Answers are kept per instrument, `{instrument id: {item id: value}}`, because two instruments
in one campaign may use the same item ids. Checking each instrument's answers is the
instruments app's job (`validate_answers`); this module only splits the work by page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tillit.instruments.definition import (
    AnswerError,
    clean_answers,
    is_empty,
    validate_answers,
    visible_items,
)
from tillit.instruments.models import InstrumentVersion
from tillit.surveys.models import AGE_BANDS, TENURE_BANDS, Campaign, Invitation

BACKGROUND_LABELS = {
    "age": gettext_lazy("Your age"),
    "tenure": gettext_lazy("Years in the organisation"),
    "profession": gettext_lazy("Your profession group"),
}
TENURE_LABELS = {
    "<2": gettext_lazy("Less than 2 years"),
    "2-5": gettext_lazy("2–5 years"),
    "6-10": gettext_lazy("6–10 years"),
    ">10": gettext_lazy("More than 10 years"),
}
AGE_LABELS = {
    "-29": gettext_lazy("29 or younger"),
    "30-39": "30–39",
    "40-49": "40–49",
    "50-59": "50–59",
    "60-": gettext_lazy("60 or older"),
}


# How much fits on one phone screen's page: sections of an instrument are put together on one
# page while their items weigh at most this much (a text question weighs three). HME's nine
# items are one page; each page is one round trip less for the respondent.
ONE_PAGE_WEIGHT = 10
TEXT_WEIGHT = 3


@dataclass
class Page:
    """One page: sections of an instrument, the background questions, or the review."""

    index: int
    kind: str  # "section" | "background" | "review"
    instrument: str = ""
    definition: Mapping[str, Any] | None = None
    sections: list[Mapping[str, Any]] = field(default_factory=list)
    item_ids: list[str] = field(default_factory=list)

    def visible(self, answers: Mapping[str, Any]) -> list[dict]:
        """The items of this page shown for these answers (skip logic, server-side)."""
        if self.kind != "section":
            return []
        mine = answers.get(self.instrument, {})
        return [i for i in visible_items(self.definition, mine) if i["id"] in self.item_ids]


def _weight(section: Mapping[str, Any]) -> int:
    return sum(TEXT_WEIGHT if i["type"] == "text" else 1 for i in section["items"])


def _section_groups(definition: Mapping[str, Any]) -> list[list[Mapping[str, Any]]]:
    """The instrument's sections, consecutive ones together while they fit one page."""
    groups: list[list[Mapping[str, Any]]] = []
    weight = 0
    for section in definition["sections"]:
        if groups and weight + _weight(section) <= ONE_PAGE_WEIGHT:
            groups[-1].append(section)
            weight += _weight(section)
        else:
            groups.append([section])
            weight = _weight(section)
    return groups


@dataclass
class Questionnaire:
    """The pages of one respondent's questionnaire."""

    campaign: Campaign
    versions: list[InstrumentVersion]
    background_asked: list[str]
    professions: list[str]
    pages: list[Page]

    @property
    def definitions(self) -> dict[str, Mapping[str, Any]]:
        return {v.definition["id"]: v.definition for v in self.versions}

    @property
    def review_index(self) -> int:
        return len(self.pages) - 1

    def page(self, index: int) -> Page:
        return self.pages[max(0, min(index, self.review_index))]

    def next_index(self, index: int, answers: Mapping[str, Any], step: int) -> int:
        """The next page in direction `step` that shows something (pages with every item
        hidden by skip logic are passed over)."""
        index += step
        while 0 < index < self.review_index:
            page = self.pages[index]
            if page.kind != "section" or page.visible(answers):
                break
            index += step
        return max(0, min(index, self.review_index))

    def background_choices(self, key: str) -> list[tuple[str, str]]:
        if key == "age":
            return [(band, str(AGE_LABELS[band])) for band in AGE_BANDS]
        if key == "tenure":
            return [(band, str(TENURE_LABELS[band])) for band in TENURE_BANDS]
        return [(p, p) for p in self.professions]


# A launched campaign's instrument versions never change and versions are immutable, so each
# process keeps them once read (the submit path then needs no query for them).
# Keyed with the creation time too, because SQLite may give a deleted campaign's id again.
_LAUNCHED_VERSIONS: dict[tuple, list[InstrumentVersion]] = {}


def campaign_versions(campaign: Campaign) -> list[InstrumentVersion]:
    """The campaign's instrument versions, cached per process once it is launched."""
    if campaign.status == Campaign.Status.DRAFT:
        return campaign.versions()
    key = (campaign.pk, campaign.created_at)
    versions = _LAUNCHED_VERSIONS.get(key)
    if versions is None:
        versions = _LAUNCHED_VERSIONS[key] = campaign.versions()
    return versions


def build_questionnaire(campaign: Campaign, invitation: Invitation | None) -> Questionnaire:
    """Pages: each instrument's sections (several to a page when they fit one), background
    questions if any, then review."""
    versions = campaign_versions(campaign)
    known = invitation.background if invitation else {}
    asked = []
    if campaign.ask_age and not known.get("age"):
        asked.append("age")
    if campaign.ask_tenure and not known.get("tenure"):
        asked.append("tenure")
    if campaign.professions:
        asked.append("profession")
    pages: list[Page] = []
    for version in versions:
        definition = version.definition
        for sections in _section_groups(definition):
            pages.append(
                Page(
                    len(pages),
                    "section",
                    definition["id"],
                    definition,
                    sections,
                    [i["id"] for section in sections for i in section["items"]],
                )
            )
    if asked:
        pages.append(Page(len(pages), "background"))
    pages.append(Page(len(pages), "review"))
    return Questionnaire(campaign, versions, asked, list(campaign.professions), pages)


def page_answers_from_post(page: Page, data) -> dict[str, Any]:
    """The answers a page's form posted, keyed by item id (multiple choices as lists).

    Unknown fields that look like answers (`a:<item>`) are kept, so the instrument's check
    can name them instead of silently dropping them.
    """
    answers: dict[str, Any] = {}
    multiple = {
        i["id"] for section in page.sections for i in section["items"] if i["type"] == "multiple"
    }
    for key in data:
        if not key.startswith("a:"):
            continue
        item_id = key[2:]
        answers[item_id] = data.getlist(key) if item_id in multiple else data.get(key, "").strip()
    for item_id in page.item_ids:
        answers.setdefault(item_id, [] if item_id in multiple else "")
    return answers


def check_page(
    questionnaire: Questionnaire,
    page: Page,
    all_answers: Mapping[str, Any],
    page_answers: Mapping[str, Any],
    *,
    require: bool,
) -> list[AnswerError]:
    """Problems with one page's answers; with `require`, its visible required items must be
    answered too."""
    definition = page.definition
    merged = {**all_answers.get(page.instrument, {}), **page_answers}
    errors = validate_answers(definition, page_answers, partial=True)
    if require and not errors:
        for item in page.visible({page.instrument: merged}):
            if item["required"] and is_empty(merged.get(item["id"])):
                errors.append(AnswerError(item["id"], _("This question must be answered.")))
    return errors


def check_background(
    questionnaire: Questionnaire, background: Mapping[str, Any]
) -> list[AnswerError]:
    """Background answers must be one of the offered bands, or blank (declined)."""
    errors = []
    for key, value in background.items():
        if key not in questionnaire.background_asked:
            errors.append(AnswerError(key, _("There is no such question.")))
        elif value and value not in dict(questionnaire.background_choices(key)):
            errors.append(
                AnswerError(key, _("“%(value)s” is not one of the choices.") % {"value": value})
            )
    return errors


def check_all(
    questionnaire: Questionnaire, answers: Mapping[str, Any]
) -> tuple[dict[str, dict[str, Any]], list[tuple[str, AnswerError]]]:
    """Check every instrument's answers in full; returns (cleaned answers, errors by instrument)."""
    definitions = questionnaire.definitions
    errors: list[tuple[str, AnswerError]] = []
    for instrument in answers:
        if instrument not in definitions:
            errors.append((instrument, AnswerError(instrument, _("There is no such question."))))
    cleaned: dict[str, dict[str, Any]] = {}
    for instrument, definition in definitions.items():
        given = answers.get(instrument, {})
        if not isinstance(given, Mapping):
            errors.append((instrument, AnswerError(instrument, _("Expected answers."))))
            continue
        problems = validate_answers(definition, given, partial=False)
        errors.extend((instrument, problem) for problem in problems)
        if not problems:
            cleaned[instrument] = clean_answers(definition, given)
    return cleaned, errors
