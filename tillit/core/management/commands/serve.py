"""`tillit serve`: the web server (gunicorn) and the task workers, run and watched together.

The supervisor keeps serving when a child dies: it starts the child again after a back-off
(1 s, doubling up to a minute, reset once the child has run for a minute), so a crashing task
worker cannot take the site down. Only SIGINT (Ctrl-C), SIGTERM or SIGHUP stop everything.

Its children die with it even when it is killed with SIGKILL: each asks the kernel for a
signal when its parent dies (prctl PR_SET_PDEATHSIG), so nothing is orphaned holding the port.
"""

import ctypes
import os
import select
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field

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
# Restart back-off: the first wait, the longest, and how long a child must run to reset it.
BACKOFF_FIRST = 1.0
BACKOFF_MAX = 60.0
BACKOFF_RESET_AFTER = 60.0
PR_SET_PDEATHSIG = 1
# Threads per web process. A live workshop holds one open connection per phone (its event
# stream, workshop/live.py), and a gthread worker gives each open request a thread: 2 workers
# × 400 serve a room of 500 phones with room to spare. Each worker takes no more connections
# than it has threads, so none sits in a full worker while the other has threads free (it did:
# a worker took 300+ of 500 streams and the rest waited a minute). See docs/architecture.md.
THREADS = 400


def die_with_parent(signum: int):
    """A preexec function: the child gets `signum` when the supervisor dies (Linux only)."""
    parent = os.getpid()

    def preexec() -> None:
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signum, 0, 0, 0)
        except (OSError, AttributeError):  # not Linux: the process group still helps
            return
        # The parent may have died between fork and prctl: then nothing would ever tell us.
        if os.getppid() != parent:
            os._exit(1)

    return preexec


@dataclass
class Child:
    """One supervised process, its command line and its restart back-off."""

    name: str
    argv: list[str]
    # The web server stops gracefully on SIGTERM; a task worker is killed outright, because
    # SIGTERM lets it finish a task of many minutes as an orphan (a cut-off task is marked
    # failed by the next worker's sweep, core/jobs.py).
    death_signal: int = signal.SIGTERM
    process: subprocess.Popen | None = None
    started: float = 0.0
    backoff: float = BACKOFF_FIRST
    restart_at: float | None = None
    restarts: int = field(default=0)

    def start(self) -> None:
        """Start the process in a process group of its own (a terminal's Ctrl-C reaches only
        the supervisor, which then stops every child once)."""
        self.process = subprocess.Popen(
            self.argv, process_group=0, preexec_fn=die_with_parent(self.death_signal)
        )
        self.started = time.monotonic()
        self.restart_at = None


def worker_groups() -> list[list[str]]:
    """The task queues each worker process takes (settings.TASK_WORKER_QUEUES)."""
    return [list(group) for group in settings.TASK_WORKER_QUEUES]


class Command(BaseCommand):
    help = "Run the web server and the background task workers together (Ctrl-C stops them)."
    # The children run Django's checks themselves; this process only supervises them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on.")
        parser.add_argument("--port", type=int, default=8000, help="Port to listen on.")
        parser.add_argument("--workers", type=int, default=2, help="Web server processes.")
        parser.add_argument(
            "--threads", type=int, default=THREADS, help="Threads of each web server process."
        )

    def handle(self, *args, host: str, port: int, workers: int, threads: int, **options) -> None:
        if pending_migrations():
            raise CommandError(
                _("The database is not up to date: run `tillit migrate` (or `tillit demo`) first.")
            )
        connection.close()  # the children open their own
        if not settings.DEBUG:
            # Production serves static files from STATIC_ROOT through WhiteNoise.
            call_command("collectstatic", interactive=False, verbosity=0)

        # The handler only notes the signal and writes a byte to a pipe (set_wakeup_fd): it
        # cannot block, unlike threading.Event.set(), which takes the lock the main loop's
        # Event.wait() holds – a known way for CPython to hang in a signal handler.
        wake_read, wake_write = os.pipe()
        os.set_blocking(wake_read, False)
        os.set_blocking(wake_write, False)
        signal.set_wakeup_fd(wake_write)
        received: list[int] = []

        def on_signal(signum: int, frame: object) -> None:
            received.append(signum)

        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, on_signal)

        python = sys.executable
        children = [
            Child(
                _("task worker (%(queues)s)") % {"queues": ", ".join(group)},
                [python, "-m", "tillit", "worker", "--no-reload", "--queue-name", ",".join(group)],
                death_signal=signal.SIGKILL,
            )
            for group in worker_groups()
        ]
        children.append(
            Child(
                _("web server"),
                [
                    python,
                    "-m",
                    "gunicorn",
                    "tillit.wsgi:application",
                    "--bind",
                    f"{host}:{port}",
                    "--workers",
                    str(workers),
                    "--worker-class",
                    "gthread",
                    "--threads",
                    str(threads),
                    "--worker-connections",
                    str(threads),
                    "--graceful-timeout",
                    str(GRACE),
                    # One shared socket in the home folder would clash between instances.
                    "--no-control-socket",
                ],
            )
        )
        for child in children:
            child.start()
        self.stdout.write(
            _(
                "Tillit is listening on http://%(host)s:%(port)s/ (%(workers)s web workers and "
                "%(tasks)s task workers). Press Ctrl-C to stop."
            )
            % {"host": host, "port": port, "workers": workers, "tasks": len(children) - 1}
        )
        self.stdout.flush()

        last_checkpoint = time.monotonic()
        try:
            while not received:
                select.select([wake_read], [], [], 0.2)
                try:
                    while os.read(wake_read, 512):
                        pass
                except BlockingIOError:
                    pass
                if received:
                    break
                self.watch(children)
                if time.monotonic() - last_checkpoint >= CHECKPOINT_EVERY:
                    last_checkpoint = time.monotonic()
                    try:
                        checkpoint()
                    except DatabaseError as error:  # next time, then; never stop serving for it
                        self.stderr.write(
                            _("Could not copy the database log (next try in a second): %(error)s")
                            % {"error": error}
                        )
        finally:
            connection.close()
            stop_all([c.process for c in children if c.process is not None])
            signal.set_wakeup_fd(-1)
            os.close(wake_read)
            os.close(wake_write)
        self.stdout.write(_("Tillit has stopped."))

    def watch(self, children: list[Child]) -> None:
        """Restart every child that has died, each after its own back-off."""
        now = time.monotonic()
        for child in children:
            process = child.process
            if child.restart_at is not None:
                if now >= child.restart_at:
                    child.restarts += 1
                    child.start()
                continue
            if process is None or process.poll() is None:
                continue
            if now - child.started >= BACKOFF_RESET_AFTER:
                child.backoff = BACKOFF_FIRST
            self.stderr.write(
                _(
                    "The %(name)s stopped unexpectedly (exit code %(code)s); it is started "
                    "again in %(seconds)s s, and Tillit keeps serving."
                )
                % {"name": child.name, "code": process.returncode, "seconds": child.backoff}
            )
            self.stderr.flush()
            child.restart_at = now + child.backoff
            child.backoff = min(child.backoff * 2, BACKOFF_MAX)


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
