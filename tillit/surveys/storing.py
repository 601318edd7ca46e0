"""The statements of the answering hot path, and bulk writing of many responses.

The submit is the one hot write path of Tillit (a whole organisation answers in a few days,
often right after the invitation mail), and on SQLite its transaction holds the database, so
the link's lookup and the four statements of the write are plain parameterised SQL rather than
ORM calls (measured with bench/submit.py: compiling the ORM's four-table select_related took
longer than the whole write). Table and column names come from the models' metadata; every
value goes in as a parameter and comes back through the fields' own converters, so the same
code runs on SQLite and PostgreSQL. The statements run on the driver's own cursor (see `_run`).

Nothing written here on the response's side carries the submission order or a value of the
link's side: responses get a UUID and, on SQLite, a random rowid (the table's hidden one would
count up); answers a random 63-bit id; the idempotency key goes onto the invitation, in the
statement that claims the link. A random id that happens to be taken already fails its
uniqueness, and the write is tried again with fresh ids (`_with_fresh_ids`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from contextlib import nullcontext
from functools import cache
from typing import Any

from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.db.models.base import ModelState

from tillit.instruments.definition import item_by_id
from tillit.org.models import Organisation
from tillit.surveys.models import (
    Answer,
    Campaign,
    Draft,
    Invitation,
    ReminderLink,
    Response,
    random_answer_ids,
    random_ids,
)

ANSWER_COLUMNS = (
    "id",
    "response",
    "campaign",
    "unit",
    "instrument",
    "item_id",
    "value",
    "choice",
    "text",
)
RESPONSE_COLUMNS = ("id", "campaign", "unit", "background", "submitted_on")
BATCH = 2000
# How often a write whose random id was taken is tried again with fresh ids. At 10**8 answers
# a new id is taken with a chance of about 1 in 10**11, so a second try is already rare.
ID_TRIES = 4


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _placeholders(sql: str, vendor: str) -> str:
    """The driver's placeholder style: sqlite3 takes `?`, psycopg `%s`."""
    return sql.replace("%s", "?") if vendor == "sqlite" else sql


def _run(db, sql: str, params, *, many: bool = False):
    """Execute on the driver's cursor and return it; errors come as Django's (IntegrityError …).

    Django's cursor wrapper rewrote every statement's placeholders with a regex and went through
    its debug and wrapper hooks: on this path that cost more than running the statement. So these
    statements do not show in Django's query log (`connection.queries`, `assertNumQueries`).
    """
    db.ensure_connection()
    with db.wrap_database_errors:
        if db.vendor == "postgresql":
            # Server-side binding (Django's cursors bind on the client) and prepared: Django
            # turns psycopg's automatic preparing off (for connection poolers), and planning
            # the link's join and the write cost the server more than running them – 0.43 of
            # 0.77 ms per submit (pg_stat_statements under bench/submit.py's load).
            from psycopg import Cursor

            cursor = Cursor(db.connection)
            if many:
                cursor.executemany(sql, params)
            else:
                cursor.execute(sql, params, prepare=True)
            return cursor
        cursor = db.connection.cursor()
        if many:
            cursor.executemany(sql, params)
        else:
            cursor.execute(sql, params)
        return cursor


@cache
def _columns(model, names: tuple[str, ...]) -> tuple:
    # Cached: `_response_row` asks for every response, 100,000 times in an import.
    return tuple(model._meta.get_field(name) for name in names)


@cache
def _insert_sql(model, names: tuple[str, ...], rows: int, vendor: str) -> str:
    fields = _columns(model, names)
    columns = [_q(f.column) for f in fields]
    if model is Response and vendor == "sqlite":
        # A UUID primary key leaves SQLite's hidden rowid, which counts up in insertion order:
        # it is written, at random, as the row's first value (`_response_row`).
        columns.insert(0, "rowid")
    one = "({})".format(", ".join(["%s"] * len(columns)))
    sql = "INSERT INTO {} ({}) VALUES {}".format(  # noqa: S608 – names from the model
        _q(model._meta.db_table), ", ".join(columns), ", ".join([one] * rows)
    )
    return _placeholders(sql, vendor)


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
    """Rows for the answer table (ANSWER_COLUMNS), with random ids (`random_answer_ids`): numbers in
    `value`, choices in `choice` (one row per chosen value), free text in `text`."""
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
    return [(pk, *row) for pk, row in zip(random_answer_ids(len(rows)), rows, strict=True)]


