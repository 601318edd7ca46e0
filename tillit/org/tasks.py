"""Background tasks of the org app (django-tasks; the worker is `tillit db_worker`)."""

import datetime as dt

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from tillit.org.import_jobs import process_job
from tillit.org.models import ImportJob

PREVIEW_KEPT = dt.timedelta(days=1)


@task(queue_name="imports")
def run_import_job(job_id: int) -> str:
    """Check and apply an uploaded import; its errors are written in the uploader's language."""
    job = ImportJob.objects.select_related("organisation", "created_by").get(pk=job_id)
    if job.finished:
        return job.status  # a retried task must not import twice
    user = job.created_by
    language = (user and user.language) or job.organisation.language or settings.LANGUAGE_CODE
    with translation.override(language):
        process_job(job)
    return job.status


def sweep_import_jobs(live: set[int], before: dt.datetime) -> int:
    """Fail import jobs whose task is gone (its worker died); clear finished jobs' files.

    A job still queued or running, created before `before`, without a live task would say
    "Importing" for ever. Nothing of it was written: the import applies in one transaction.
    """
    unfinished = [ImportJob.Status.QUEUED, ImportJob.Status.RUNNING]
    ended = 0
    cut_off = (
        ImportJob.objects.filter(status__in=unfinished, created_at__lt=before)
        .exclude(pk__in=live)
        .select_related("created_by", "organisation")
    )
    for job in cut_off:
        user = job.created_by
        language = (user and user.language) or job.organisation.language or settings.LANGUAGE_CODE
        with translation.override(language):
            message = _(
                "The import stopped before it finished, because the background worker running "
                "it stopped. Nothing was imported: upload the file again."
            )
        ended += ImportJob.objects.filter(pk=job.pk, status__in=unfinished).update(
            status=ImportJob.Status.FAILED,
            errors=[{"row": 0, "column": "", "message": message}],
            content=None,
            finished_at=timezone.now(),
        )
    # A preview or column mapping nobody came back to within a day: give the file up.
    waiting = [ImportJob.Status.MAPPING, ImportJob.Status.PREVIEW]
    for job in ImportJob.objects.filter(
        status__in=waiting, created_at__lt=timezone.now() - PREVIEW_KEPT
    ).select_related("created_by", "organisation"):
        user = job.created_by
        language = (user and user.language) or job.organisation.language or settings.LANGUAGE_CODE
        with translation.override(language):
            message = _(
                "Nobody applied this import within a day, so the file was deleted. Nothing "
                "was imported: upload the file again."
            )
        ImportJob.objects.filter(pk=job.pk, status__in=waiting).update(
            status=ImportJob.Status.FAILED,
            errors=[{"row": 0, "column": "", "message": message}],
            content=None,
            finished_at=timezone.now(),
        )
    # Personal data: a finished job never needs its file again.
    ImportJob.objects.exclude(status__in=unfinished + waiting).filter(content__isnull=False).update(
        content=None
    )
    return ended
