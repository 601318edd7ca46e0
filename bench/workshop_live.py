"""500 phones in a workshop: from a live change (reveal, conceal, a note) to the last update.

Run: .venv/bin/python bench/workshop_live.py [--phones 500] [--rounds 9] [--threads 300]

Starts `tillit serve` (2 web workers, gthread, DEBUG off) on 127.0.0.1 only, against a
throw-away database (SQLite, or a new database on the PostgreSQL server DATABASE_URL names).
One open brainstorm with 40 notes and --phones participants joined. Every phone is an asyncio
client speaking plain HTTP/1.1 (standard library only):

1. Polling fallback, 12 s: every phone polls its live region every 2 s with the version it
   shows (unchanged: 204); a phone posts a note every 3 s, so each phone's next poll fetches its
   own region (200: the count and, for the note's author, "what you wrote").
2. Events: every phone holds a server-sent event stream (`/w/CODE/events/`); on a `region`
   event it takes the region from the event, on a `version` event it fetches it, as
   workshop.js does. The facilitator's reveal, its conceal and a phone's new note follow each
   other --rounds times, each written as the app writes it (`actions.do_reveal`,
   `contributing.do_post_contribution`); the clock runs from just before that write until each phone
   has its new region. After a conceal and a new note every phone's region holds its own notes
   (checked: an author sees each of its notes marked as its own, nobody else sees any).
3. Dot voting: the facilitator groups the board into four themes and moves on (the phones
   reload and open their streams again); --rounds/3 phones place a dot each, the totals hidden,
   then the facilitator reveals them. Checked: every phone shows exactly its own dots, and no
   totals until the reveal.

A static file (/static/tillit/tillit.css through WhiteNoise) is fetched every 0.2 s in the same
run as the baseline. Prints p50/p95/max of each, errors, and the targets: each change → phone
update p95 under 1 s, every request's p95 (poll, fetch) under 150 ms. Bounded: under two
minutes, at most 1,000 phones, nothing but 127.0.0.1.
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
from functools import partial
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
    joined = [actions.do_join(session, "", ("sv", "da")[n % 2]) for n in range(phones)]
    for n in range(NOTES):
        post_note(session.pk, joined[n % len(joined)][1], n)
    return session.code, session.pk, [token for _p, token in joined]


def post_note(session_pk: int, token: str, n: int) -> int:
    """A phone's new note, as the post view writes it; the session's new version."""
    import uuid

    from tillit.workshop import actions, contributing
    from tillit.workshop.models import WorkshopSession

    session = WorkshopSession.objects.get(pk=session_pk)
    participant = actions.participant_for(session, token)
    text = f"Anteckning {n}: dubbelregistrering av frånvaro tar tid från brukarna"
    post = contributing.Post(uuid.uuid4(), text, {}, token)
    contributing.do_post_contribution(session, participant, session.current, post)
    return current_version(session_pk)


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


async def poll_phase(figures, port, code, cookies, tokens, session_pk, version, seconds) -> None:
    """Every phone polls every 2 s with the version it shows, as without events; a phone posts a
    note every 3 s, so the next poll of each phone fetches its region (200)."""
    end = time.monotonic() + seconds

    async def phone(cookie: str) -> None:
        shown = version
        await asyncio.sleep(random.uniform(0, 2))
        while time.monotonic() < end:
            cycle = time.monotonic()
            path = f"/w/{code}/live/?v={shown}&t=0"
            started = time.perf_counter()
            try:
                status, body = await get(port, path, cookie)
            except OSError as error:
                figures.errors.append(f"poll: {error!r}")
                status, body = 0, b""
            ms = (time.perf_counter() - started) * 1000
            if status == 204:
                figures.add("poll (204)", ms)
            elif status == 200 and (found := re.search(rb'data-version="(\d+)"', body)):
                figures.add("poll (200)", ms)
                shown = int(found.group(1))
            else:
                figures.errors.append(f"poll: HTTP {status}")
            await asyncio.sleep(max(0.0, 2 - (time.monotonic() - cycle)))

    async def writer() -> None:
        n = 1000
        while time.monotonic() < end - 2:
            await asyncio.sleep(3)
            await asyncio.to_thread(post_note, session_pk, random.choice(tokens), n)
            n += 1

    await asyncio.gather(writer(), *(phone(c) for c in cookies))


class Phone:
    """A phone with an event stream open; fetches its region on every `version` event."""

    def __init__(self, port, code, cookie, version, figures: Figures, tool: int = 0):
        self.port, self.code, self.cookie, self.version = port, code, cookie, version
        self.figures, self.tool = figures, tool
        self.token = cookie.partition("=")[2]
        self.connected = asyncio.Event()
        self.updated: dict[int, float] = {}  # version → when its region was read
        self.regions: dict[int, str] = {}  # version → the region as read

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
                f"GET /w/{self.code}/events/?v={self.version}&t={self.tool} HTTP/1.1\r\n"
                f"Host: {HOST}\r\n"
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
                self.regions[self.version] = data

    async def _fetch(self, version: int) -> None:
        path = f"/w/{self.code}/live/?v={self.version}&t={self.tool}"
        status, body = await timed_get(self.figures, "event fetch", self.port, path, self.cookie)
        if status == 200 and b'id="live"' in body:
            found = re.search(rb'data-version="(\d+)"', body)
            self.version = int(found.group(1)) if found else version
            self.updated[self.version] = time.perf_counter()
            self.regions[self.version] = body.decode()


CHANGES = ("reveal", "conceal", "note")
ALL_CHANGES = (*CHANGES, "vote", "reveal votes")


def own_notes(session_pk: int, tokens: list[str]) -> dict[str, set[str]]:
    """Each phone's own notes in the current tool (by the marks only the phone can make)."""
    from tillit.workshop.models import Contribution, WorkshopSession, owner_mark

    session = WorkshopSession.objects.get(pk=session_pk)
    notes = list(Contribution.objects.filter(session=session, tool=session.current, hidden=False))
    return {
        token: {n.text for n in notes if n.mark and n.mark == owner_mark(token, n.key)}
        for token in tokens
    }


