"""Storing a campaign's published result as a snapshot, and asking for it to be refreshed.

`publishing.build_published_result` makes the result (participation while the campaign is
open, figures once it has closed, on the setup frozen at launch); this module stores it as one
row per unit, which every output reads and never recomputes, and adds the publication to the
ledger in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from tillit.results.disclosure import MESSAGES
from tillit.results.ledger import log_event, record_publication
from tillit.results.models import DisclosureEvent, ResultSnapshot, ResultUnit
from tillit.results.publishing import make_publication
from tillit.surveys.models import Campaign, CampaignInstrument

STALE_AFTER = dt.timedelta(minutes=10)
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
    "n_personal",
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
    try:
        result, epoch = make_publication(campaign)
    except ValueError as error:
        if not snapshot.ready:
            raise
        log_event(campaign, DisclosureEvent.Kind.HELD_BACK, str(error))
        return snapshot
    if epoch is not None:
        record_publication(campaign, epoch, int(epoch.n_direct.sum()))
    snapshot.units.all().delete()
    _insert_units(snapshot.pk, result.pop("units"))
    snapshot.data = result
    snapshot.computed_at = timezone.now()
    snapshot.save(update_fields=["data", "computed_at"])
    return snapshot


def get_snapshot(campaign: Campaign) -> ResultSnapshot:
    """The campaign's stored snapshot; built now when there is none yet. An open campaign's
    snapshot older than STALE_AFTER also asks for a background refresh (a safety net beside
    the refresh that submitting answers asks for)."""
    snapshot = ResultSnapshot.objects.filter(campaign=campaign).first()
    if snapshot is None or not snapshot.ready:
        return store_snapshot(campaign)
    if (
        campaign.status == Campaign.Status.OPEN
        and snapshot.refresh_queued_at is None
        and snapshot.computed_at < timezone.now() - STALE_AFTER
    ):
        refresh_results(campaign.pk)
    return snapshot


# When this process last asked for a refresh because answers arrived, per campaign.
_ASKED: dict[int, float] = {}
ASK_EVERY = 5.0  # seconds


def answers_arrived(campaign_id: int) -> bool:
    """`refresh_results` for the stream of answers of an open campaign: at most once per
    ASK_EVERY seconds per process, since each ask costs a write on the submit's hot path and a
    refresh reads all answers anyway. An answer that arrives after the last refresh started
    and asks nothing is picked up by the next ask, by closing the campaign, or by
    `get_snapshot`'s staleness check."""
    now = time.monotonic()
    if now - _ASKED.get(campaign_id, -ASK_EVERY) < ASK_EVERY:
        return False
    _ASKED[campaign_id] = now
    return refresh_results(campaign_id)


def refresh_results(campaign_id: int) -> bool:
    """Ask for the campaign's snapshot to be recomputed in the background (debounced).

    Call when a campaign closes and after answers arrive. Enqueues a task only when none is
    waiting for this campaign; returns True when it did.
    """
    from tillit.results.tasks import refresh_snapshot

    # While a refresh waits (the common case under a stream of answers) this is one UPDATE
    # that matches nothing and one existence check.
    waiting = ResultSnapshot.objects.filter(campaign_id=campaign_id, refresh_queued_at__isnull=True)
    claimed = waiting.update(refresh_queued_at=timezone.now())
    if not claimed and not ResultSnapshot.objects.filter(campaign_id=campaign_id).exists():
        ResultSnapshot.objects.get_or_create(campaign_id=campaign_id)
        claimed = waiting.update(refresh_queued_at=timezone.now())
    if claimed:
        transaction.on_commit(lambda: refresh_snapshot.enqueue(campaign_id))
    return bool(claimed)


def refresh_comparisons(campaign_id: int) -> int:
    """Ask for a refresh of the later campaigns that may compare with this one (the same
    organisation, an instrument in common): importing last year's answers after this year's
    results were published must give this year its trend. Returns how many were asked."""
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is None:
        return 0
    instruments = CampaignInstrument.objects.filter(campaign=campaign).values(
        "version__instrument_id"
    )
    later = (
        Campaign.objects.filter(
            organisation_id=campaign.organisation_id,
            opens_on__gt=campaign.opens_on,
            campaign_instruments__version__instrument_id__in=instruments,
        )
        .exclude(status=Campaign.Status.DRAFT)
        .values_list("pk", flat=True)
        .distinct()
    )
    return sum(refresh_results(pk) for pk in later)


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
    return data