# The link lookup: the invitation with its campaign, the campaign's organisation and the draft
# (if any) in one query, as `select_related("campaign__organisation", "draft")` would read it.
_LINK_MODELS = (Invitation, Campaign, Organisation, Draft)
# Of the organisation, only what the answering pages show: its settings (a report logo among
# them) are no business of the hot path. Any other field loads on first use, as deferred.
_ORGANISATION_FIELDS = ("id", "slug", "name", "language", "country")


def _link_fields(model) -> list:
    fields = model._meta.concrete_fields
    if model is Organisation:
        return [f for f in fields if f.name in _ORGANISATION_FIELDS]
    return list(fields)


@cache
def _link_sql(vendor: str) -> str:
    inv, camp, org, draft = (
        f"{_q(m._meta.db_table)} {alias}" for m, alias in zip(_LINK_MODELS, "icod", strict=True)
    )
    select = ", ".join(
        f"{alias}.{_q(f.column)}"
        for alias, model in zip("icod", _LINK_MODELS, strict=True)
        for f in _link_fields(model)
    )
    sql = (
        f"SELECT {select} FROM {inv} "  # noqa: S608 – names from the models
        f"JOIN {camp} ON c.{_q('id')} = i.{_q('campaign_id')} "
        f"JOIN {org} ON o.{_q('id')} = c.{_q('organisation_id')} "
        f"LEFT JOIN {draft} ON d.{_q('token_hash')} = i.{_q('token_hash')} "
        f"WHERE i.{_q('token_hash')} = %s"
    )
    return _placeholders(sql, vendor)


@cache
def _reminder_sql(vendor: str) -> str:
    inv, link = _q(Invitation._meta.db_table), _q(ReminderLink._meta.db_table)
    sql = (
        f"SELECT i.{_q('token_hash')} FROM {link} r "  # noqa: S608 – names from the models
        f"JOIN {inv} i ON i.{_q('id')} = r.{_q('invitation_id')} WHERE r.{_q('token_hash')} = %s"
    )
    return _placeholders(sql, vendor)


@cache
def _link_readers(vendor: str) -> tuple[tuple, ...]:
    """Per model of the link lookup: (model, row slice, attnames, [(position, converters)])."""
    readers, start = [], 0
    for model in _LINK_MODELS:
        fields = _link_fields(model)
        converters = []
        for i, field in enumerate(fields):
            col = field.get_col(model._meta.db_table)
            found = connection.ops.get_db_converters(col) + field.get_db_converters(connection)
            if found:
                converters.append((i, [(fn, col) for fn in found]))
        span = slice(start, start + len(fields))
        readers.append((model, span, [f.attname for f in fields], converters))
        start += len(fields)
    return tuple(readers)


def _loaded(model, alias: str, attnames: list[str], values: list):
    """`model.from_db(alias, attnames, values)` without `Model.__init__`, which set the fields
    one by one through their descriptors: building the link's four instances so took longer
    than its query (bench/_submit_profile.py). None of these models has init signals or an
    `__init__` of its own; a field left out (the organisation's) loads on first use, as a
    deferred one does."""
    instance = model.__new__(model)
    instance.__dict__.update(zip(attnames, values, strict=True))
    state = instance._state = ModelState()
    state.adding = False
    state.db = alias
    return instance


def read_link(token_hash: str) -> Invitation | None:
    """The invitation whose first or reminder link hashes to this, with campaign,
    organisation and draft loaded (the draft cached as None when there is none)."""
    db = connections[DEFAULT_DB_ALIAS]  # once: each use of the `connection` proxy costs
    vendor = db.vendor
    row = _run(db, _link_sql(vendor), [token_hash]).fetchone()
    if row is None:  # a reminder's link, then: found through its invitation's first link
        first = _run(db, _reminder_sql(vendor), [token_hash]).fetchone()
        if first is None:
            return None
        row = _run(db, _link_sql(vendor), [first[0]]).fetchone()
    parts = []
    for model, span, attnames, converters in _link_readers(vendor):
        values = list(row[span])
        if model is Draft and values[0] is None:
            parts.append(None)  # no draft: the LEFT JOIN gave NULLs
            continue
        for i, chain in converters:
            value = values[i]
            for fn, col in chain:
                value = fn(value, col, db)
            values[i] = value
        parts.append(_loaded(model, db.alias, attnames, values))
    invitation, campaign, organisation, draft = parts
    Campaign.organisation.field.set_cached_value(campaign, organisation)
    Invitation.campaign.field.set_cached_value(invitation, campaign)
    Invitation.draft.related.set_cached_value(invitation, draft)
    if draft is not None:
        Draft.invitation.field.set_cached_value(draft, invitation)
    return invitation


