"""`tillit serve`: the web server (gunicorn) and the task worker (db_worker), run together."""

import signal
import subprocess
import sys
import threading
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.utils.translation import gettext as _

from tillit.core.database import checkpoint

# Seconds a child gets to finish its current request or task before it is killed.
GRACE = 10
# Seconds between copies of SQLite's write-ahead log into the database (see core/database.py).
CHECKPOINT_EVERY = 1.0


class Command(BaseCommand):
    help = "Run the web server and the background task worker together (Ctrl-C stops both)."
    # The children run Django's checks themselves; this process only supervises them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on.")
        parser.add_argument("--port", type=int, default=8000, help="Port to listen on.")
        parser.add_argument("--workers", type=int, default=2, help="Web server processes.")

    def handle(self, *args, host: str, port: int, workers: int, **options) -> None:
        if pending_migrations():
            raise CommandError(
                _("The database is not up to date: run `tillit migrate` (or `tillit demo`) first.")
            )
        connection.close()  # the children open their own
        if not settings.DEBUG:
            # Production serves static files from STATIC_ROOT through WhiteNoise.
            call_command("collectstatic", interactive=False, verbosity=0)

        stop = threading.Event()
        # The children get their own sessions, so a Ctrl-C in the terminal reaches only this
        # process, which then asks each child once to stop (a second signal makes the task
        # worker abandon its current task).

        def on_signal(signum: int, frame: object) -> None:
            stop.set()

        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, on_signal)

        python = sys.executable
        children = {
            _("task worker"): subprocess.Popen(
                [python, "-m", "tillit", "db_worker", "--no-reload"], start_new_session=True
            ),
            _("web server"): subprocess.Popen(
                [
                    python,
                    "-m",
                    "gunicorn",
                    "tillit.wsgi:application",
                    "--bind",
                    f"{host}:{port}",
                    "--workers",
                    str(workers),
                    "--graceful-timeout",
                    str(GRACE),
                    # One shared socket in the home folder would clash between instances.
                    "--no-control-socket",
                ],
                start_new_session=True,
            ),
        }
        self.stdout.write(
            _(
                "Tillit is listening on http://%(host)s:%(port)s/ (%(workers)s web workers and "
                "a task worker). Press Ctrl-C to stop."
            )
            % {"host": host, "port": port, "workers": workers}
        )
        self.stdout.flush()

        died = None
        last_checkpoint = time.monotonic()
        while not stop.wait(0.2):
            died = next((name for name, p in children.items() if p.poll() is not None), None)
            if died:
                break
            if time.monotonic() - last_checkpoint >= CHECKPOINT_EVERY:
                last_checkpoint = time.monotonic()
                try:
                    checkpoint()
                except DatabaseError as error:  # next time, then; never stop serving for it
                    self.stderr.write(
                        _("Could not copy the database log (next try in a second): %(error)s")
                        % {"error": error}
                    )
        connection.close()
        stop_all(children.values())
        if died:
            raise CommandError(
                _("The %(name)s stopped unexpectedly (exit code %(code)s), so Tillit stopped.")
                % {"name": died, "code": children[died].returncode}
            )
        self.stdout.write(_("Tillit has stopped."))


def pending_migrations() -> bool:
    """True when the database lacks migrations this code has."""
    executor = MigrationExecutor(connection)
    return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def stop_all(processes) -> None:
    """Ask every running child to stop, wait for them, and kill those that do not."""
    processes = list(processes)
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=GRACE + 2)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
