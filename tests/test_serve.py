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
    return subprocess.run(
        ["ps", "-o", "args=", "-p", str(pid)], capture_output=True, text=True
    ).stdout


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
    deadline = time.monotonic() + 20
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


def test_serve_answers_and_stops_both_processes_on_sigterm(env):
    server, _url = start(env)
    below = descendants(server.pid)
    commands = " ".join(command(pid) for pid in below)
    assert "db_worker" in commands and "gunicorn" in commands
    server.send_signal(signal.SIGTERM)
    output, _ = server.communicate(timeout=15)
    assert server.returncode == 0, output
    assert "127.0.0.1" in output
    assert not [pid for pid in below if alive(pid)], "orphaned children"


def test_serve_stops_the_web_server_when_the_worker_dies(env):
    server, _url = start(env)
    below = descendants(server.pid)
    worker = next(pid for pid in below if "db_worker" in command(pid))
    os.kill(worker, signal.SIGKILL)
    output, _ = server.communicate(timeout=15)
    assert server.returncode != 0, output
    assert not [pid for pid in below if alive(pid)], "the web server outlived the worker"


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
