"""A workshop room under load: poll and write latency against a static page, in the same run.

Run: .venv/bin/python bench/workshop_load.py [--participants 60] [--seconds 60] [--workers 2]

Starts gunicorn (2 sync workers) on 127.0.0.1 only, against a throw-away SQLite file with the
production database settings (WAL, IMMEDIATE transactions), DEBUG off. Prepares one open
workshop session (a brainstorm board) with the participants joined, then runs one Python thread
per participant for --seconds: each polls its live region every 2 s with the version it last
saw (unchanged → 204; changed → the fragment) and posts a note every 20 s (a client-made key,
form POST with CSRF, as the phone's script does). A further thread fetches a static file served
by the same server (/static/tillit/tillit.css through WhiteNoise) every 0.5 s as the baseline.

Prints p50/p95/max latency of poll, write and static, the error count, and checks that every
note sent was stored exactly once. Target: p95 poll under 150 ms. Bounded: at most 300 s and
200 participants; it never talks to anything but 127.0.0.1.
"""

import argparse
import http.client
import os
import random
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._database import throwaway_database  # noqa: E402

CSRF = secrets.token_hex(16)  # a 32-character CSRF secret, sent as cookie and form field
HOST = "127.0.0.1"


def prepare(participants: int) -> tuple[str, int, list[str]]:
    """Migrate the fresh database; one programme, one open session; the joined tokens."""
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from tillit.core.models import User
    from tillit.org.models import Organisation, Unit
    from tillit.programmes import actions as programme_actions
    from tillit.programmes.loading import install_shipped_templates
    from tillit.programmes.models import ProgrammeStep, ProgrammeTemplate
    from tillit.workshop import actions

    organisation = Organisation.objects.create(slug="bench", name="Bench kommun")
    unit = Unit.objects.create(organisation=organisation, external_id="K", name="Bench")
    user = User.objects.create_user("facilitator@bench.invalid", secrets.token_urlsafe(16))
    install_shipped_templates()
    programme = programme_actions.do_start_programme(
        organisation=organisation,
        template_version=ProgrammeTemplate.objects.get(slug="samskabt-styring").latest(),
        title="Bench",
        language="sv",
        units=[unit],
        created_by=user,
    )
    step = ProgrammeStep.objects.get(programme=programme, step_id="challenges")
    session = actions.do_start_session(step, user)
    actions.do_reveal(session)  # everyone sees every note: the heaviest fragment
    tokens = [actions.do_join(session, "", "sv")[1] for _ in range(participants)]
    return session.code, session.pk, tokens


