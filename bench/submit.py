"""Sustained anonymous submissions per second and p95 latency, against a one-INSERT baseline.

Run: .venv/bin/python bench/submit.py [--seconds 20] [--rounds 4] [--connections 16]
     DATABASE_URL=postgres://… .venv/bin/python bench/submit.py   (PostgreSQL instead of SQLite)

Starts `tillit serve` (gunicorn with 2 sync workers – --workers –, the task worker and the SQLite
checkpoints) on 127.0.0.1 against a throw-away SQLite file (with DATABASE_URL: a new database on
that PostgreSQL server, dropped afterwards),
prepares an open HME campaign with --invitations links whose drafts hold complete answers,
then drives two endpoints with wrk for --seconds each, in the same run, taking turns in
--rounds short rounds (this VM's speed drifts from minute to minute):

- baseline: POST /bench/insert/ – a form POST through the same middleware (sessions, CSRF,
  locale, CSP …) whose view does one INSERT (bench/submit_urls.py, only used here);
- submit:   POST /s/<token>/submit/ – the real submit: find the invitation and its draft by the
  token's hash, validate all answers with the instrument, then in one transaction claim the
  link, insert the response and its nine answers and delete the draft; the thank-you page.

Every request of a run uses a fresh link. Prints requests/s, p50/p95/p99 latency, non-2xx
counts, checks that the database holds exactly one response per successful submit, and the
ratio submit/baseline (target ≥ 0.5).
"""

import argparse
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._database import machine_speed, throwaway_database  # noqa: E402

CSRF = secrets.token_hex(16)  # a 32-character CSRF secret, sent as cookie and form field
ANSWERS = {
    "mot1": 4,
    "mot2": 5,
    "mot3": 3,
    "led1": 4,
    "led2": 4,
    "led3": 5,
    "sty1": 3,
    "sty2": 2,
    "sty3": 4,
}

