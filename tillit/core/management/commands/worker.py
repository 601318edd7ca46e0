"""`tillit worker`: django-tasks-db's db_worker with a heartbeat and the sweep for cut-off jobs.

A thread beside the worker loop writes the heartbeat every few seconds and sweeps once a
minute (core/jobs.py): tasks and jobs left "running" by a worker that died are marked failed,
and uploads of finished jobs are deleted. The same thread runs the apps' periodic work
(`jobs.register_periodic`: scheduled reminders, closing on the closing date).
"""

import logging
import threading

from django.conf import settings
from django.db import DatabaseError, connection
from django_tasks_db.management.commands import db_worker

from tillit.core import jobs, throttle

logger = logging.getLogger(__name__)


class Command(db_worker.Command):
    help = "Run a task worker that reports its heartbeat and ends jobs cut off by dead workers."

    def handle(self, *args, worker_id: str, queue_name: str, **options) -> None:
        # The first beat and sweep before any task: an earlier worker may have died mid-task.
        jobs.beat(worker_id, queue_name.split(","))
        jobs.sweep()
        jobs.tick()
        stop = threading.Event()
        thread = threading.Thread(
            target=self.keep_beating,
            args=(stop, worker_id, queue_name.split(",")),
            name="heartbeat",
            daemon=True,
        )
        thread.start()
        try:
            super().handle(*args, worker_id=worker_id, queue_name=queue_name, **options)
        finally:
            stop.set()

    def keep_beating(self, stop: threading.Event, worker_id: str, queues: list[str]) -> None:
        """Beat every few seconds and sweep now and then, until the worker stops."""
        since_sweep = 0.0
        try:
            while not stop.wait(jobs.HEARTBEAT_EVERY):
                since_sweep += jobs.HEARTBEAT_EVERY
                try:
                    jobs.beat(worker_id, queues)
                    if since_sweep >= settings.WORKER_SWEEP_SECONDS:
                        since_sweep = 0.0
                        ended = jobs.sweep()
                        jobs.tick()  # scheduled reminders and closing (each claims its work)
                        throttle.purge()  # expired rate-limit counters
                        if any(ended.values()):
                            logger.warning("Ended work cut off by a dead worker: %s", ended)
                except DatabaseError as error:  # busy or gone for a moment: try again
                    logger.warning("Heartbeat failed (%s); trying again.", error)
                    connection.close()
        finally:
            connection.close()
