"""Raw answers from an earlier survey tool become a closed campaign, so trends start last year.

The file (CSV or XLSX, read by `tillit.org.importing.read_table`) has a `unit_id` column (the
unit's external id), optional background bands `age`, `tenure`, `profession`, and one column per
item id of the instrument; a blank cell is "not answered". Every row is checked with the
instrument's own `validate_answers`; any error names its row and column, and nothing is written
unless the whole file is right.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils.translation import gettext as _

from tillit.instruments.definition import clean_answers, item_by_id, validate_answers
from tillit.instruments.models import InstrumentVersion
from tillit.org.importing import FileErrors, RowError, read_table
from tillit.org.models import Organisation, Unit
from tillit.surveys.models import (
    AGE_BANDS,
    TENURE_BANDS,
    Answer,
    Campaign,
    CampaignEvent,
    CampaignInstrument,
    Response,
)

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


def answer_tuples(
    response_id: Any,
    campaign_id: int,
    unit_id: int,
    cleaned: Mapping[str, Mapping[str, Any]],
    kinds: Mapping[str, Mapping[str, str]],
) -> list[tuple]:
    """Rows for the answer table (ANSWER_COLUMNS): numbers in `value`, choices in `choice`
    (one row per chosen value), free text in `text`."""
    head = (response_id, campaign_id, unit_id)
    rows: list[tuple] = []
    for instrument, given in cleaned.items():
        types = kinds[instrument]
        for item_id, value in given.items():
            kind = types[item_id]
            if kind == "multiple":
                rows.extend((*head, instrument, item_id, None, str(v), "") for v in value)
            elif kind == "single":
                rows.append((*head, instrument, item_id, None, str(value), ""))
            elif kind in ("scale", "number"):
                rows.append((*head, instrument, item_id, float(value), "", ""))
            else:
                rows.append((*head, instrument, item_id, None, "", str(value)))
    return rows


def item_kinds(definitions: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, str]]:
    """{instrument: {item id: type}}."""
    return {
        instrument: {item_id: item["type"] for item_id, item in item_by_id(d).items()}
        for instrument, d in definitions.items()
    }


def _insert_sql(rows: int) -> str:
    fields = [Answer._meta.get_field(name) for name in ANSWER_COLUMNS]
    one = "({})".format(", ".join(["%s"] * len(fields)))
    # Table and column names come from the model, values go in as parameters.
    return "INSERT INTO {} ({}) VALUES {}".format(  # noqa: S608
        connection.ops.quote_name(Answer._meta.db_table),
        ", ".join(connection.ops.quote_name(f.column) for f in fields),
        ", ".join([one] * rows),
    )


def insert_answers(
    response: Response,
    cleaned: Mapping[str, Mapping[str, Any]],
    definitions: Mapping[str, Mapping[str, Any]],
) -> int:
    """Insert one response's answers with a single statement; returns the number of rows.

    Plain tuples rather than model instances: this runs on every submit."""
    rows = answer_tuples(
        Response._meta.pk.get_db_prep_value(response.id, connection),
        response.campaign_id,
        response.unit_id,
        cleaned,
        item_kinds(definitions),
    )
    if rows:
        with connection.cursor() as cursor:
            cursor.execute(_insert_sql(len(rows)), [value for row in rows for value in row])
    return len(rows)


def bulk_store_responses(
    campaign: Campaign,
    rows: Iterable[ResponseRow],
    definitions: Mapping[str, Mapping[str, Any]],
    submitted_on: dt.date,
) -> int:
    """Write many already-checked responses; returns how many.

    Answers go in with one `executemany` per batch of plain tuples: building 100,000 model
    instances and Django's bulk_create (999 parameters per statement on SQLite) took ten times
    longer. Call inside a transaction.
    """
    kinds = item_kinds(definitions)
    uuid_field = Response._meta.pk
    sql = _insert_sql(1)
    count = 0
    responses: list[Response] = []
    answers: list[tuple] = []

    def flush() -> None:
        Response.objects.bulk_create(responses, batch_size=BATCH)
        with connection.cursor() as cursor:
            cursor.executemany(sql, answers)
        responses.clear()
        answers.clear()

    for row in rows:
        response = Response(
            id=uuid.uuid4(),
            campaign_id=campaign.pk,
            unit_id=row.unit_id,
            background=row.background,
            submitted_on=submitted_on,
            idempotency_key=uuid.uuid4(),
        )
        responses.append(response)
        rid = uuid_field.get_db_prep_value(response.id, connection)
        answers.extend(answer_tuples(rid, campaign.pk, row.unit_id, row.answers, kinds))
        count += 1
        if len(answers) >= BATCH * 10:
            flush()
    flush()
    return count


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
            campaign, rows, {version.definition["id"]: version.definition}, closed_on
        )
        CampaignEvent.objects.create(
            campaign=campaign,
            kind=CampaignEvent.Kind.IMPORTED,
            by=by,
            detail=f"{filename}: {count}",
        )
    return campaign