WRK_SCRIPT = r"""
local lines = {}
local counter = 0
local threads = {}
local path, nthreads, mode, offset = nil, nil, nil, 0

function setup(thread)
  thread:set("thread_id", #threads)
  table.insert(threads, thread)
end

function init(args)
  path, nthreads, mode, offset = args[1], tonumber(args[2]), args[3], tonumber(args[4])
  local i = 0
  for line in io.lines(path) do
    if i >= offset and i % nthreads == thread_id then table.insert(lines, line) end
    i = i + 1
  end
end

local headers = {
  ["Content-Type"] = "application/x-www-form-urlencoded",
  ["Cookie"] = "csrftoken=__CSRF__",
}

function request()
  counter = counter + 1
  local line = lines[counter]
  if line == nil then
    line = lines[#lines]  -- out of links: replays (should not happen; counted below)
  end
  local token, key = line:match("(%S+) (%S+)")
  if mode == "baseline" then
    return wrk.format("POST", "/bench/insert/", headers,
      "csrfmiddlewaretoken=__CSRF__&payload=" .. key)
  end
  return wrk.format("POST", "/s/" .. token .. "/submit/", headers,
    "csrfmiddlewaretoken=__CSRF__&idempotency_key=" .. key)
end

function done(summary, latency, requests)
  local out = string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, ' ..
    '"non2xx": %d, "timeouts": %d, "connect_errors": %d, "read_errors": %d}',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), summary.errors.status, summary.errors.timeout,
    summary.errors.connect, summary.errors.read)
  io.write("RESULT " .. out .. "\n")
end
""".replace("__CSRF__", CSRF)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare(n: int, *, drafts: bool = True) -> list[tuple[str, str]]:
    """An open HME campaign with n links, each with a complete draft (without `drafts`: fresh
    links, as a journey starts); returns (token, key)."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from tillit.instruments.shipped import install_shipped
    from tillit.org.models import Organisation, Unit
    from tillit.surveys.models import (
        Campaign,
        CampaignInstrument,
        Draft,
        Invitation,
        hash_token,
        new_token,
    )

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE TABLE IF NOT EXISTS bench_insert (id bigserial primary key, payload text)"
            )
        else:
            cursor.execute(
                "CREATE TABLE IF NOT EXISTS bench_insert "
                "(id integer primary key autoincrement, payload text)"
            )
    versions = {v.instrument.slug: v for v, _new in install_shipped()}
    today = timezone.localdate()
    links = []
    with transaction.atomic():
        org = Organisation.objects.create(slug=f"bench-{uuid.uuid4().hex[:8]}", name="Bench")
        root = Unit.objects.create(organisation=org, external_id="R", name="Bench")
        units = [
            Unit.objects.create(organisation=org, external_id=f"U{i}", name=f"U{i}", parent=root)
            for i in range(20)
        ]
        campaign = Campaign.objects.create(
            organisation=org,
            name="Bench",
            target_unit=root,
            opens_on=today,
            closes_on=today + timezone.timedelta(days=7),
            status=Campaign.Status.OPEN,
        )
        CampaignInstrument.objects.create(campaign=campaign, version=versions["hme"])
        invitations, made = [], []
        for i in range(n):
            token, key = new_token(), uuid.uuid4()
            digest = hash_token(token)
            invitations.append(
                Invitation(campaign=campaign, unit=units[i % len(units)], token_hash=digest)
            )
            made.append(
                Draft(
                    invitation_id=digest,
                    campaign=campaign,
                    answers={"hme": ANSWERS},
                    page=3,
                    idempotency_key=key,
                )
            )
            links.append((token, str(key)))
        Invitation.objects.bulk_create(invitations, batch_size=2000)
        if drafts:
            Draft.objects.bulk_create(made, batch_size=2000)
    if connection.vendor == "sqlite":
        # Start from an empty write-ahead log, so the first seconds measured do not copy the
        # prepared links into the database file.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    return links


def count_rows(campaign_links: list[tuple[str, str]]) -> tuple[int, int]:
    """(responses stored for these links' keys, baseline rows)."""
    from django.db import connection

    from tillit.surveys.models import Invitation, Response

    # A response keeps no key of its submit (that would link it to its draft): the key is on
    # the claimed link, and each claim stored exactly one response in the same statement.
    keys = [key for _token, key in campaign_links]
    stored = 0
    for start in range(0, len(keys), 500):
        stored += Invitation.objects.filter(
            responded=True, idempotency_key__in=keys[start : start + 500]
        ).count()
    if Response.objects.count() != stored:  # the throw-away database holds this run only
        stored = -1
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM bench_insert")
        baseline = cursor.fetchone()[0]
    return stored, baseline


def wait_for(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("tillit serve did not start")


def run_wrk(port, script, links_file, mode, seconds, connections, threads, offset=0) -> dict:
    done = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}",
            "--",
            str(links_file),
            str(threads),
            mode,
            str(offset),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT "))
    result = json.loads(line[len("RESULT ") :])
    result["per_second"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def combine(results: list[dict]) -> dict:
    """One endpoint's rounds as one: requests over total time; latency percentiles and error
    counts as the rounds' medians and sums."""
    requests = sum(r["requests"] for r in results)
    seconds = sum(r["duration_us"] for r in results) / 1e6
    out = {"requests": requests, "per_second": requests / seconds}
    for key in ("p50_us", "p95_us", "p99_us"):
        out[key] = statistics.median(r[key] for r in results)
    for key in ("non2xx", "timeouts", "connect_errors", "read_errors"):
        out[key] = sum(r[key] for r in results)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=20, help="per endpoint, all rounds")
    parser.add_argument("--rounds", type=int, default=4, help="alternating rounds")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--invitations", type=int, default=20000)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing (apt-get install wrk)")
    database = (
        "PostgreSQL" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "SQLite"
    )
    with throwaway_database("submit") as (url, tmp):
        print(machine_speed(), "(before)")
        run(args, url, tmp, database)
        print(machine_speed(), "(after)")


