"""The respondent's whole journey, completed journeys per second, against a one-INSERT baseline.

Run: .venv/bin/python bench/journey.py [--seconds 20] [--rounds 4] [--respondents 16] [--workers 2]
     DATABASE_URL=postgres://… .venv/bin/python bench/journey.py   (PostgreSQL instead of SQLite)

Starts `tillit serve` (gunicorn with --workers gthread workers and their request slots, the task
worker and, on SQLite, the checkpoints) on 127.0.0.1 against a throw-away database, prepares an
open HME campaign with fresh personal links (no drafts), and lets --respondents concurrent clients
take turns between two loads in --rounds short rounds (this VM's speed drifts by the minute):

- baseline: POST /bench/insert/ – a form POST through the same middleware whose view does one
  INSERT and returns a tiny page (bench/submit_urls.py), one request after the other;
- journey:  what a phone does with a link, following the pages the server sends like a browser:
  open the link, answer each page and press Next (following a redirect if one comes), the review
  page, "Send my answers", the thank-you page.

Prints completed journeys per second, requests per journey, p95 of a whole journey, the server's
CPU time per journey (gunicorn and the task worker, read from /proc), the baseline's requests per
second and CPU per request, and the ratio journeys/s ÷ baseline requests/s – how many one-INSERT
requests a whole journey costs is its inverse. Checks that every completed journey stored exactly
one response. The clients are Python threads in this process: they cost the same for both loads.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._database import machine_speed, throwaway_database  # noqa: E402
from bench.submit import (  # noqa: E402
    CSRF,
    free_port,
    prepare,
    serve_environment,
    server_cpu,
    wait_for,
)

RADIO = re.compile(r'type="(?:radio|checkbox)" name="(a:[^"]+)" value="([^"]*)"')
TEXTAREA = re.compile(r'<textarea[^>]*name="(a:[^"]+)"')
SELECT = re.compile(r'<select[^>]*name="(b:[^"]+)"')
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
PAGE_FIELD = re.compile(r'name="page" value="(\d+)"')
KEY_FIELD = re.compile(r'name="idempotency_key" value="([^"]+)"')
FORM_ACTION = re.compile(r'<form method="post"(?: action="([^"]*)")?[^>]*id="page-form"')


class Client:
    """One phone: plain HTTP/1.1 requests, a cookie jar of one (CSRF), redirects followed."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookie = ""
        self.requests = 0

    def request(self, method: str, url: str, form: list[tuple[str, str]] | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Cookie": self.cookie} if self.cookie else {}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, url, body=body, headers=headers)
        response = connection.getresponse()
        html = response.read().decode()
        connection.close()
        self.requests += 1
        for name, value in response.getheaders():
            if name.lower() == "set-cookie" and value.startswith("csrftoken="):
                self.cookie = value.split(";", 1)[0]
        return response.status, response.getheader("Location"), html


def journey(port: int, token: str) -> int:
    """Answer one link from opening to the thank-you page; returns the requests it took."""
    client = Client(port)
    url = f"/s/{token}/"
    status, _location, html = client.request("GET", url)
    for _step in range(20):
        if status != 200:
            raise RuntimeError(f"{url}: HTTP {status}")
        csrf = CSRF_FIELD.search(html).group(1)
        key = KEY_FIELD.search(html)
        if key:  # the review page: send
            status, _location, html = client.request(
                "POST",
                f"/s/{token}/submit/",
                [("csrfmiddlewaretoken", csrf), ("idempotency_key", key.group(1))],
            )
            if status != 200:
                raise RuntimeError(f"submit: HTTP {status}")
            return client.requests
        form = [("csrfmiddlewaretoken", csrf), ("page", PAGE_FIELD.search(html).group(1))]
        chosen: dict[str, str] = {}
        for name, value in RADIO.findall(html):
            if name not in chosen or value == "4":  # "4" where the scale has it
                chosen[name] = value
        form += list(chosen.items())
        form += [(name, "") for name in TEXTAREA.findall(html) + SELECT.findall(html)]
        form.append(("action", "next"))
        action = FORM_ACTION.search(html)
        target = action.group(1) if action and action.group(1) else url
        if target.startswith("?"):
            target = url.split("?", 1)[0] + target
        status, location, html = client.request("POST", target, form)
        url = target
        if status in (301, 302, 303):
            url = location
            status, _location, html = client.request("GET", url)
    raise RuntimeError("no review page after 20 pages")


def baseline(port: int, _token: str) -> int:
    """The floor: one form POST that stores one row."""
    client = Client(port)
    client.cookie = f"csrftoken={CSRF}"
    status, _location, _html = client.request(
        "POST", "/bench/insert/", [("csrfmiddlewaretoken", CSRF), ("payload", "x")]
    )
    if status != 200:
        raise RuntimeError(f"baseline: HTTP {status}")
    return 1


def load(port, work, tokens, seconds: float, respondents: int) -> dict:
    """Run `work` from `respondents` threads for `seconds`; completions, requests, durations."""
    stop = time.monotonic() + seconds
    lock = threading.Lock()
    durations: list[float] = []
    counts = {"done": 0, "requests": 0, "errors": 0}

    def respondent() -> None:
        while time.monotonic() < stop:
            with lock:
                token = tokens.pop() if tokens else None
            if token is None:
                return
            start = time.perf_counter()
            try:
                requests = work(port, token)
            except (RuntimeError, OSError, AttributeError) as error:
                with lock:
                    counts["errors"] += 1
                    if counts["errors"] <= 3:
                        print(f"  error: {error}")
                continue
            with lock:
                durations.append(time.perf_counter() - start)
                counts["done"] += 1
                counts["requests"] += requests

    threads = [threading.Thread(target=respondent) for _ in range(respondents)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {**counts, "seconds": time.perf_counter() - began, "durations": durations}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=20, help="per load, all rounds")
    parser.add_argument("--rounds", type=int, default=4, help="alternating rounds")
    parser.add_argument("--respondents", type=int, default=16, help="concurrent clients")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--invitations", type=int, default=12000)
    args = parser.parse_args()
    database = (
        "PostgreSQL" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "SQLite"
    )
    with throwaway_database("journey") as (url, tmp):
        print(machine_speed(), "(before)")
        run(args, url, tmp, database)
        print(machine_speed(), "(after)")


def run(args: argparse.Namespace, url: str, tmp: Path, database: str) -> None:
    """Prepare the links, start `tillit serve`, take turns between the loads, print figures."""
    env = serve_environment(url, tmp)
    tokens = [token for token, _key in prepare(args.invitations, drafts=False)]
    all_tokens = list(tokens)
    port = free_port()
    command = [sys.executable, "-m", "tillit", "serve", "--workers", str(args.workers)]
    server = subprocess.Popen(
        [*command, "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    totals = {
        name: {"done": 0, "requests": 0, "errors": 0, "seconds": 0.0, "cpu": 0.0, "durations": []}
        for name in ("baseline", "journey")
    }
    try:
        wait_for(port)
        load(port, baseline, ["warm"] * 50, 2, 4)
        load(port, journey, [tokens.pop() for _ in range(8)], 5, 4)
        slice_seconds = max(1, args.seconds // args.rounds)
        for r in range(args.rounds):
            order = ("baseline", "journey") if r % 2 == 0 else ("journey", "baseline")
            for name in order:
                work = baseline if name == "baseline" else journey
                queue = ["x"] * 10**6 if name == "baseline" else tokens
                cpu = sum(server_cpu(server.pid).values())
                result = load(port, work, queue, slice_seconds, args.respondents)
                total = totals[name]
                total["cpu"] += sum(server_cpu(server.pid).values()) - cpu
                for key in ("done", "requests", "errors", "seconds"):
                    total[key] += result[key]
                total["durations"] += result["durations"]
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)

    import django  # noqa: F401 – set up by prepare()

    from tillit.surveys.models import Invitation, Response, hash_token

    remaining = set(tokens)
    used = [hash_token(t) for t in all_tokens if t not in remaining]
    stored = sum(
        Invitation.objects.filter(token_hash__in=used[i : i + 500], responded=True).count()
        for i in range(0, len(used), 500)
    )
    responses = Response.objects.count()

    print(
        f"Database: {database}; tillit serve, {args.workers} web workers on 127.0.0.1; "
        f"{args.respondents} concurrent clients, {args.seconds} s per load in {args.rounds} "
        "alternating rounds"
    )
    b, j = totals["baseline"], totals["journey"]
    b_rate = b["done"] / b["seconds"]
    j_rate = j["done"] / j["seconds"]
    b_p95 = statistics.quantiles(b["durations"], n=20)[-1] * 1000
    j_p95 = statistics.quantiles(j["durations"], n=20)[-1] * 1000
    per_journey = j["requests"] / max(j["done"], 1)
    print(
        f"baseline (one INSERT)  {b_rate:8.1f} requests/s   p95 {b_p95:7.1f} ms   "
        f"server CPU {b['cpu'] / max(b['done'], 1) * 1000:6.2f} ms/request   errors {b['errors']}"
    )
    print(
        f"journey                {j_rate:8.1f} journeys/s   p95 {j_p95:7.1f} ms   "
        f"server CPU {j['cpu'] / max(j['done'], 1) * 1000:6.2f} ms/journey   "
        f"{per_journey:.1f} requests/journey   errors {j['errors']}"
    )
    print(
        f"responses stored: {responses} for {j['done']} completed journeys "
        f"({stored} links used; {'one each' if responses == stored >= j['done'] else 'MISMATCH'})"
    )
    print(
        f"ratio journeys/s ÷ baseline requests/s: {j_rate / b_rate:.3f} "
        f"(a journey costs {b_rate / j_rate:.1f} one-INSERT requests)"
    )


if __name__ == "__main__":
    main()