def wrong_regions(phones: list, version: int, mine: dict[str, set[str]]) -> int:
    """Phones whose concealed region does not show exactly their own notes as theirs."""
    wrong = 0
    for phone in phones:
        region = phone.regions.get(version, "")
        shown = set(re.findall(r'<li class="ws-note ws-note--mine">([^<]*)</li>', region))
        wrong += shown != mine[phone.token]
    return wrong


def move_to_voting(session_pk: int) -> int:
    """The facilitator groups the board into four themes and moves on to the dot voting on
    them; the new version."""
    from tillit.workshop import actions, outcomes
    from tillit.workshop.models import WorkshopSession

    session = WorkshopSession.objects.get(pk=session_pk)
    for title in ("Dubbelregistrering", "Möten", "Blanketter", "Uppföljning"):
        outcomes.do_create_theme(session, 0, title)
    actions.do_next_tool(session)
    return current_version(session_pk)


def place_dot(session_pk: int, token: str, n: int) -> int:
    """A phone places a dot on a theme, as the vote view writes it; the new version."""
    from tillit.workshop import actions, contributing
    from tillit.workshop.models import Theme, WorkshopSession

    session = WorkshopSession.objects.get(pk=session_pk)
    themes = list(Theme.objects.filter(session=session).order_by("pk"))
    participant = actions.participant_for(session, token)
    contributing.do_vote(session, participant, session.current, themes[n % len(themes)], 1)
    return current_version(session_pk)


def own_dots(session_pk: int, tokens: list[str]) -> dict[str, dict[str, int]]:
    """Each phone's dots per theme title."""
    from tillit.workshop import actions
    from tillit.workshop.models import Theme, Vote, WorkshopSession

    session = WorkshopSession.objects.get(pk=session_pk)
    titles = {t.pk: t.title for t in Theme.objects.filter(session=session)}
    dots = {}
    for token in tokens:
        participant = actions.participant_for(session, token)
        mine = dict(Vote.objects.filter(participant=participant).values_list("theme", "count"))
        dots[token] = {title: mine.get(pk, 0) for pk, title in titles.items()}
    return dots


def wrong_dots(phones: list, version: int, mine: dict, hidden: bool) -> int:
    """Phones whose region does not show exactly their own dots, or shows totals still hidden."""
    pattern = r'ws-target__label">([^<]*)</span>\s*<span class="ws-target__mine">\D*(\d+)'
    wrong = 0
    for phone in phones:
        region = phone.regions.get(version, "")
        shown = {label: int(n) for label, n in re.findall(pattern, region)}
        wrong += shown != mine[phone.token] or (("ws-bars" in region) == hidden)
    return wrong


