"""500 phones in a workshop: from the facilitator's reveal to the last phone's update.

Run: .venv/bin/python bench/workshop_live.py [--phones 500] [--rounds 6] [--threads 300]

Starts `tillit serve` (2 web workers, gthread, DEBUG off) on 127.0.0.1 only, against a
throw-away database (SQLite, or a new database on the PostgreSQL server DATABASE_URL names).
One open brainstorm with 40 notes and --phones participants joined. Every phone is an asyncio
client speaking plain HTTP/1.1 (standard library only):

1. Polling fallback, 12 s: every phone polls its live region every 2 s (unchanged: 204).
2. Events: every phone holds a server-sent event stream (`/w/CODE/events/`); on a `version`
   event it fetches its live region, as workshop.js does. The facilitator's reveal (and then
   its conceal, alternately, --rounds times) is written as the facilitator's button writes it
   (`actions.do_reveal`); the clock runs from just before that write until each phone has read
   its new region. A reveal renders one shared region per language and version; a conceal
   shows each phone its own notes, so every phone's region is rendered for it alone.

A static file (/static/tillit/tillit.css through WhiteNoise) is fetched every 0.2 s in the same
run as the baseline. Prints p50/p95/max of each, errors, and the targets: reveal → last phone p95
under 1 s, poll and event-fetch p95 under 150 ms. Bounded: under two minutes, at most 1,000
phones, nothing but 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._database import machine_speed, throwaway_database  # noqa: E402

HOST = "127.0.0.1"
NOTES = 40


def prepare(phones: int) -> tuple[str, int, list[str]]:
    """Migrate the fresh database: one open brainstorm with notes, the phones joined."""
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
    joined = [actions.do_join(session, "", random.choice(("sv", "da"))) for _ in range(phones)]
    import uuid

    for n in range(NOTES):
        participant, token = joined[n % len(joined)]
        text = f"Anteckning {n}: dubbelregistrering av frånvaro tar tid från brukarna"
        actions.do_post_contribution(
            session, participant, 0, actions.Post(uuid.uuid4(), text, {}, token)
        )
    return session.code, session.pk, [token for _p, token in joined]


def toggle_reveal(session_pk: int, revealed: bool) -> int:
    """The facilitator's reveal (or conceal), as the control view writes it; the new version."""
    from tillit.workshop import actions
    from tillit.workshop.models import WorkshopSession

    session = WorkshopSession.objects.get(pk=session_pk)
    return actions.do_reveal(session, revealed).version


def current_version(session_pk: int) -> int:
    from tillit.workshop.models import WorkshopSession

    return WorkshopSession.objects.get(pk=session_pk).version


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


class Figures:
    def __init__(self) -> None:
        self.times: dict[str, list[float]] = {}
        self.errors: list[str] = []

    def add(self, kind: str, ms: float) -> None:
        self.times.setdefault(kind, []).append(ms)


async def get(port: int, path: str, cookie: str = "") -> tuple[int, bytes]:
    """One GET on a fresh connection; (status, body)."""
    reader, writer = await asyncio.open_connection(HOST, port)
    try:
        head = f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n"
        if cookie:
            head += f"Cookie: {cookie}\r\n"
        writer.write((head + "\r\n").encode())
        data = await reader.read()
    finally:
        writer.close()
    status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/") else 0
    return status, data.partition(b"\r\n\r\n")[2]


async def timed_get(figures: Figures, kind: str, port: int, path: str, cookie: str = ""):
    started = time.perf_counter()
    try:
        status, body = await get(port, path, cookie)
    except OSError as error:
        figures.errors.append(f"{kind}: {error!r}")
        return 0, b""
    figures.add(kind, (time.perf_counter() - started) * 1000)
    if status >= 400 or status == 0:
        figures.errors.append(f"{kind}: HTTP {status}")
    return status, body


async def static_baseline(figures: Figures, port: int, stop: asyncio.Event) -> None:
    while not stop.is_set():
        await timed_get(figures, "static file", port, "/static/tillit/tillit.css")
        await asyncio.sleep(0.2)


