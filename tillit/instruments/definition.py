"""The normalised instrument definition and the plain functions that read it.

Both the YAML and the XLSForm loaders produce this one shape (all defaults filled in)::

    {"id": slug, "version": int, "title": {lang: str}, "description": {lang: str},
     "languages": ["sv", ...], "attribution": {lang: str}, "translation_note": {lang: str},
     "scales": {scale_id: {"min": int, "max": int, "labels": {lang: [str per value]}}},
     "sections": [{"id": str, "title": {lang: str}, "items": [item, ...]}],
     "constructs": [{"id": str, "title": {lang: str}, "items": [item ids]}],
     "scoring": {"method": "linear", "to_min": 0, "to_max": 100} | {"method": "sum"}
                | {"method": "none"}}

    item = {"id": str, "type": "scale"|"single"|"multiple"|"number"|"text", "text": {lang: str},
            "required": bool, "sensitive": bool, "show_if": {"item", "op", "value"} | None,
            "scale": scale_id                      (scale)
            "choices": [{"value": str, "label": {lang: str}}]   (single, multiple)
            "min": number|None, "max": number|None, "integer": bool  (number)
            "max_length": int                     (text, default 2000)
            "construct": id                       (optional; the construct the item belongs to)}

`description`, `attribution` and `translation_note` are optional and absent when not given; a
section's `title` is {} when it has none (an untitled page).
`version` equals the installed `InstrumentVersion.number`.

Answers are a dict {item_id: value}: an int for scale items, a str choice value for single, a list
of str for multiple, an int or float for number, a str for text. Numeric strings ("3") are accepted
for scale and number items, because that is what HTML forms post; `clean_answers()` converts them.
None, "" and [] mean "not answered".

Hidden items (their `show_if` is not met): an answer to a hidden item is still checked for type and
range (garbage is never accepted), but a hidden item is never required and its answer is dropped by
`clean_answers()` – so a respondent who changes an earlier answer is not blocked by a later one that
no longer applies. Store what `clean_answers()` returns.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

ITEM_TYPES = ("scale", "single", "multiple", "number", "text")
SHOW_IF_OPS = {
    "==": operator.eq,
    "!=": operator.ne,
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
}
DEFAULT_TEXT_MAX_LENGTH = 2000
SCORING_METHODS = ("linear", "sum", "none")


@dataclass(frozen=True)
class AnswerError:
    """One problem with one answer; `message` is already translated."""

    item: str
    message: str

    def __str__(self) -> str:
        return f"{self.item}: {self.message}"


def text_for(mapping: Mapping[str, str] | None, language: str, fallback: str = "sv") -> str:
    """The text in `language`, else in `fallback`, else any text, else ""."""
    if not mapping:
        return ""
    if mapping.get(language):
        return mapping[language]
    if mapping.get(fallback):
        return mapping[fallback]
    return next((text for text in mapping.values() if text), "")


def labels_for(mapping: Mapping[str, list[str]] | None, language: str) -> list[str]:
    """A scale's labels in `language`, else in Swedish, else in any language it has (as
    `text_for`), else none."""
    if not mapping:
        return []
    return mapping.get(language) or mapping.get("sv") or next(iter(mapping.values()), [])


def iter_items(definition: Mapping[str, Any]) -> Iterator[tuple[str, dict]]:
    """Yield `(section_id, item)` for every item, in questionnaire order."""
    for section in definition["sections"]:
        for item in section["items"]:
            yield section["id"], item


def item_by_id(definition: Mapping[str, Any]) -> dict[str, dict]:
    """All items keyed by their id."""
    return {item["id"]: item for _section, item in iter_items(definition)}


def is_empty(value: Any) -> bool:
    """True for the values that mean "not answered"."""
    return value is None or value == "" or value == []


def _as_number(value: Any) -> int | float | None:
    """A number from an int, a float or a numeric string; None if it is none of these."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, str):
        text = value.strip()
        if not text.isascii():  # int() and float() take "²" and "٣"
            return None
        if text.count(",") == 1 and "." not in text:
            text = text.replace(",", ".")  # "2,5": the decimal comma of Nordic keyboards
        try:
            return int(text)
        except ValueError:
            pass
        try:
            number = float(text)
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


def condition_met(show_if: Mapping[str, Any], answer: Any) -> bool:
    """Whether a `show_if` condition holds for the answer to the item it refers to.

    An unanswered item meets no condition. For a multiple-choice answer `==` means "includes"
    and `!=` "does not include". Numbers compare as numbers, anything else as text.
    """
    if is_empty(answer):
        return False
    op, target = show_if["op"], show_if["value"]
    if isinstance(answer, list):
        chosen = {str(value) for value in answer}
        if op == "==":
            return str(target) in chosen
        if op == "!=":
            return str(target) not in chosen
        return False
    compare = SHOW_IF_OPS[op]
    if isinstance(target, int | float) and not isinstance(target, bool):
        number = _as_number(answer)
        return number is not None and compare(number, target)
    if op in ("==", "!="):
        return compare(str(answer), str(target))
    return False


def visible_items(definition: Mapping[str, Any], answers: Mapping[str, Any]) -> list[dict]:
    """The items shown for these answers, in order.

    An item whose condition refers to a hidden item is hidden too (conditions only refer to
    earlier items, so one pass in order suffices).
    """
    shown: list[dict] = []
    shown_ids: set[str] = set()
    for _section, item in iter_items(definition):
        show_if = item.get("show_if")
        if show_if and not (
            show_if["item"] in shown_ids and condition_met(show_if, answers.get(show_if["item"]))
        ):
            continue
        shown.append(item)
        shown_ids.add(item["id"])
    return shown


