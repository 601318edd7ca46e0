"""Background tasks of the org app (django-tasks; the worker is `tillit db_worker`)."""

from django.conf import settings
from django.utils import translation
from django_tasks import task

from tillit.org.importing import process_job
from tillit.org.models import ImportJob


@task()
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
