"""Sustained anonymous submissions per second and p95 latency, against a one-INSERT baseline.

Run: .venv/bin/python bench/submit.py [--seconds 20] [--rounds 4] [--connections 16]
     DATABASE_URL=postgres://… .venv/bin/python bench/submit.py   (PostgreSQL instead of SQLite)

Starts `tillit serve` (gunicorn with 2 workers – --workers, --serve-threads –, the task workers
and the SQLite checkpoints) on 127.0.0.1 against a throw-away SQLite file (with DATABASE_URL: a
new database on that PostgreSQL server, dropped afterwards),
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
ratio submit/baseline (target ≥ 0.6), per round and as the median of the rounds. Each wrk
thread takes its links from its own block, so no link is used twice whatever wrk does; a 200
that is not the thank-you page ("already answered") is counted apart.
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
-- Every call of request() takes the next link of this thread's own block of the links file,
-- so no link is used twice whatever wrk does (gunicorn's gthread workers close the connection
-- after each response and wrk reconnects; a request cut off by an error is not resent with the
-- same link). Out of links, it asks for an unknown one (a 404, counted as non-2xx and apart).
local threads = {}

function setup(thread)
  thread:set("thread_id", #threads)
  table.insert(threads, thread)
end

local lines = {}
local mode, marker

function init(args)
  local path, first, per_thread = args[1], tonumber(args[2]), tonumber(args[3])
  mode, marker = args[4], args[5]
  local from = first + thread_id * per_thread
  local i = 0
  for line in io.lines(path) do
    if i >= from + per_thread then break end
    if i >= from then table.insert(lines, line) end
    i = i + 1
  end
  used, thanks, other_ok, missing = 0, 0, 0, 0
end

local headers = {
  ["Content-Type"] = "application/x-www-form-urlencoded",
  ["Cookie"] = "csrftoken=__CSRF__",
}

function request()
  used = used + 1
  local line = lines[used]
  if line == nil then
    missing = missing + 1
    line = "out-of-links 00000000-0000-0000-0000-000000000000"
  end
  local token, key = line:match("(%S+) (%S+)")
  if mode == "baseline" then
    return wrk.format("POST", "/bench/insert/", headers,
      "csrfmiddlewaretoken=__CSRF__&payload=" .. key)
  end
  return wrk.format("POST", "/s/" .. token .. "/submit/", headers,
    "csrfmiddlewaretoken=__CSRF__&idempotency_key=" .. key)
end

function response(status, headers, body)
  if status == 200 then
    if mode == "baseline" or body:find(marker, 1, true) then
      thanks = thanks + 1
    else
      other_ok = other_ok + 1  -- a 200 that is not the thank-you page: "already answered"
    end
  end
end

function done(summary, latency, requests)
  local used_total, thanks_total, other_total, missing_total = 0, 0, 0, 0
  local used_per_thread = {}
  for _, thread in ipairs(threads) do
    used_total = used_total + thread:get("used")
    thanks_total = thanks_total + thread:get("thanks")
    other_total = other_total + thread:get("other_ok")
    missing_total = missing_total + thread:get("missing")
    table.insert(used_per_thread, tostring(thread:get("used")))
  end
  local out = string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, ' ..
    '"non2xx": %d, "timeouts": %d, "connect_errors": %d, "read_errors": %d, ' ..
    '"links_used": [%s], "thanks": %d, "other_ok": %d, "out_of_links": %d}',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), summary.errors.status, summary.errors.timeout,
    summary.errors.connect, summary.errors.read, table.concat(used_per_thread, ", "),
    thanks_total, other_total, missing_total)
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


def wait_for(port: int, seconds: float = 120) -> None:
    """Until the web server answers a request (not only listens: on a busy machine gunicorn's
    workers took up to 30 s to load Django after the port was open, and a round measured then
    counted nothing), then a moment for the other workers, which booted alongside."""
    import http.client

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            client = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            client.request("GET", "/health")
            client.getresponse().read()
            client.close()
            time.sleep(2)
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("tillit serve did not start")


def server_cpu(pid: int) -> dict[str, float]:
    """CPU seconds used so far by the processes of `tillit serve`'s session (started with
    start_new_session), by role: "web" (gunicorn), "tasks" (the task workers), "supervisor"."""
    ticks = os.sysconf("SC_CLK_TCK")
    used = {"web": 0.0, "tasks": 0.0, "supervisor": 0.0}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if int(fields[3]) != pid:  # session id
            continue
        if b"worker" in command:
            role = "tasks"
        elif b"serve" in command:
            role = "supervisor"
        else:
            role = "web"
        used[role] += (int(fields[11]) + int(fields[12])) / ticks
    return used


def run_wrk(
    port, script, links_file, mode, seconds, connections, threads, first, per_thread, marker
) -> dict:
    """One wrk run; thread t of it takes links first + t × per_thread … (+ per_thread)."""
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
            str(first),
            str(per_thread),
            mode,
            marker,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT "))
    result = json.loads(line[len("RESULT ") :])
    result["per_second"] = result["requests"] / (result["duration_us"] / 1e6)
    # What the rate counts: completed requests that stored (the thank-you page, or for the
    # baseline its page); an "already answered" or an error page is no submit.
    result["ok_per_second"] = result["thanks"] / (result["duration_us"] / 1e6)
    return result


def combine(results: list[dict]) -> dict:
    """One endpoint's rounds as one: requests over total time; latency percentiles and error
    counts as the rounds' medians and sums."""
    requests = sum(r["requests"] for r in results)
    seconds = sum(r["duration_us"] for r in results) / 1e6
    ok = sum(r["thanks"] for r in results)
    out = {"requests": requests, "per_second": requests / seconds, "ok_per_second": ok / seconds}
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
    parser.add_argument(
        "--serve-threads",
        type=int,
        default=None,
        help="threads of each web process (`tillit serve --threads`; default: serve's own)",
    )
    parser.add_argument("--invitations", type=int, default=30000)
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