def _check_value(definition: Mapping[str, Any], item: Mapping[str, Any], value: Any) -> str | None:
    """The translated problem with one non-empty answer, or None if it is acceptable."""
    kind = item["type"]
    if kind == "scale":
        scale = definition["scales"][item["scale"]]
        number = _as_number(value)
        if number is None or number != int(number):
            return _("Choose a whole number from %(min)s to %(max)s.") % scale
        if not scale["min"] <= number <= scale["max"]:
            return _("%(value)s is outside the scale %(min)s–%(max)s.") % {
                "value": value,
                **scale,
            }
        return None
    if kind == "single":
        values = {choice["value"] for choice in item["choices"]}
        if not isinstance(value, str | int) or isinstance(value, bool) or str(value) not in values:
            return _("“%(value)s” is not one of the choices.") % {"value": value}
        return None
    if kind == "multiple":
        if not isinstance(value, list | tuple):
            return _("Expected a list of choices.")
        values = {choice["value"] for choice in item["choices"]}
        chosen = [str(entry) for entry in value]
        unknown = [entry for entry in chosen if entry not in values]
        if unknown:
            return _("“%(value)s” is not one of the choices.") % {"value": unknown[0]}
        if len(set(chosen)) != len(chosen):
            return _("A choice is given more than once.")
        return None
    if kind == "number":
        number = _as_number(value)
        if number is None:
            return _("Enter a number.")
        if item.get("integer", True) and number != int(number):
            return _("Enter a whole number.")
        if item.get("min") is not None and number < item["min"]:
            return _("Enter a number of at least %(min)s.") % {"min": item["min"]}
        if item.get("max") is not None and number > item["max"]:
            return _("Enter a number of at most %(max)s.") % {"max": item["max"]}
        return None
    if kind == "text":
        if not isinstance(value, str):
            return _("Expected text.")
        if "\x00" in value:  # PostgreSQL cannot store it (as Django's forms refuse it)
            return _("The text contains a null character, which cannot be stored.")
        limit = item.get("max_length", DEFAULT_TEXT_MAX_LENGTH)
        if len(value) > limit:
            return _("The text is %(length)s characters long; at most %(limit)s are allowed.") % {
                "length": len(value),
                "limit": limit,
            }
        return None
    return _("Unknown question type.")


def validate_answers(
    definition: Mapping[str, Any], answers: Mapping[str, Any], *, partial: bool
) -> list[AnswerError]:
    """Every problem with these answers (an empty list when they are acceptable).

    Checks unknown item ids, the type and range of every given answer (hidden items included),
    and – unless `partial` (a draft page) – that every visible required item is answered.
    """
    items = item_by_id(definition)
    errors: list[AnswerError] = []
    for item_id, value in answers.items():
        item = items.get(item_id)
        if item is None:
            errors.append(AnswerError(str(item_id), _("There is no such question.")))
            continue
        if is_empty(value):
            continue
        problem = _check_value(definition, item, value)
        if problem:
            errors.append(AnswerError(item_id, problem))
    if not partial:
        for item in visible_items(definition, answers):
            if item["required"] and is_empty(answers.get(item["id"])):
                errors.append(AnswerError(item["id"], _("This question must be answered.")))
    return errors


def clean_answers(definition: Mapping[str, Any], answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers to store: visible, non-empty, with typed values (call after validating)."""
    cleaned: dict[str, Any] = {}
    for item in visible_items(definition, answers):
        value = answers.get(item["id"])
        if is_empty(value):
            continue
        if item["type"] == "scale":
            value = int(_as_number(value))
        elif item["type"] == "number":
            number = _as_number(value)
            value = int(number) if item.get("integer", True) else float(number)
        elif item["type"] == "single":
            value = str(value)
        elif item["type"] == "multiple":
            value = [str(entry) for entry in value]
        cleaned[item["id"]] = value
    return cleaned


def score_item(definition: Mapping[str, Any], item: Mapping[str, Any], value: Any) -> float | None:
    """The score of one answer, or None if the item is not scored or not answered.

    linear: (value − min) / (max − min) scaled to to_min..to_max (HME: (answer − 1) × 25);
    sum: the raw value; none: nothing is scored. Only scale items are scored.
    """
    scoring = definition["scoring"]
    if item["type"] != "scale" or scoring["method"] == "none" or is_empty(value):
        return None
    number = _as_number(value)
    if number is None:
        return None
    if scoring["method"] == "sum":
        return float(number)
    scale = definition["scales"][item["scale"]]
    fraction = (number - scale["min"]) / (scale["max"] - scale["min"])
    return scoring["to_min"] + fraction * (scoring["to_max"] - scoring["to_min"])


def score_answers(
    definition: Mapping[str, Any], answers: Mapping[str, Any]
) -> dict[str, float | None]:
    """Construct scores and "total" for one set of answers.

    linear: a construct is the mean of its answered items' scores, "total" the mean of all
    answered scale items. sum: a construct is the sum of its items, and None unless all are
    answered; "total" likewise over all scale items. None where nothing can be scored.
    """
    items = item_by_id(definition)
    method = definition["scoring"]["method"]

    def combine(item_ids: list[str]) -> float | None:
        scores = [score_item(definition, items[i], answers.get(i)) for i in item_ids]
        if method == "sum":
            return None if any(s is None for s in scores) or not scores else sum(scores)
        given = [s for s in scores if s is not None]
        return sum(given) / len(given) if given else None

    if method == "none":
        return {}
    result = {c["id"]: combine(c["items"]) for c in definition["constructs"]}
    scored = [i["id"] for _s, i in iter_items(definition) if i["type"] == "scale"]
    result["total"] = combine(scored)
    return result