def _response_row(
    campaign_id: int,
    unit_id: int,
    background: Mapping[str, str],
    submitted_on: dt.date,
    db,
) -> tuple:
    """A response's values for its INSERT, with a fresh random id (UUID) and, on SQLite, a
    random rowid in front; the id is `row[-5]` either way."""
    fields = _columns(Response, RESPONSE_COLUMNS)
    values = (uuid.uuid4(), campaign_id, unit_id, dict(background), submitted_on)
    row = tuple(f.get_db_prep_save(v, db) for f, v in zip(fields, values, strict=True))
    return (*random_ids(1), *row) if db.vendor == "sqlite" else row


def _with_fresh_ids(write):
    """Run `write()` (which draws its own random ids) again when an id was taken.

    Only the random ids can be taken (responses and answers have no other unique value), and
    the failed write has left nothing behind, so a retry with new ids is the whole remedy.
    """
    for attempt in range(ID_TRIES):
        try:
            return write()
        except IntegrityError:
            if attempt == ID_TRIES - 1:
                raise


@cache
def _claim_sql(vendor: str) -> str:
    sql = "UPDATE {} SET {} = %s, {} = %s WHERE {} = %s AND {} = %s".format(  # noqa: S608
        _q(Invitation._meta.db_table),
        _q("responded"),
        _q("idempotency_key"),
        _q("id"),
        _q("responded"),
    )
    return _placeholders(sql, vendor)


@cache
def _delete_draft_sql(vendor: str) -> str:
    sql = "DELETE FROM {} WHERE {} = %s".format(  # noqa: S608
        _q(Draft._meta.db_table), _q("token_hash")
    )
    return _placeholders(sql, vendor)


@cache
def _store_sql_postgresql() -> str:
    """The whole write as one statement of data-modifying WITH parts (PostgreSQL runs each
    exactly once, in one snapshot): each later part acts only when `claimed` matched."""
    inv, resp, ans, draft = (_q(m._meta.db_table) for m in (Invitation, Response, Answer, Draft))
    response_columns = ", ".join(_q(f.column) for f in _columns(Response, RESPONSE_COLUMNS))
    answer_columns = ", ".join(_q(f.column) for f in _columns(Answer, ANSWER_COLUMNS))
    responded, pk = _q("responded"), _q("id")
    return (
        f"WITH claimed AS ("  # noqa: S608 – names from the models
        f"UPDATE {inv} SET {responded} = true, {_q('idempotency_key')} = %s "
        f"WHERE {pk} = %s AND NOT {responded} RETURNING {pk}), "
        f"response AS (INSERT INTO {resp} ({response_columns}) "
        f"SELECT %s, %s, %s, %s, %s FROM claimed RETURNING {pk}), "
        f"answers AS (INSERT INTO {ans} ({answer_columns}) "
        f"SELECT a.id, response.{pk}, %s, %s, a.instrument, a.item_id, a.value, a.choice, "
        f"a.text FROM response, unnest(%s::int8[], %s::text[], %s::text[], %s::float8[], "
        f"%s::text[], %s::text[]) AS a(id, instrument, item_id, value, choice, text)), "
        f"dropped AS (DELETE FROM {draft} WHERE {_q('token_hash')} = %s "
        f"AND EXISTS (SELECT FROM claimed)) "
        f"SELECT count(*) FROM claimed"
    )