async def poll_phase(figures, port, code, cookies, version, seconds) -> None:
    """Every phone polls every 2 s with the version it shows, as without events."""
    end = time.monotonic() + seconds

    async def phone(cookie: str) -> None:
        await asyncio.sleep(random.uniform(0, 2))
        while time.monotonic() < end:
            cycle = time.monotonic()
            await timed_get(figures, "poll (204)", port, f"/w/{code}/live/?v={version}&t=0", cookie)
            await asyncio.sleep(max(0.0, 2 - (time.monotonic() - cycle)))

    await asyncio.gather(*(phone(c) for c in cookies))


class Phone:
    """A phone with an event stream open; fetches its region on every `version` event."""

    def __init__(self, port: int, code: str, cookie: str, version: int, figures: Figures):
        self.port, self.code, self.cookie, self.version = port, code, cookie, version
        self.figures = figures
        self.connected = asyncio.Event()
        self.updated: dict[int, float] = {}  # version → when its region was read

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self._stream(stop)
            except OSError as error:
                self.figures.errors.append(f"stream: {error!r}")
                await asyncio.sleep(1)

    async def _stream(self, stop: asyncio.Event) -> None:
        reader, writer = await asyncio.open_connection(HOST, self.port)
        writer.write(
            (
                f"GET /w/{self.code}/events/?v={self.version} HTTP/1.1\r\nHost: {HOST}\r\n"
                f"Cookie: {self.cookie}\r\nAccept: text/event-stream\r\n\r\n"
            ).encode()
        )
        status = await reader.readline()
        if b" 200 " not in status:
            self.figures.errors.append(f"stream: {status!r}")
            writer.close()
            await asyncio.sleep(1)
            return
        while (await reader.readline()) not in (b"\r\n", b""):
            pass  # headers
        self.connected.set()
        event, data = "", []
        try:
            while not stop.is_set():
                line = await reader.readline()
                if not line:
                    return  # the stream ended: reconnect, as EventSource does
                line = line.rstrip(b"\r\n").decode()
                if line.startswith("event: "):
                    event = line[7:]
                elif line.startswith("data: "):
                    data.append(line[6:])
                elif not line and data:
                    await self._event(event, "\n".join(data))
                    event, data = "", []
        finally:
            writer.close()

    async def _event(self, event: str, data: str) -> None:
        if event == "version" and int(data) != self.version:
            await self._fetch(int(data))
        elif event == "region":  # the region itself, as a revealed board is sent
            found = re.search(r'data-version="(\d+)"', data)
            if found and 'id="live"' in data:
                self.version = int(found.group(1))
                self.updated[self.version] = time.perf_counter()
                self.figures.add("region events", 0.0)

    async def _fetch(self, version: int) -> None:
        path = f"/w/{self.code}/live/?v={self.version}&t=0"
        status, body = await timed_get(self.figures, "event fetch", self.port, path, self.cookie)
        if status == 200 and b'id="live"' in body:
            self.version = version
            self.updated[version] = time.perf_counter()


async def event_phase(figures, port, code, cookies, session_pk, rounds) -> list[tuple]:
    stop = asyncio.Event()
    version = await asyncio.to_thread(current_version, session_pk)
    phones = [Phone(port, code, cookie, version, figures) for cookie in cookies]
    tasks = [asyncio.create_task(p.run(stop)) for p in phones]
    started = time.perf_counter()
    await asyncio.wait_for(asyncio.gather(*(p.connected.wait() for p in phones)), 60)
    print(f"{len(phones)} event streams open in {time.perf_counter() - started:.1f} s")
    results = []
    for round_ in range(rounds):
        await asyncio.sleep(1.5)
        revealed = round_ % 2 == 0
        t0 = time.perf_counter()
        version = await asyncio.to_thread(toggle_reveal, session_pk, revealed)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and any(version not in p.updated for p in phones):
            await asyncio.sleep(0.02)
        delays = [(p.updated[version] - t0) * 1000 for p in phones if version in p.updated]
        missed = len(phones) - len(delays)
        results.append(("reveal" if revealed else "conceal", delays, missed))
        label = "reveal " if revealed else "conceal"
        print(
            f"round {round_ + 1} {label}: {len(delays)} phones updated, last after "
            f"{max(delays, default=float('nan')):.0f} ms, p95 {pct(delays, 0.95):.0f} ms"
            + (f", {missed} MISSED" if missed else "")
        )
    stop.set()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return results


