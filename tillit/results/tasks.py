"""Background tasks of the results app (django-tasks; the worker is `tillit db_worker`)."""

from django_tasks import task

from tillit.results.models import ResultSnapshot
from tillit.surveys.models import Campaign


@task(queue_name="default")
def refresh_snapshot(campaign_id: int) -> str:
    """Recompute a campaign's published result (answers arrived, or the campaign closed)."""
    from tillit.results.snapshot import store_snapshot

    # Cleared first: answers arriving while this runs ask for one more refresh.
    ResultSnapshot.objects.filter(campaign_id=campaign_id).update(refresh_queued_at=None)
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is None:
        return "gone"
    store_snapshot(campaign)
    return "done"


@task(queue_name="reports")
def build_report_batch(batch_id: int) -> str:
    """Render every unit's PDF of a batch into one ZIP, counting progress as it goes."""
    from tillit.results.exports import run_batch

    return run_batch(batch_id)
