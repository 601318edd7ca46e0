"""Work cut off by a dead worker: tasks and jobs are ended with a message, uploads deleted."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tillit.core import jobs
from tillit.core.models import WorkerHeartbeat
from tillit.org.models import ImportJob
from tillit.org.tasks import run_import_job
from tillit.results.refreshing import refresh_snapshot
from tillit.results.tasks import build_report_batch

DATABASE_QUEUE = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "imports", "reports"],
    }
}


@pytest.fixture
def database_queue(settings):
    settings.TASKS = DATABASE_QUEUE


def long_ago(minutes: int = 10) -> dt.datetime:
    return timezone.now() - dt.timedelta(minutes=minutes)


def running_import(org, worker_id: str) -> ImportJob:
    """An import job whose task a worker claimed ten minutes ago."""
    job = ImportJob.objects.create(
        organisation=org,
        kind=ImportJob.Kind.PEOPLE,
        filename="people.csv",
        content=b"email,unit_id,name\n",
        status=ImportJob.Status.RUNNING,
        created_at=long_ago(),
    )
    result = run_import_job.enqueue(job.pk)
    task = DBTaskResult.objects.get(pk=result.id)
    task.claim(worker_id)
    DBTaskResult.objects.filter(pk=task.pk).update(started_at=long_ago())
    return job


def test_a_job_whose_worker_died_is_failed_with_a_message(org, database_queue):
    org.language = "en"  # the message is written in the uploader's or organisation's language
    org.save(update_fields=["language"])
    job = running_import(org, "dead-worker")
    ended = jobs.sweep()
    assert ended == {"tasks": 1, "jobs": 1}
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert job.content is None  # personal data gone with the job
    assert "worker" in job.errors[0]["message"]
    task = DBTaskResult.objects.get(task_path="tillit.org.tasks.run_import_job")
    assert task.status == "FAILED"
    assert "WorkerDied" in task.exception_class_path


def test_a_job_of_a_live_worker_is_left_alone(org, database_queue):
    WorkerHeartbeat.objects.create(worker_id="alive", queues="imports", host="h", pid=1)
    job = running_import(org, "alive")
    assert jobs.sweep() == {"tasks": 0, "jobs": 0}
    job.refresh_from_db()
    assert job.status == ImportJob.Status.RUNNING
    assert job.content is not None


def test_the_sweep_deletes_finished_jobs_uploads(org, database_queue):
    job = ImportJob.objects.create(
        organisation=org,
        kind=ImportJob.Kind.UNITS,
        filename="units.csv",
        content=b"unit_id,parent_id,name\n",
        status=ImportJob.Status.FAILED,
    )
    jobs.sweep()
    job.refresh_from_db()
    assert job.content is None


def test_the_cleanup_command_sweeps(org, database_queue):
    job = running_import(org, "dead-worker")
    call_command("cleanup", verbosity=0)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED


@pytest.mark.django_db(transaction=True)
def test_short_work_has_its_own_queue_and_worker(database_queue):
    """A report batch waiting in its queue does not hold up a results refresh.

    Transactional: the worker closes connections in a transaction, as a worker should.
    """
    assert build_report_batch.queue_name == "reports"
    assert run_import_job.queue_name == "imports"
    assert refresh_snapshot.queue_name == "default"
    batch = build_report_batch.enqueue(999_999)
    refresh = refresh_snapshot.enqueue(999_999)  # a campaign that is gone: returns "gone"
    call_command(
        "worker", queue_name="default", batch=True, reload=False, startup_delay=False, verbosity=0
    )
    assert DBTaskResult.objects.get(pk=refresh.id).status == "SUCCESSFUL"
    assert DBTaskResult.objects.get(pk=batch.id).status == "READY"
    assert WorkerHeartbeat.objects.exists()  # the worker reported that it was alive