class Room:
    """Every phone with its event stream open on one tool, and the clock of each change."""

    def __init__(self, figures: Figures, port: int, code: str, cookies, session_pk: int):
        self.figures, self.port, self.code, self.session_pk = figures, port, code, session_pk
        self.cookies, self.phones, self.tasks = cookies, [], []
        self.stop = asyncio.Event()
        self.results: list[tuple] = []

    async def open(self, tool: int) -> None:
        """Phones load the page of `tool` (as after a reload) and open their streams."""
        await self.close()
        self.stop = asyncio.Event()
        version = await asyncio.to_thread(current_version, self.session_pk)
        self.phones = [
            Phone(self.port, self.code, c, version, self.figures, tool) for c in self.cookies
        ]
        self.tasks = [asyncio.create_task(p.run(self.stop)) for p in self.phones]
        started = time.perf_counter()
        await asyncio.wait_for(asyncio.gather(*(p.connected.wait() for p in self.phones)), 60)
        print(f"{len(self.phones)} event streams open in {time.perf_counter() - started:.1f} s")

    async def close(self) -> None:
        self.stop.set()
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)

    async def change(self, name: str, write, check=None) -> None:
        """Make one change (`write` returns the new version) and time every phone's update;
        `check(phones, version)` counts the phones whose region is wrong."""
        await asyncio.sleep(1.5)
        t0 = time.perf_counter()
        version = await asyncio.to_thread(write)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and any(
            not any(v >= version for v in p.updated) for p in self.phones
        ):
            await asyncio.sleep(0.02)
        delays = []
        for p in self.phones:
            first = min((v for v in p.updated if v >= version), default=None)
            if first is not None:
                delays.append((p.updated[first] - t0) * 1000)
        missed = len(self.phones) - len(delays)
        wrong = await check(self.phones, version) if check else 0
        if wrong:
            self.figures.errors.append(f"{name}: {wrong} phones' regions wrong")
        self.results.append((name, delays, missed))
        print(
            f"round {len(self.results)} {name:<12}: {len(delays)} phones updated, last after "
            f"{max(delays, default=float('nan')):.0f} ms, p95 {pct(delays, 0.95):.0f} ms"
            + (f", {missed} MISSED" if missed else "")
            + (f", {wrong} WRONG" if wrong else "")
        )


async def event_phase(figures, port, code, cookies, session_pk, rounds) -> list[tuple]:
    room = Room(figures, port, code, cookies, session_pk)
    await room.open(0)
    tokens = [p.token for p in room.phones]

    async def notes_right(phones, version) -> int:
        mine = await asyncio.to_thread(own_notes, session_pk, tokens)
        return wrong_regions(phones, version, mine)

    for round_ in range(rounds):
        change = CHANGES[round_ % len(CHANGES)]
        if change == "note":
            token = random.choice(tokens)
            write = partial(post_note, session_pk, token, 2000 + round_)
        else:
            write = partial(toggle_reveal, session_pk, change == "reveal")
        await room.change(change, write, None if change == "reveal" else notes_right)
    # Dot voting on the board's themes, the totals hidden until the reveal; every dot changes
    # each phone's region (its own dots, the dots it has left).
    await asyncio.to_thread(move_to_voting, session_pk)
    await room.open(1)

    def dots_right(hidden: bool):
        async def check(phones, version) -> int:
            mine = await asyncio.to_thread(own_dots, session_pk, tokens)
            return wrong_dots(phones, version, mine, hidden)

        return check

    for n in range(max(1, rounds // 3)):
        write = partial(place_dot, session_pk, tokens[n], n)
        await room.change("vote", write, dots_right(hidden=True))
    write = partial(toggle_reveal, session_pk, True)
    await room.change("reveal votes", write, dots_right(hidden=False))
    await room.close()
    return room.results


async def drive(args, port, code, session_pk, tokens) -> tuple[Figures, list]:
    figures = Figures()
    cookies = [f"tillit_ws_{session_pk}={token}" for token in tokens]
    stop = asyncio.Event()
    baseline = asyncio.create_task(static_baseline(figures, port, stop))
    version = await asyncio.to_thread(current_version, session_pk)
    await poll_phase(figures, port, code, cookies, tokens, session_pk, version, args.poll_seconds)
    results = await event_phase(figures, port, code, cookies, session_pk, args.rounds)
    stop.set()
    await baseline
    return figures, results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--phones", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=9)
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
        # Both workers import, connect and load both languages' translations before the clock
        # runs (phones alternate between Swedish and Danish).
        for n in range(10):
            asyncio.run(get(port, "/static/tillit/tillit.css"))
            cookie = f"tillit_ws_{session_pk}={tokens[n % 2]}"
            asyncio.run(get(port, f"/w/{code}/live/?v=0&t=0", cookie))
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
    for kind in ("poll (204)", "poll (200)", "event fetch"):
        values = figures.times.get(kind, [])
        if values:
            print(f"{kind} p95 / static p95: {pct(values, 0.95) / static:.1f}x")
    for name in ALL_CHANGES:
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
    verdicts = {}
    for name in ALL_CHANGES:
        delays = [d for n, ds, _m in results if n == name for d in ds]
        missed = sum(m for n, _ds, m in results if n == name)
        if delays:
            verdicts[f"{name} → phone update p95 < 1 s"] = not missed and pct(delays, 0.95) < 1000
    for kind in ("poll (204)", "poll (200)", "event fetch"):
        if figures.times.get(kind):
            verdicts[f"{kind} p95 < 150 ms"] = pct(figures.times[kind], 0.95) < 150
    for target, met in verdicts.items():
        print(f"target {target}: {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