def store_response(
    *,
    invitation_id: int,
    token_hash: str,
    campaign_id: int,
    unit_id: int,
    background: Mapping[str, str],
    submitted_on: dt.date,
    key: uuid.UUID,
    cleaned: Mapping[str, Mapping[str, Any]],
    definitions: Mapping[str, Mapping[str, Any]],
) -> bool:
    """Claim an unused link (writing the idempotency key onto it), store its response (random
    ids) with the answers and drop the draft, all or nothing; False, with nothing written, when
    the link was used already.

    A second submit for the same link waits for the first one's row lock, then finds the link
    used. SQLite runs four statements in one IMMEDIATE transaction; PostgreSQL one statement,
    because each round trip to its server process cost more than the statement's work
    (bench/submit.py).
    """
    db = connections[DEFAULT_DB_ALIAS]
    vendor = db.vendor
    kinds = item_kinds(definitions)
    key_value = Invitation._meta.get_field("idempotency_key").get_db_prep_save(key, db)

    def write() -> bool:
        row = _response_row(campaign_id, unit_id, background, submitted_on, db)
        answers = answer_tuples(row[-5], campaign_id, unit_id, cleaned, kinds)
        if vendor == "postgresql":
            columns = list(zip(*answers, strict=True)) or [()] * len(ANSWER_COLUMNS)
            params = [
                key_value,
                invitation_id,
                *row,
                campaign_id,
                unit_id,
                list(columns[0]),  # the answers' ids
                *(list(values) for values in columns[4:]),  # instrument … text
                token_hash,
            ]
            # Inside a caller's transaction, a savepoint keeps a taken id from breaking it.
            with transaction.atomic() if db.in_atomic_block else nullcontext():
                return _run(db, _store_sql_postgresql(), params).fetchone()[0] == 1
        with transaction.atomic():
            # The UPDATE only an unused link matches; on SQLite the IMMEDIATE transaction has
            # already queued other writers, so a second submit for this link waits, then
            # matches nothing. Should anything below fail, the rollback gives the link back.
            claim = [True, key_value, invitation_id, False]
            if _run(db, _claim_sql(vendor), claim).rowcount != 1:
                return False
            _run(db, _insert_sql(Response, RESPONSE_COLUMNS, 1, vendor), row)
            if answers:
                _run(
                    db,
                    _insert_sql(Answer, ANSWER_COLUMNS, len(answers), vendor),
                    [value for answer in answers for value in answer],
                )
            _run(db, _delete_draft_sql(vendor), [token_hash])
        return True

    return _with_fresh_ids(write)


def restamp_claimed_links(campaign_id: int) -> int:
    """On PostgreSQL, rewrite the campaign's answered links in this transaction; the count.

    The claim of a link and its response are written by one transaction, so the invitation's
    row version carried the response's transaction id (`xmin`): joining the two on it named the
    respondent. Rewritten here (at close), every answered link carries this transaction's id
    instead; the old versions are gone from the data files once (auto)vacuum has passed. What
    remains (heap order, backups taken before) is docs/anonymity.md's to state. SQLite keeps no
    such ids, so there it does nothing.
    """
    if connection.vendor != "postgresql":
        return 0
    return Invitation.objects.filter(campaign_id=campaign_id, responded=True).update(responded=True)


def bulk_store_responses(
    campaign_id: int,
    rows: Iterable[tuple[int, Mapping[str, str], Mapping[str, Mapping[str, Any]]]],
    definitions: Mapping[str, Mapping[str, Any]],
    submitted_on: dt.date,
) -> int:
    """Write many already-checked responses `(unit id, bands, cleaned answers)` with
    `executemany` in batches (call inside a transaction), with random ids as `store_response`
    writes them. Returns how many."""
    kinds = item_kinds(definitions)
    db = connections[DEFAULT_DB_ALIAS]
    vendor = db.vendor
    response_sql = _insert_sql(Response, RESPONSE_COLUMNS, 1, vendor)
    answer_sql = _insert_sql(Answer, ANSWER_COLUMNS, 1, vendor)
    count = 0
    batch: list[tuple[int, Mapping[str, str], Mapping[str, Mapping[str, Any]]]] = []
    answers_in_batch = 0

    def write() -> None:
        # Rows are built here, not kept, so that a retry draws all of the batch's ids anew.
        responses: list[tuple] = []
        answers: list[tuple] = []
        for unit_id, background, cleaned in batch:
            row = _response_row(campaign_id, unit_id, background, submitted_on, db)
            responses.append(row)
            answers.extend(answer_tuples(row[-5], campaign_id, unit_id, cleaned, kinds))
        # A savepoint per batch, so that a taken id undoes this batch only.
        with transaction.atomic():
            if responses:
                _run(db, response_sql, responses, many=True)
            if answers:
                _run(db, answer_sql, answers, many=True)

    for response in rows:
        batch.append(response)
        answers_in_batch += sum(len(given) for given in response[2].values())
        count += 1
        if answers_in_batch >= BATCH * 10:
            _with_fresh_ids(write)
            batch.clear()
            answers_in_batch = 0
    if batch:
        _with_fresh_ids(write)
    return count