def stored_notes(keys: list[str]) -> int:
    from tillit.workshop.models import Contribution

    return Contribution.objects.filter(key__in=keys).count()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def wait_for(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((HOST, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("gunicorn did not start")


class Recorder:
    """Latencies (ms) per kind of request, and failures, from every thread."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = {"poll": [], "poll 200": [], "write": [], "static": []}
        self.errors: list[str] = []

    def request(self, port, kind, method, path, body=None, headers=None):
        started = time.perf_counter()
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=10)
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            data = response.read()
            conn.close()
        except OSError as error:
            with self.lock:
                self.errors.append(f"{kind}: {error!r}")
            return None, b""
        elapsed = (time.perf_counter() - started) * 1000
        with self.lock:
            self.times[kind].append(elapsed)
            if kind == "poll" and response.status == 200:
                self.times["poll 200"].append(elapsed)
            if response.status >= 400:
                self.errors.append(f"{kind}: HTTP {response.status}")
        return response.status, data


def participant(port, code, session_pk, token, recorder, stop_at, sent_keys, lock) -> None:
    """One phone: poll every 2 s with the version it last saw, post a note every 20 s."""
    cookie = f"tillit_ws_{session_pk}={token}; csrftoken={CSRF}; tillit_language=sv"
    version = "0"
    next_post = time.monotonic() + random.uniform(0, 20)
    time.sleep(random.uniform(0, 2))
    while time.monotonic() < stop_at:
        cycle = time.monotonic()
        status, data = recorder.request(
            port, "poll", "GET", f"/w/{code}/live/?v={version}&t=0&i=0", headers={"Cookie": cookie}
        )
        if status == 200:
            found = re.search(rb"\?v=(\d+)", data)
            version = found.group(1).decode() if found else version
        if time.monotonic() >= next_post:
            key = str(uuid.uuid4())
            body = urlencode(
                {"csrfmiddlewaretoken": CSRF, "key": key, "tool": 0, "text": f"Note {key[:8]}"}
            )
            status, _data = recorder.request(
                port,
                "write",
                "POST",
                f"/w/{code}/post/",
                body=body,
                headers={
                    "Cookie": cookie,
                    "Content-Type": "application/x-www-form-urlencoded",
                    "X-Workshop-Fetch": "1",
                },
            )
            if status == 204:
                with lock:
                    sent_keys.append(key)
            next_post += 20
        time.sleep(max(0.0, 2 - (time.monotonic() - cycle)))


def static_baseline(port, recorder, stop_at) -> None:
    while time.monotonic() < stop_at:
        recorder.request(port, "static", "GET", "/static/tillit/tillit.css")
        time.sleep(0.5)


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--participants", type=int, default=60)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    participants = max(1, min(args.participants, 200))
    seconds = max(5, min(args.seconds, 300))

    with throwaway_database("workshop") as (url, tmp):
        run(args, participants, seconds, url, tmp)


def run(args: argparse.Namespace, participants: int, seconds: int, url: str, tmp: Path) -> None:
    """Serve a fresh database at `url`, drive the participants and print the figures."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tillit.settings",
        "DATABASE_URL": url,
        "TILLIT_DATA_DIR": str(tmp),
        "TILLIT_SECRET_KEY": secrets.token_urlsafe(40),
        "TILLIT_ALLOWED_HOSTS": HOST,
        "TILLIT_DEBUG": "false",  # as in production: no query log, no debug pages
        "PYTHONPATH": str(ROOT),
    }
    os.environ.update(env)
    code, session_pk, tokens = prepare(participants)

    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "tillit.wsgi:application",
            "--workers",
            str(args.workers),
            "--bind",
            f"{HOST}:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    recorder = Recorder()
    sent_keys: list[str] = []
    lock = threading.Lock()
    try:
        wait_for(port)
        warm = Recorder()
        for _ in range(4):  # imports and connections of both workers, not measured
            warm.request(port, "static", "GET", "/static/tillit/tillit.css")
            warm.request(port, "poll", "GET", f"/w/{code}/live/?v=0&t=0&i=0")
        stop_at = time.monotonic() + seconds
        threads = [
            threading.Thread(
                target=participant,
                args=(port, code, session_pk, token, recorder, stop_at, sent_keys, lock),
            )
            for token in tokens
        ]
        threads.append(threading.Thread(target=static_baseline, args=(port, recorder, stop_at)))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    stored = stored_notes(sent_keys)
    print(
        f"{'PostgreSQL' if url.startswith('postgres') else 'SQLite'}, gunicorn {args.workers} "
        f"sync workers on {HOST}; {participants} participants "
        f"polling every 2 s and posting every 20 s for {seconds} s; DEBUG off"
    )
    print(f"{'request':<10} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for kind, values in recorder.times.items():
        print(
            f"{kind:<10} {len(values):>6} {pct(values, 0.5):>8.1f} {pct(values, 0.95):>8.1f} "
            f"{max(values, default=float('nan')):>8.1f}"
        )
    polls = recorder.times["poll"]
    static = recorder.times["static"]
    if polls and static:
        print(f"poll p95 / static p95: {pct(polls, 0.95) / pct(static, 0.95):.1f}x")
    print(f"errors: {len(recorder.errors)} {sorted(set(recorder.errors))[:5]}")
    print(f"notes sent {len(sent_keys)}, stored {stored} (each once: {stored == len(sent_keys)})")
    verdict = "met" if polls and pct(polls, 0.95) < 150 else "NOT met"
    print(f"target p95 poll < 150 ms: {verdict}")
    print(f"mean poll {statistics.fmean(polls):.1f} ms" if polls else "no polls")


if __name__ == "__main__":
    main()
