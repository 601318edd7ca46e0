"""Raw answers from an earlier survey tool become a closed campaign, so trends start last year.

The file (CSV or XLSX, read by `tillit.org.tables.read_table`) has a `unit_id` column (the
unit's external id), optional background bands `age`, `tenure`, `profession`, and one column per
item id of the instrument; a blank cell is "not answered", and a row without any answer is someone
who did not answer (some tools export them), not a response. Every row is checked with the
instrument's own `validate_answers`; any error names its row and column, and nothing is written
unless the whole file is right.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from tillit.instruments.definition import clean_answers, item_by_id, validate_answers
from tillit.instruments.models import InstrumentVersion
from tillit.org.models import Organisation, Unit
from tillit.org.tables import FileErrors, RowError, read_table
from tillit.surveys.models import (
    AGE_BANDS,
    TENURE_BANDS,
    Campaign,
    CampaignEvent,
    CampaignInstrument,
)
from tillit.surveys.signals import send_answers_changed
from tillit.surveys.storing import bulk_store_responses

BAND_COLUMNS = {"age": AGE_BANDS, "tenure": TENURE_BANDS, "profession": None}
BATCH = 2000
ANSWER_COLUMNS = (
    "response",
    "campaign",
    "unit",
    "instrument",
    "item_id",
    "value",
    "choice",
    "text",
)


@dataclass
class ResponseRow:
    """One response ready to store: unit id, bands, cleaned answers per instrument."""

    unit_id: int
    background: dict[str, str]
    answers: dict[str, dict[str, Any]]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _value(item: Mapping[str, Any], text: str) -> Any:
    """A cell as the answer value the instrument expects (lists for multiple choice)."""
    if item["type"] == "multiple":
        return [part.strip() for part in text.replace(",", ";").split(";") if part.strip()]
    return text


def check_file(
    content: bytes, filename: str, organisation: Organisation, version: InstrumentVersion
) -> list[ResponseRow]:
    """Every row checked; raises FileErrors listing every problem by row and column."""
    table = read_table(content, filename)
    definition = version.definition
    items = item_by_id(definition)
    # The table reader lower-cases headers; item ids are matched the same way.
    by_column = {item_id.lower(): item_id for item_id in items}
    errors: list[RowError] = []
    if "unit_id" not in table.columns:
        errors.append(RowError(1, "unit_id", _("The column unit_id is missing.")))
    named = [column for column in table.columns if column]
    for column in sorted({c for c in named if named.count(c) > 1}):
        # Only one of the two could be read: the other's answers would be lost unseen.
        errors.append(
            RowError(1, column, _("The column “%(column)s” appears twice.") % {"column": column})
        )
    for column in table.columns:
        if (
            column
            and column != "unit_id"
            and column not in BAND_COLUMNS
            and column not in by_column
        ):
            errors.append(
                RowError(
                    1,
                    column,
                    _("“%(column)s” is neither a question of %(instrument)s nor a known column.")
                    % {"column": column, "instrument": definition["id"]},
                )
            )
    if errors:
        raise FileErrors(errors)
    units = dict(Unit.objects.filter(organisation=organisation).values_list("external_id", "pk"))
    rows: list[ResponseRow] = []
    for number, cells in table.rows:
        values = {
            column: _cell(cells[n]) if n < len(cells) else ""
            for n, column in enumerate(table.columns)
            if column
        }
        if not any(values.values()):
            continue
        unit_id = units.get(values.get("unit_id", ""))
        if unit_id is None:
            errors.append(
                RowError(
                    number,
                    "unit_id",
                    _("There is no unit with the id “%(value)s”.") % {"value": values["unit_id"]},
                )
            )
        background = {}
        for column, allowed in BAND_COLUMNS.items():
            value = values.get(column, "")
            if value and allowed is not None and value not in allowed:
                errors.append(
                    RowError(
                        number,
                        column,
                        _("“%(value)s” is not a band; use one of %(bands)s.")
                        % {"value": value, "bands": ", ".join(allowed)},
                    )
                )
            elif value:
                background[column] = value[:60]
        answers = {
            by_column[column]: _value(items[by_column[column]], text)
            for column, text in values.items()
            if column in by_column and text
        }
        if not answers and unit_id is not None:
            continue  # someone who did not answer (some tools export them): not a response
        problems = validate_answers(definition, answers, partial=True)
        errors.extend(RowError(number, p.item.lower(), p.message) for p in problems)
        if unit_id is not None and not problems:
            cleaned = clean_answers(definition, answers)
            rows.append(ResponseRow(unit_id, background, {definition["id"]: cleaned}))
    if errors:
        raise FileErrors(errors)
    if not rows:
        raise FileErrors([RowError(2, "", _("The file has no answers."))])
    return rows


def import_responses(
    content: bytes,
    filename: str,
    *,
    organisation: Organisation,
    version: InstrumentVersion,
    name: str,
    closed_on: dt.date,
    by=None,
) -> Campaign:
    """Check the whole file, then create the closed campaign and its responses in one
    transaction. Raises FileErrors (nothing written) when any row is wrong."""
    rows = check_file(content, filename, organisation, version)
    root = Unit.objects.filter(organisation=organisation, parent__isnull=True).order_by("pk")
    with transaction.atomic():
        campaign = Campaign.objects.create(
            organisation=organisation,
            name=name,
            target_unit=root.first(),
            opens_on=closed_on,
            closes_on=closed_on,
            languages=[organisation.language],
            status=Campaign.Status.CLOSED,
            imported=True,
            created_by=by,
        )
        CampaignInstrument.objects.create(campaign=campaign, version=version, order=0)
        count = bulk_store_responses(
            campaign.pk,
            ((r.unit_id, r.background, r.answers) for r in rows),
            {version.definition["id"]: version.definition},
            closed_on,
        )
        CampaignEvent.objects.create(
            campaign=campaign,
            kind=CampaignEvent.Kind.IMPORTED,
            by=by,
            detail=f"{filename}: {count}",
        )
        send_answers_changed(campaign.pk)
    return campaign
