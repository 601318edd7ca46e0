"""The statements of the submit's write transaction, and bulk writing of many responses.

The submit is the one hot write path of Tillit (a whole organisation answers in a few days,
often right after the invitation mail), and on SQLite its transaction holds the database, so
it is written as four plain parameterised statements rather than ORM calls (measured with
bench/submit.py: the ORM's query building cost more than the database work). Table and column
names come from the models' metadata; every value goes in as a parameter. Values are prepared
by the model fields, so the same code runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

from django.db import connection

from tillit.instruments.definition import item_by_id
from tillit.surveys.models import Answer, Draft, Invitation, Response

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
RESPONSE_COLUMNS = ("id", "campaign", "unit", "background", "submitted_on", "idempotency_key")
BATCH = 2000


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _columns(model, names: Iterable[str]) -> list:
    return [model._meta.get_field(name) for name in names]


@cache
def _insert_sql(model, names: tuple[str, ...], rows: int, vendor: str) -> str:
    fields = _columns(model, names)
    one = "({})".format(", ".join(["%s"] * len(fields)))
    return "INSERT INTO {} ({}) VALUES {}".format(  # noqa: S608 – names from the model
        _q(model._meta.db_table), ", ".join(_q(f.column) for f in fields), ", ".join([one] * rows)
    )


def item_kinds(definitions: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, str]]:
    """{instrument: {item id: type}}."""
    return {
        instrument: {item_id: item["type"] for item_id, item in item_by_id(d).items()}
        for instrument, d in definitions.items()
    }


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


def _response_row(
    response_id: uuid.UUID,
    campaign_id: int,
    unit_id: int,
    background: Mapping[str, str],
    submitted_on: dt.date,
    key: uuid.UUID,
) -> tuple:
    fields = _columns(Response, RESPONSE_COLUMNS)
    values = (response_id, campaign_id, unit_id, dict(background), submitted_on, key)
    return tuple(f.get_db_prep_save(v, connection) for f, v in zip(fields, values, strict=True))


def claim_invitation(invitation_id: int) -> bool:
    """Mark an unused link used; False when it was used already. Takes the row's lock."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE {} SET {} = %s WHERE {} = %s AND {} = %s".format(  # noqa: S608
                _q(Invitation._meta.db_table), _q("responded"), _q("id"), _q("responded")
            ),
            [True, invitation_id, False],
        )
        return cursor.rowcount == 1


def insert_response(
    *,
    campaign_id: int,
    unit_id: int,
    background: Mapping[str, str],
    submitted_on: dt.date,
    key: uuid.UUID,
    cleaned: Mapping[str, Mapping[str, Any]],
    definitions: Mapping[str, Mapping[str, Any]],
) -> uuid.UUID:
    """Insert one response (random id) and its answers; two statements. Returns the id."""
    response_id = uuid.uuid4()
    row = _response_row(response_id, campaign_id, unit_id, background, submitted_on, key)
    answers = answer_tuples(row[0], campaign_id, unit_id, cleaned, item_kinds(definitions))
    vendor = connection.vendor
    with connection.cursor() as cursor:
        cursor.execute(_insert_sql(Response, RESPONSE_COLUMNS, 1, vendor), row)
        if answers:
            cursor.execute(
                _insert_sql(Answer, ANSWER_COLUMNS, len(answers), vendor),
                [value for answer in answers for value in answer],
            )
    return response_id


def delete_draft(token_hash: str) -> None:
    """Drop a link's draft."""
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM {} WHERE {} = %s".format(  # noqa: S608
                _q(Draft._meta.db_table), _q("token_hash")
            ),
            [token_hash],
        )


def bulk_store_responses(
    campaign_id: int,
    rows: Iterable[tuple[int, Mapping[str, str], Mapping[str, Mapping[str, Any]]]],
    definitions: Mapping[str, Mapping[str, Any]],
    submitted_on: dt.date,
) -> int:
    """Write many already-checked responses `(unit id, bands, cleaned answers)` with
    `executemany` in batches (call inside a transaction). Returns how many."""
    kinds = item_kinds(definitions)
    vendor = connection.vendor
    response_sql = _insert_sql(Response, RESPONSE_COLUMNS, 1, vendor)
    answer_sql = _insert_sql(Answer, ANSWER_COLUMNS, 1, vendor)
    count = 0
    responses: list[tuple] = []
    answers: list[tuple] = []

    def flush() -> None:
        with connection.cursor() as cursor:
            if responses:
                cursor.executemany(response_sql, responses)
            if answers:
                cursor.executemany(answer_sql, answers)
        responses.clear()
        answers.clear()

    for unit_id, background, cleaned in rows:
        row = _response_row(
            uuid.uuid4(), campaign_id, unit_id, background, submitted_on, uuid.uuid4()
        )
        responses.append(row)
        answers.extend(answer_tuples(row[0], campaign_id, unit_id, cleaned, kinds))
        count += 1
        if len(answers) >= BATCH * 10:
            flush()
    flush()
    return count
