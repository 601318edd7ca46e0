"""Light requests while managers download unit reports (PDF), against the same requests alone.

Run: .venv/bin/python bench/long_work.py [--seconds 24] [--rounds 4] [--clients 8] [--readers 4]
     DATABASE_URL=postgres://… .venv/bin/python bench/long_work.py   (PostgreSQL instead of SQLite)

Starts `tillit serve` (2 gthread workers with their request slots) on 127.0.0.1 against a
throw-away database holding the small demo, and takes turns in --rounds rounds between:

- alone:        --clients clients sending the one-INSERT form POST of bench/submit.py
                (bench/submit_urls.py: a light request through all the middleware), back to back;
- with reports: the same clients while --readers logged-in process owners download unit reports
                (`results:unit_pdf`, WeasyPrint) back to back.

Prints, for the light requests, requests/s and p50/p95/p99 in both phases and the ratios
"with reports ÷ alone" (rate, p95), and the reports made per second. `core.middleware.long_work`
is what this measures: run it on two commits to compare.
"""

from __future__ import annotations

import argparse
import http.client
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
from bench.submit import CSRF, free_port, serve_environment, wait_for  # noqa: E402

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def request(port: int, method: str, url: str, cookie: str = "", form=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Cookie": cookie} if cookie else {}
    body = None
    if form is not None:
        body = urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection.request(method, url, body=body, headers=headers)
    response = connection.getresponse()
    content = response.read()
    connection.close()
    cookies = [
        value.split(";", 1)[0]
        for name, value in response.getheaders()
        if name.lower() == "set-cookie"
    ]
    return response.status, content, cookies


def log_in(port: int, email: str, password: str) -> str:
    """A session cookie for the account (the login form, as a browser sends it)."""
    _status, page, cookies = request(port, "GET", "/login/")
    jar = dict(c.split("=", 1) for c in cookies)
    csrf = CSRF_FIELD.search(page.decode()).group(1)
    cookie = f"csrftoken={jar['csrftoken']}"
    status, _page, cookies = request(
        port,
        "POST",
        "/login/",
        cookie,
        [("csrfmiddlewaretoken", csrf), ("username", email), ("password", password)],
    )
    jar.update(c.split("=", 1) for c in cookies)
    if status != 302 or "sessionid" not in jar:
        raise RuntimeError(f"login of {email}: HTTP {status}")
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def light(port: int) -> float:
    start = time.perf_counter()
    status, _content, _cookies = request(
        port,
        "POST",
        "/bench/insert/",
        f"csrftoken={CSRF}",
        [("csrfmiddlewaretoken", CSRF), ("payload", "x")],
    )
    if status != 200:
        raise RuntimeError(f"light request: HTTP {status}")
    return time.perf_counter() - start


def phase(port: int, seconds: float, clients: int, reports: list[tuple[str, str]]) -> dict:
    """Light requests from `clients` threads for `seconds`, with a reader per report URL."""
    stop = time.monotonic() + seconds
    durations: list[float] = []
    made = [0]
    lock = threading.Lock()

    def client() -> None:
        while time.monotonic() < stop:
            took = light(port)
            with lock:
                durations.append(took)

    def reader(cookie: str, url: str) -> None:
        while time.monotonic() < stop:
            status, content, _cookies = request(port, "GET", url, cookie)
            if status != 200 or not content.startswith(b"%PDF"):
                raise RuntimeError(f"{url}: HTTP {status}")
            with lock:
                made[0] += 1

    threads = [threading.Thread(target=client) for _ in range(clients)]
    threads += [threading.Thread(target=reader, args=pair) for pair in reports]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"durations": durations, "seconds": seconds, "reports": made[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=24, help="per phase, all rounds")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--clients", type=int, default=8, help="light clients")
    parser.add_argument("--readers", type=int, default=4, help="report downloads at once")
    args = parser.parse_args()
    with throwaway_database("long_work") as (url, tmp):
        print(machine_speed(), "(before)")
        run(args, url, tmp)
        print(machine_speed(), "(after)")


def run(args: argparse.Namespace, url: str, tmp: Path) -> None:
    env = serve_environment(url, tmp)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_insert (payload TEXT)")
    from tillit.org.demo import DEMO_PASSWORD, TILLBY, TILLBY_OWNER, build_demo
    from tillit.org.models import Unit
    from tillit.surveys.models import Campaign

    build_demo("small")
    campaign = (
        Campaign.objects.filter(organisation__slug=TILLBY, status=Campaign.Status.CLOSED)
        .order_by("-closes_on")
        .first()
    )
    units = list(Unit.objects.subtree(campaign.target_unit)[:4])
    connection.close()

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "tillit", "serve", "--workers", "2", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    phases = {"alone": [], "with reports": []}
    try:
        wait_for(port)
        cookie = log_in(port, TILLBY_OWNER, DEMO_PASSWORD)
        reports = [
            (
                cookie,
                f"/o/{TILLBY}/results/{campaign.pk}/units/{units[i % len(units)].pk}/report.pdf",
            )
            for i in range(args.readers)
        ]
        phase(port, 3, 2, reports[:1])  # warm: fonts, templates, connections
        share = max(1, args.seconds // args.rounds)
        for r in range(args.rounds):
            order = ("alone", "with reports") if r % 2 == 0 else ("with reports", "alone")
            for name in order:
                phases[name].append(
                    phase(port, share, args.clients, reports if name == "with reports" else [])
                )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)

    figures = {}
    for name, runs in phases.items():
        durations = [d for run_ in runs for d in run_["durations"]]
        seconds = sum(run_["seconds"] for run_ in runs)
        cuts = statistics.quantiles(durations, n=100)
        figures[name] = {
            "rate": len(durations) / seconds,
            "p50": statistics.median(durations) * 1000,
            "p95": cuts[94] * 1000,
            "p99": cuts[98] * 1000,
            "reports": sum(run_["reports"] for run_ in runs) / seconds,
        }
    database = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    print(
        f"Database: {database}; tillit serve, 2 web workers; {args.clients} light clients, "
        f"{args.readers} report readers; {args.seconds} s per phase in {args.rounds} rounds"
    )
    for name, f in figures.items():
        print(
            f"{name:13} light {f['rate']:7.1f}/s  p50 {f['p50']:7.1f} ms  p95 {f['p95']:7.1f} ms"
            f"  p99 {f['p99']:7.1f} ms   reports {f['reports']:.2f}/s"
        )
    alone, loaded = figures["alone"], figures["with reports"]
    print(
        f"with reports ÷ alone: light rate {loaded['rate'] / alone['rate']:.2f}, "
        f"p95 {loaded['p95'] / alone['p95']:.1f}×"
    )


if __name__ == "__main__":
    main()