def run(args: argparse.Namespace, url: str, tmp: Path, database: str) -> None:
    """Prepare the links, start `tillit serve`, drive both endpoints and print the figures."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.submit_settings",
        "TILLIT_DATA_DIR": str(tmp),
        "TILLIT_SECRET_KEY": secrets.token_urlsafe(40),
        "TILLIT_ALLOWED_HOSTS": "127.0.0.1",
        "TILLIT_DEBUG": "false",  # as in production: no query log, no debug pages
        "TILLIT_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "PYTHONPATH": str(ROOT),
    }
    env["DATABASE_URL"] = url
    os.environ.update(env)

    links = prepare(args.invitations)
    links_file = tmp / "links.txt"
    links_file.write_text("".join(f"{t} {k}\n" for t, k in links))
    script = tmp / "submit.lua"
    script.write_text(WRK_SCRIPT)

    port = free_port()
    # `tillit serve`, as deployed: gunicorn, the task worker (which refreshes results while
    # answers arrive) and, on SQLite, the supervisor's write-ahead-log checkpoints.
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tillit",
            "serve",
            "--workers",
            str(args.workers),
            "--port",
            str(port),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    rounds: dict[str, list[dict]] = {"baseline": [], "submit": []}
    try:
        wait_for(port)
        # Warm both workers (imports, connections) before measuring.
        run_wrk(port, script, links_file, "baseline", 1, 4, 1)
        # The endpoints take turns in short rounds (B S, S B, B S …): this VM's disk and CPU
        # change speed from one minute to the next, and a single long run of each measured
        # that drift as much as the code.
        offset = 0
        slice_seconds = max(1, args.seconds // args.rounds)
        for r in range(args.rounds):
            order = ("baseline", "submit") if r % 2 == 0 else ("submit", "baseline")
            for mode in order:
                result = run_wrk(
                    port,
                    script,
                    links_file,
                    mode,
                    slice_seconds,
                    args.connections,
                    args.threads,
                    offset,
                )
                rounds[mode].append(result)
                if mode == "submit":  # the next round starts on fresh links
                    offset += result["requests"] + args.connections
    finally:
        server.send_signal(signal.SIGTERM)  # serve stops its children
        server.wait(timeout=60)
    baseline, submit = (combine(rounds[mode]) for mode in ("baseline", "submit"))

    stored, _baseline_rows = count_rows(links)
    if offset > len(links):
        print(
            f"warning: {submit['requests']} submits but only {len(links)} links "
            "(raise --invitations)"
        )
    print(
        f"Database: {database}; tillit serve, {args.workers} web workers on 127.0.0.1; "
        f"wrk {args.threads} threads, {args.connections} connections, {args.seconds} s per "
        f"endpoint in {args.rounds} alternating rounds"
    )
    for name, result in (("baseline (one INSERT)", baseline), ("submit", submit)):
        print(
            f"{name:22} {result['per_second']:8.0f}/s   p50 {result['p50_us'] / 1000:6.1f} ms"
            f"   p95 {result['p95_us'] / 1000:6.1f} ms   p99 {result['p99_us'] / 1000:6.1f} ms"
            f"   non-2xx {result['non2xx']}   timeouts {result['timeouts']}"
            f"   connect/read errors {result['connect_errors']}/{result['read_errors']}"
        )
    ok_submits = submit["requests"] - submit["non2xx"]
    # Requests still in flight when wrk stops are stored but not counted by wrk.
    in_flight_ok = ok_submits <= stored <= ok_submits + args.connections * args.rounds
    print(
        f"responses stored: {stored} for {ok_submits} submits counted by wrk "
        f"({'one each' if in_flight_ok else 'MISMATCH'})"
    )
    ratio = submit["per_second"] / baseline["per_second"]
    per_round = [
        s["per_second"] / b["per_second"]
        for b, s in zip(rounds["baseline"], rounds["submit"], strict=True)
    ]
    print(
        f"ratio submit/baseline: {ratio:.2f} (target ≥ 0.5); per round "
        + ", ".join(f"{r:.2f}" for r in per_round)
    )


if __name__ == "__main__":
    main()
