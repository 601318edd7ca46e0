"""`tillit serve` as a user runs it: a real gunicorn and task worker, stopped together."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def env(tmp_path_factory) -> dict[str, str]:
    """An environment with its own migrated SQLite database."""
    data = tmp_path_factory.mktemp("serve")
    environ = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{data / 'tillit.sqlite3'}",
        "TILLIT_DATA_DIR": str(data),
        "DJANGO_SETTINGS_MODULE": "tillit.settings",
    }
    subprocess.run(
        [sys.executable, "-m", "tillit", "migrate", "-v0", "--skip-checks"],
        env=environ,
        cwd=ROOT,
        check=True,
        timeout=60,
    )
    return environ


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def descendants(pid: int) -> set[int]:
    """Every process below `pid`, read from ps."""
    rows = subprocess.run(["ps", "-e", "-o", "pid=,ppid="], capture_output=True, text=True).stdout
    children: dict[int, list[int]] = {}
    for row in rows.splitlines():
        child, parent = map(int, row.split())
        children.setdefault(parent, []).append(child)
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def alive(pid: int) -> bool:
    """True for a running process (a zombie waiting to be reaped counts as gone)."""
    state = subprocess.run(["ps", "-o", "stat=", "-p", str(pid)], capture_output=True, text=True)
    return bool(state.stdout.strip()) and not state.stdout.strip().startswith("Z")


def command(pid: int) -> str:
    """The process's whole command line (ps cuts it at the terminal's width)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            return cmdline.read().replace(b"\0", b" ").decode()
    except OSError:  # it ended meanwhile
        return ""


def start(env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    """Start `tillit serve` and wait until the login page answers."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "tillit", "serve", "--port", str(port), "--workers", "1"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}/login/"
    deadline = (
        time.monotonic() + 60
    )  # a loaded CI machine takes its time to import Django in four processes
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                assert response.status == 200
                return server, url
        except OSError:  # refused, reset or timed out while it starts
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail(f"tillit serve did not answer:\n{server.communicate()[0]}")
            time.sleep(0.2)


def test_serve_answers_and_stops_every_process_on_sigterm(env):
    server, _url = start(env)
    below = descendants(server.pid)
    commands = " ".join(command(pid) for pid in below)
    assert "gunicorn" in commands
    # One worker per queue group: report batches never hold up refreshes or imports.
    for queues in ("--queue-name default", "--queue-name imports", "--queue-name reports"):
        assert queues in commands, commands
    server.send_signal(signal.SIGTERM)
    output, _ = server.communicate(timeout=15)
    assert server.returncode == 0, output
    assert "127.0.0.1" in output
    assert not [pid for pid in below if alive(pid)], "orphaned children"


def workers(pid: int) -> set[int]:
    return {p for p in descendants(pid) if " worker " in command(p) + " "}


def test_serve_restarts_a_dead_worker_and_keeps_serving(env):
    server, url = start(env)
    try:
        before = workers(server.pid)
        victim = min(before)
        os.kill(victim, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (a URL built above)
                assert response.status == 200  # the site keeps answering throughout
            now = workers(server.pid)
            if victim not in now and len(now) == len(before):
                break
            time.sleep(0.3)
        assert victim not in workers(server.pid)
        assert len(workers(server.pid)) == len(before), "the dead worker was not restarted"
        assert server.poll() is None
    finally:
        below = descendants(server.pid)
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=15)
    assert server.returncode == 0, output
    assert "startas igen" in output  # the restart is reported (in Swedish, the default)
    assert not [pid for pid in below if alive(pid)], "orphaned children"


def test_killing_the_supervisor_takes_its_children_with_it(env):
    server, url = start(env)
    below = descendants(server.pid)
    assert below
    server.kill()
    server.communicate(timeout=5)
    deadline = time.monotonic() + 15
    while [pid for pid in below if alive(pid)] and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [pid for pid in below if alive(pid)], "orphaned children"
    with pytest.raises(OSError):  # nothing holds the port any more
        urllib.request.urlopen(url, timeout=2)  # noqa: S310


def test_a_burst_of_signals_stops_the_supervisor_promptly(env):
    """The handler only takes note (no lock), so signals arriving together cannot hang it."""
    server, _url = start(env)
    below = descendants(server.pid)
    for _ in range(50):
        for signum in (signal.SIGHUP, signal.SIGTERM, signal.SIGINT):
            try:
                server.send_signal(signum)
            except ProcessLookupError:
                break
    output, _ = server.communicate(timeout=20)
    assert server.returncode == 0, output
    assert not [pid for pid in below if alive(pid)], "orphaned children"


def test_serve_copies_the_write_ahead_log_into_the_database(env):
    """Requests never wait for a checkpoint: serve's supervisor copies the log every second."""
    import sqlite3

    path = Path(env["DATABASE_URL"].removeprefix("sqlite:///"))
    writer = sqlite3.connect(path, isolation_level=None, timeout=20)
    writer.execute("PRAGMA wal_autocheckpoint=0")  # this connection never checkpoints itself
    writer.execute("CREATE TABLE IF NOT EXISTS wal_probe (payload BLOB)")
    before = path.stat().st_size
    server, _url = start(env)
    try:
        for _ in range(64):
            writer.execute("INSERT INTO wal_probe VALUES (randomblob(16000))")  # ~1 MB in all
        deadline = time.monotonic() + 10
        while path.stat().st_size < before + 900_000 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert path.stat().st_size >= before + 900_000, "the log was not copied into the file"
    finally:
        writer.close()
        server.send_signal(signal.SIGTERM)
        server.communicate(timeout=15)


def test_the_signal_handler_takes_no_lock():
    """The hang itself is a narrow race (a signal arriving while Event.wait() holds its lock),
    so beside the burst above this checks the cause: the supervisor waits on a pipe that the
    signal wakes (set_wakeup_fd), and no threading primitive is left for a handler to take."""
    import inspect

    from tillit.core.management.commands import serve

    assert "set_wakeup_fd" in inspect.getsource(serve)
    assert "threading" not in vars(serve)  # not even imported
