"""The report batches' background task (django-tasks; the worker is `tillit db_worker`); the
snapshot's refresh task lives with the refreshing in `refreshing.py`."""

from django_tasks import task


@task(queue_name="reports")
def build_report_batch(batch_id: int) -> str:
    """Render every unit's PDF of a batch into one ZIP, counting progress as it goes."""
    from tillit.results.exports import run_batch

    return run_batch(batch_id)