def serve_environment(url: str, tmp: Path) -> dict[str, str]:
    """The environment of a bench's `tillit serve` (and of this process, which prepares its
    data): the bench's settings, a throw-away data folder and database, production-like."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.submit_settings",
        "TILLIT_DATA_DIR": str(tmp),
        "TILLIT_SECRET_KEY": secrets.token_urlsafe(40),
        "TILLIT_ALLOWED_HOSTS": "127.0.0.1",
        "TILLIT_DEBUG": "false",  # as in production: no query log, no debug pages
        "TILLIT_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": url,
    }
    os.environ.update(env)
    return env


def run(args: argparse.Namespace, url: str, tmp: Path, database: str) -> None:
    """Prepare the links, start `tillit serve`, drive both endpoints and print the figures."""
    env = serve_environment(url, tmp)

    links = prepare(args.invitations)
    links_file = tmp / "links.txt"
    links_file.write_text("".join(f"{t} {k}\n" for t, k in links))
    script = tmp / "submit.lua"
    script.write_text(WRK_SCRIPT)
    marker = thanks_marker()

    port = free_port()
    # `tillit serve`, as deployed: gunicorn, the task worker (which refreshes results while
    # answers arrive) and, on SQLite, the supervisor's write-ahead-log checkpoints. Baseline
    # and submit are served by the same server, so whatever its workers cost, both pay it.
    command = [sys.executable, "-m", "tillit", "serve", "--workers", str(args.workers)]
    command += ["--port", str(port)]
    if args.serve_threads:
        command += ["--threads", str(args.serve_threads)]
    server = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, start_new_session=True
    )
    # Each wrk run (warm-up and rounds) gets its own block of links, each wrk thread its own
    # part of the block, so that every request uses a link never used before.
    warm = 1000 * args.threads
    per_thread = (len(links) - warm) // (args.rounds * args.threads)
    blocks: list[
        tuple[int, int, dict]
    ] = []  # (first link, per thread, wrk result) of every submit run
    rounds: dict[str, list[dict]] = {"baseline": [], "submit": []}
    cpu: dict[str, dict[str, float]] = {"baseline": {}, "submit": {}}  # seconds, by role
    try:
        wait_for(port)
        # Warm every worker (imports, connections, the instrument's per-process caches).
        run_wrk(port, script, links_file, "baseline", 2, args.connections, args.threads, 0, 0, "")
        result = run_wrk(
            port, script, links_file, "submit", 1, 4, args.threads, 0, warm // args.threads, marker
        )
        blocks.append((0, warm // args.threads, result))
        # The endpoints take turns in short rounds (B S, S B, B S …): this VM's disk and CPU
        # change speed from one minute to the next, and a single long run of each measured
        # that drift as much as the code.
        slice_seconds = max(1, args.seconds // args.rounds)
        for r in range(args.rounds):
            order = ("baseline", "submit") if r % 2 == 0 else ("submit", "baseline")
            first = warm + r * per_thread * args.threads
            for mode in order:
                before = server_cpu(server.pid)
                result = run_wrk(
                    port,
                    script,
                    links_file,
                    mode,
                    slice_seconds,
                    args.connections,
                    args.threads,
                    first,
                    per_thread,
                    marker,
                )
                for role, seconds in server_cpu(server.pid).items():
                    cpu[mode][role] = cpu[mode].get(role, 0.0) + seconds - before[role]
                rounds[mode].append(result)
                if mode == "submit":
                    blocks.append((first, per_thread, result))
    finally:
        server.send_signal(signal.SIGTERM)  # serve stops its children
        server.wait(timeout=60)
    report(args, database, links, blocks, rounds, cpu)


def thanks_marker() -> str:
    """A line of the thank-you page in the campaign's language (the bench's organisation has
    the default one): a 200 without it is "already answered", not a stored submit."""
    from django.conf import settings
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        return translation.gettext("Thank you for your answers")


def check_links(links: list[tuple[str, str]], blocks: list[tuple[int, int, dict]]) -> dict:
    """What the database holds for the links the submit runs used, and for the others."""
    from tillit.surveys.models import Invitation, Response

    used: list[str] = []
    for first, per_thread, result in blocks:
        for t, count in enumerate(result["links_used"]):
            start = first + t * per_thread
            used += [key for _token, key in links[start : start + min(count, per_thread)]]
    stored_used = 0
    for start in range(0, len(used), 500):
        stored_used += Invitation.objects.filter(
            responded=True, idempotency_key__in=used[start : start + 500]
        ).count()
    return {
        "links_used": len(used),
        "stored_used": stored_used,
        "claimed": Invitation.objects.filter(responded=True).count(),
        "responses": Response.objects.count(),  # the throw-away database holds this run only
    }


def report(args, database, links, blocks, rounds, cpu) -> None:
    """Print both endpoints' figures, the database's check and the ratios."""
    baseline, submit = (combine(rounds[mode]) for mode in ("baseline", "submit"))
    thanks = sum(result["thanks"] for _first, _per_thread, result in blocks)
    answered = sum(result["other_ok"] for _first, _per_thread, result in blocks)
    missing = sum(result["out_of_links"] for result in rounds["submit"])  # not the warm-up's
    check = check_links(links, blocks)
    print(
        f"Database: {database}; tillit serve, {args.workers} web workers"
        f"{f' × {args.serve_threads} threads' if args.serve_threads else ''} on 127.0.0.1; "
        f"wrk {args.threads} threads, {args.connections} connections, {args.seconds} s per "
        f"endpoint in {args.rounds} alternating rounds"
    )
    for name, result in (("baseline (one INSERT)", baseline), ("submit", submit)):
        print(
            f"{name:22} {result['ok_per_second']:8.0f}/s   p50 {result['p50_us'] / 1000:6.1f} ms"
            f"   p95 {result['p95_us'] / 1000:6.1f} ms   p99 {result['p99_us'] / 1000:6.1f} ms"
            f"   non-2xx {result['non2xx']}   timeouts {result['timeouts']}"
            f"   connect/read errors {result['connect_errors']}/{result['read_errors']}"
        )
    # Every thank-you page stands for one stored response; requests still in flight when wrk
    # stopped (or cut off by an error) stored without being counted, at most one per
    # connection and run. No link may hold a response it was not sent for, none two.
    in_flight = check["stored_used"] - thanks
    runs = len(blocks)
    exact = (
        check["stored_used"] == check["claimed"] == check["responses"]
        and 0 <= in_flight <= args.connections * runs
        and answered == 0
    )
    print(
        f"links used {check['links_used']}, responses stored {check['stored_used']} "
        f"({check['responses']} in the database) for {thanks} thank-you pages and {in_flight} "
        f'requests in flight at the runs\' ends; "already answered" {answered}; out of links '
        f"{missing} – {'one response per submit' if exact else 'MISMATCH'}"
    )
    if missing:
        print("warning: a wrk thread ran out of links (raise --invitations)")
    # Where the server's time went: what a request costs the CPUs (this VM has 2), by process.
    per_request = {}
    for mode in ("baseline", "submit"):
        requests = sum(r["thanks"] for r in rounds[mode]) or 1
        seconds = sum(r["duration_us"] for r in rounds[mode]) / 1e6
        per_request[mode] = sum(cpu[mode].values()) / requests * 1000
        print(
            f"server CPU per {mode}: {per_request[mode]:.2f} ms ("
            + ", ".join(f"{role} {s / requests * 1000:.2f}" for role, s in cpu[mode].items())
            + f"); the server used {sum(cpu[mode].values()) / seconds:.2f} CPUs"
        )
    cpu_ratio = per_request["baseline"] / per_request["submit"]
    print(f"CPU per baseline / CPU per submit: {cpu_ratio:.2f}")
    ratio = submit["ok_per_second"] / baseline["ok_per_second"]
    per_round = [
        s["ok_per_second"] / b["ok_per_second"] if b["ok_per_second"] else float("nan")
        for b, s in zip(rounds["baseline"], rounds["submit"], strict=True)
    ]
    print(
        f"ratio submit/baseline: {ratio:.2f} (target ≥ 0.6); per round "
        + ", ".join(f"{r:.2f}" for r in per_round)
        + f"; median of rounds {statistics.median(per_round):.2f}"
    )


if __name__ == "__main__":
    main()
