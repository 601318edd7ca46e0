"""Storing a campaign's published result as a snapshot, and reading it back as published.

`publishing.build_published_result` makes the result (participation while the campaign is
open, figures once it has closed, on the setup frozen at launch); this module stores it as one
row per unit, which every output reads and never recomputes, and adds the publication to the
ledger in the same transaction. Asking for a refresh is `refreshing.py`'s.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from tillit.results.disclosure import MESSAGES
from tillit.results.ledger import log_event, record_publication
from tillit.results.models import DisclosureEvent, ResultSnapshot, ResultUnit
from tillit.results.publishing import make_publication
from tillit.results.theming import theme_results
from tillit.surveys.models import Campaign

REASON_THRESHOLD = {
    "campaign_open": "k",
    "below_k": "k",
    "sensitive_below_k": "k_sensitive",
    "dist_below_k_dist": "k_dist",
    "text_below_k_text": "k_text",
    "cell_below_k": "k",
}


def reason_text(code: str, thresholds: dict[str, int], n: int = 0) -> str:
    """The reason for a hidden figure in the active language ("Fewer than 5 answers")."""
    if code not in MESSAGES:
        return ""
    k = thresholds.get(REASON_THRESHOLD.get(code, "k"), thresholds.get("k", 5))
    return str(MESSAGES[code]) % {"k": k, "n": n}


SUMMARY_KEYS = (
    "id",
    "name",
    "parent_id",
    "unit_pk",
    "depth",
    "n_invited",
    "n_responded",
    "n_answered_invited",
    "n_via_code",
    "shown",
    "reason",
    "n_published",
    "excluded_n",
    "indices",
    "trend",
)


UNIT_COLUMNS = (
    "snapshot_id",
    "unit_pk",
    "external_id",
    "parent_external_id",
    "path",
    "depth",
    "position",
    "shown",
    "summary",
    "data",
)


def _insert_units(snapshot_id: int, rows: list[dict[str, Any]]) -> None:
    """Write a snapshot's unit rows: COPY on PostgreSQL, one prepared INSERT run for every row
    on SQLite. Each JSON document is encoded once, here; `bulk_create` had compiled 1,000-row
    INSERTs whose 10,000 placeholders psycopg then parsed without its cache (a second of the
    5,000-unit bench on PostgreSQL)."""
    records = [
        (
            snapshot_id,
            row["unit_pk"],
            row["id"],
            row["parent_id"] or "",
            row["path"],
            row["depth"],
            position,
            row["shown"],
            json.dumps({key: row[key] for key in SUMMARY_KEYS if key in row}),
            json.dumps(row),
        )
        for position, row in enumerate(rows)
    ]
    quote = connection.ops.quote_name
    table, columns = quote(ResultUnit._meta.db_table), ", ".join(map(quote, UNIT_COLUMNS))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with (
                connection.wrap_database_errors,
                cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
            ):
                for record in records:
                    copy.write_row(record)
        else:
            placeholders = ", ".join(["%s"] * len(UNIT_COLUMNS))
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({placeholders})",  # noqa: S608
                records,
            )


@transaction.atomic
def store_snapshot(campaign: Campaign) -> ResultSnapshot:
    """Compute the campaign's published result and replace its stored snapshot; a publication
    that adds answers goes into the ledger with it. Should the answers already published be
    missing (deleted by hand), the earlier publication stands and the audit log says why."""
    snapshot, _created = ResultSnapshot.objects.select_for_update().get_or_create(campaign=campaign)
    if snapshot.ready and snapshot.raw_deleted_at is not None:
        # Retention removed answers this publication was made of: recomputing would publish
        # a different, smaller result (and a difference to subtract). What was published stands.
        return snapshot
    try:
        result, epoch = make_publication(campaign)
    except ValueError as error:
        if not snapshot.ready:
            raise
        log_event(
            campaign,
            DisclosureEvent.Kind.HELD_BACK,
            str(error),
            facts={"reason": "answers_missing"} if "missing" in str(error) else None,
        )
        return snapshot
    if epoch is not None:
        record_publication(campaign, epoch, int(epoch.n_direct.sum()))
    snapshot.units.all().delete()
    units = result.pop("units")
    _insert_units(snapshot.pk, units)
    snapshot.data = result
    snapshot.computed_at = timezone.now()
    snapshot.save(update_fields=["data", "computed_at"])
    if any(row.get("comments") for row in units):
        # Themes are made from what was just published, in a task of their own.
        transaction.on_commit(lambda: theme_results.enqueue(campaign.pk))
    return snapshot


def published_json(snapshot: ResultSnapshot, unit_pks: set[int] | None = None) -> dict[str, Any]:
    """The published result as stored, for all units or only `unit_pks`; hidden units carry
    their reason's text in the active language. What every output writes."""
    data = dict(snapshot.data)
    thresholds = data.get("thresholds", {})
    units = []
    for row in snapshot.units.all():
        if unit_pks is not None and row.unit_pk not in unit_pks:
            continue
        unit = dict(row.data)
        if not unit["shown"]:
            unit["reason_text"] = reason_text(unit["reason"], thresholds)
        elif unit.get("excluded_n"):
            unit["excluded_text"] = reason_text("answers_excluded", thresholds, unit["excluded_n"])
        units.append(unit)
    data["units"] = units
    if unit_pks is not None and "themes" in data:
        # A reader of some units gets the themes of their comments, not the organisation's totals.
        present = {theme["id"] for unit in units for theme in unit.get("themes") or []}
        data["themes"] = [
            {key: value for key, value in theme.items() if key != "count"}
            for theme in data["themes"]
            if theme["id"] in present
        ]
    return data
