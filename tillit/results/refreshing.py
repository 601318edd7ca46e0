"""Asking for a campaign's stored result to be refreshed, and the task that refreshes it.

Answers arriving (debounced per process), a campaign closed, reopened or imported, an open
campaign's snapshot grown stale: each asks for one refresh in the background, and at most one
waits per campaign. Pages read the stored snapshot through `get_snapshot`.
"""

from __future__ import annotations

import datetime as dt
import time

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from tillit.results.models import ResultSnapshot
from tillit.results.snapshot import store_snapshot
from tillit.surveys.models import Campaign, CampaignInstrument

STALE_AFTER = dt.timedelta(minutes=10)


def get_snapshot(campaign: Campaign) -> ResultSnapshot:
    """The campaign's stored snapshot; built now when there is none yet. An open campaign's
    snapshot older than STALE_AFTER also asks for a background refresh (a safety net beside
    the refresh that submitting answers asks for)."""
    snapshot = ResultSnapshot.objects.filter(campaign=campaign).first()
    if snapshot is None or not snapshot.ready:
        return publish_with_earlier(campaign)
    if (
        campaign.status == Campaign.Status.OPEN
        and snapshot.refresh_queued_at is None
        and snapshot.computed_at < timezone.now() - STALE_AFTER
    ):
        refresh_results(campaign.pk)
    return snapshot


def publish_with_earlier(campaign: Campaign) -> ResultSnapshot:
    """`store_snapshot`, after storing the earlier closed campaigns it may compare with that
    were never published (a trend reads their stored publication, never recomputes one)."""
    instruments = CampaignInstrument.objects.filter(campaign=campaign).values(
        "version__instrument_id"
    )
    earlier = (
        Campaign.objects.filter(
            organisation_id=campaign.organisation_id,
            opens_on__lt=campaign.opens_on,
            status=Campaign.Status.CLOSED,
            campaign_instruments__version__instrument_id__in=instruments,
        )
        .exclude(snapshot__computed_at__isnull=False)
        .distinct()
        .order_by("opens_on", "pk")
    )
    for older in earlier:
        store_snapshot(older)
    return store_snapshot(campaign)


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


@task(queue_name="default")
def refresh_snapshot(campaign_id: int) -> str:
    """Recompute a campaign's published result (answers arrived, or the campaign closed)."""
    # Cleared first: answers arriving while this runs ask for one more refresh.
    ResultSnapshot.objects.filter(campaign_id=campaign_id).update(refresh_queued_at=None)
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is None:
        return "gone"
    publish_with_earlier(campaign)
    return "done"
