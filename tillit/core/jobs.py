"""Background jobs that outlive their worker: heartbeats, the sweep that ends them, clean-up.

A task worker (`tillit worker`) writes a heartbeat every few seconds. A task still "running"
whose worker has stopped beating was cut off – the process was killed, ran out of memory or
the machine went down – and nothing else would ever finish it: the sweep marks the task
failed and asks each app (its registered sweeper) to end its own job with a message and to
delete uploaded content (personal data) that a finished job no longer needs. Every worker
sweeps once a minute; `tillit cleanup` does the same from cron.
"""

import datetime as dt
import logging
import os
import socket
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tillit.core.models import WorkerHeartbeat

logger = logging.getLogger(__name__)

# A worker beats this often; one silent for settings.WORKER_STALE_SECONDS is taken for dead.
HEARTBEAT_EVERY = 5.0
# A job with no task at all (enqueueing failed) is given up after this long.
ORPHAN_AFTER = dt.timedelta(minutes=2)

Sweeper = Callable[[set[int], dt.datetime], int]
_sweepers: dict[str, Sweeper] = {}


class WorkerDied(Exception):
    """The task's worker stopped while running it."""


def register_sweeper(task_path: str, sweeper: Sweeper) -> None:
    """Register how an app ends the jobs of one task.

    The sweeper gets the ids of the jobs that still have a live task (queued, or running
    on a live worker) and the cut-off time, ends every other unfinished job of its kind
    created before that time, and clears finished jobs' content; it returns how many it ended.
    """
    _sweepers[task_path] = sweeper


Periodic = Callable[[], object]
_periodic: dict[str, Periodic] = {}


def register_periodic(name: str, work: Periodic) -> None:
    """Register work every task worker runs on its periodic tick (once a minute).

    Every worker ticks, so the work must be idempotent and claim what it does in the database
    (a conditional UPDATE) before doing it: two workers ticking at once must not do it twice.
    """
    _periodic[name] = work


def tick() -> dict[str, object]:
    """Run every registered periodic work; one that fails is logged and the rest still run."""
    done = {}
    for name, work in _periodic.items():
        try:
            done[name] = work()
        except Exception:  # one app's failure must not stop another's schedule
            logger.exception("Periodic work %s failed", name)
    return done


def beat(worker_id: str, queues: list[str]) -> None:
    """Record that this worker is alive."""
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "queues": ",".join(queues)[:200],
            "host": socket.gethostname()[:200],
            "pid": os.getpid(),
            "seen_at": timezone.now(),
        },
    )


def live_workers(now: dt.datetime | None = None) -> set[str]:
    """Ids of the workers that beat recently."""
    now = now or timezone.now()
    return set(
        WorkerHeartbeat.objects.filter(seen_at__gt=now - stale_after()).values_list(
            "worker_id", flat=True
        )
    )


def _uses_database_queue() -> bool:
    from django_tasks_db import DatabaseBackend
    from django_tasks_db.compat import DEFAULT_TASK_BACKEND_ALIAS, task_backends

    return isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend)


def stale_after() -> dt.timedelta:
    """How long a worker may be silent before it is taken for dead.

    Generous: on SQLite a large import's transaction holds the write lock, and the heartbeat
    of a live worker waits behind it.
    """
    return dt.timedelta(seconds=settings.WORKER_STALE_SECONDS)


def fail_dead_tasks(now: dt.datetime | None = None) -> int:
    """Mark failed every running task whose worker stopped beating; how many."""
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    alive = live_workers(now)
    dead = 0
    for result in DBTaskResult.objects.running().filter(started_at__lt=now - stale_after()):
        if result.worker_ids and result.worker_ids[-1] in alive:
            continue
        with transaction.atomic():
            claimed = DBTaskResult.objects.running().filter(pk=result.pk).update(status="FAILED")
            if claimed:  # only one sweeping worker records it
                result.set_failed(WorkerDied(f"worker {result.worker_ids[-1:]} stopped"))
                dead += 1
    return dead


def sweep(now: dt.datetime | None = None) -> dict[str, int]:
    """End tasks and jobs cut off by a dead worker and clear finished uploads."""
    now = now or timezone.now()
    done = {"tasks": 0, "jobs": 0}
    if not _uses_database_queue():
        return done  # without the database queue nothing here can tell a task is alive
    from django_tasks_db.models import DBTaskResult

    done["tasks"] = fail_dead_tasks(now)
    for task_path, sweeper in _sweepers.items():
        pending = DBTaskResult.objects.filter(
            task_path=task_path, status__in=["READY", "RUNNING"]
        ).values_list("args_kwargs", flat=True)
        live = {int(a["args"][0]) for a in pending if a.get("args")}
        done["jobs"] += sweeper(live, now - ORPHAN_AFTER)
    WorkerHeartbeat.objects.filter(seen_at__lt=now - dt.timedelta(days=1)).delete()
    return done


def worker_seen_within(seconds: float) -> bool:
    """True when some task worker beat within `seconds` (for `/health`)."""
    since = timezone.now() - dt.timedelta(seconds=seconds)
    return WorkerHeartbeat.objects.filter(seen_at__gt=since).exists()


def heartbeat_required() -> bool:
    """Whether `/health` should demand a live worker (not with an in-process task backend)."""
    return _uses_database_queue()


def sweep_report_batches(live: set[int], before: dt.datetime) -> int:
    """Fail report batches whose task is gone (its worker died), in the batch's language."""
    from django.apps import apps
    from django.utils import translation
    from django.utils.translation import gettext as _

    batch_model = apps.get_model("results", "ReportBatch")
    unfinished = ["queued", "running"]
    ended = 0
    cut_off = batch_model.objects.filter(status__in=unfinished, created_at__lt=before).exclude(
        pk__in=live
    )
    for batch in cut_off:
        with translation.override(batch.language):
            message = _(
                "The reports stopped before they were finished, because the background worker "
                "making them stopped. Start them again."
            )
        ended += batch_model.objects.filter(pk=batch.pk, status__in=unfinished).update(
            status="failed", error=message
        )
    return ended