async def drive(args, port, code, session_pk, tokens) -> tuple[Figures, list]:
    figures = Figures()
    cookies = [f"tillit_ws_{session_pk}={token}" for token in tokens]
    stop = asyncio.Event()
    baseline = asyncio.create_task(static_baseline(figures, port, stop))
    version = await asyncio.to_thread(current_version, session_pk)
    await poll_phase(figures, port, code, cookies, version, args.poll_seconds)
    results = await event_phase(figures, port, code, cookies, session_pk, args.rounds)
    stop.set()
    await baseline
    return figures, results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--phones", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--threads", type=int, default=0, help="web threads (0: serve's own)")
    parser.add_argument("--poll-seconds", type=int, default=12)
    args = parser.parse_args()
    args.phones = max(1, min(args.phones, 1000))
    args.rounds = max(1, min(args.rounds, 12))
    args.poll_seconds = max(4, min(args.poll_seconds, 30))
    # Each phone holds a stream and opens a connection per fetch: more than the usual 1,024.
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 8192)), hard))
    print(machine_speed())
    with throwaway_database("workshop_live") as (url, tmp):
        run(args, url, tmp)


def run(args: argparse.Namespace, url: str, tmp: Path) -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tillit.settings",
        "DATABASE_URL": url,
        "TILLIT_DATA_DIR": str(tmp),
        "TILLIT_SECRET_KEY": secrets.token_urlsafe(40),
        "TILLIT_ALLOWED_HOSTS": HOST,
        "TILLIT_DEBUG": "false",
        "PYTHONPATH": str(ROOT),
    }
    os.environ.update(env)
    code, session_pk, tokens = prepare(args.phones)
    from django.db import connection

    connection.close()
    port = free_port()
    command = [sys.executable, "-m", "tillit", "serve", "--host", HOST, "--port", str(port)]
    if args.threads:
        command += ["--threads", str(args.threads)]
    server = subprocess.Popen(
        command, cwd=ROOT, env=env, start_new_session=True, stdout=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with socket.create_connection((HOST, port), timeout=0.5):
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise SystemExit("tillit serve did not start")
        for _ in range(6):  # both workers import and connect before the clock runs
            asyncio.run(get(port, "/static/tillit/tillit.css"))
            asyncio.run(
                get(port, f"/w/{code}/live/?v=0&t=0", f"tillit_ws_{session_pk}={tokens[0]}")
            )
        figures, results = asyncio.run(drive(args, port, code, session_pk, tokens))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    report(args, url, figures, results)


def report(args, url, figures: Figures, results: list) -> None:
    database = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    threads = f", {args.threads} threads each" if args.threads else ""
    print(
        f"\n{database}, `tillit serve` (2 gthread workers{threads}), "
        f"{args.phones} phones on {HOST}, DEBUG off"
    )
    print(f"{'request':<14} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for kind, values in figures.times.items():
        print(
            f"{kind:<14} {len(values):>6} {pct(values, 0.5):>8.1f} {pct(values, 0.95):>8.1f} "
            f"{max(values):>8.1f}"
        )
    static = pct(figures.times.get("static file", []), 0.95)
    for kind in ("poll (204)", "event fetch"):
        values = figures.times.get(kind, [])
        if values:
            print(f"{kind} p95 / static p95: {pct(values, 0.95) / static:.1f}x")
    for name in ("reveal", "conceal"):
        delays = [d for n, ds, _m in results if n == name for d in ds]
        lasts = [max(ds) for n, ds, _m in results if n == name and ds]
        missed = sum(m for n, _ds, m in results if n == name)
        if delays:
            print(
                f"{name}: every phone's update p50 {pct(delays, 0.5):.0f} ms, p95 "
                f"{pct(delays, 0.95):.0f} ms; the last phone per round "
                f"{', '.join(f'{x:.0f}' for x in lasts)} ms; missed {missed}"
            )
    print(f"errors: {len(figures.errors)} {sorted(set(figures.errors))[:5]}")
    reveal = [d for n, ds, _m in results if n == "reveal" for d in ds]
    verdicts = {
        "reveal → phone update p95 < 1 s": reveal and pct(reveal, 0.95) < 1000,
        "poll p95 < 150 ms": pct(figures.times.get("poll (204)", []), 0.95) < 150,
        "event fetch p95 < 150 ms": pct(figures.times.get("event fetch", []), 0.95) < 150,
    }
    for target, met in verdicts.items():
        print(f"target {target}: {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
