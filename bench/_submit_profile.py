"""The submit and the one-INSERT baseline of bench/submit.py in process, one request at a time:
time per request, queries per request, and a cProfile of the submit.

Run: .venv/bin/python bench/_submit_profile.py [--requests 2000] [--profile]
     (DATABASE_URL=postgres://… for PostgreSQL). Not a benchmark of its own (`make bench` skips
files starting with an underscore): it shows where a submit's time goes.
"""

import argparse
import cProfile
import io
import os
import pstats
import secrets
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._database import throwaway_database  # noqa: E402


def environ(path: str, body: bytes, csrf: str) -> dict:
    return {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "HTTP_HOST": "127.0.0.1",
        "REMOTE_ADDR": "127.0.0.1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": str(len(body)),
        "HTTP_COOKIE": f"csrftoken={csrf}",
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--queries", action="store_true", help="list one submit's queries")
    parser.add_argument("--dump", help="with --profile: write the pstats file here too")
    parser.add_argument("--freeze", action="store_true", help="gc.freeze() after the warm-up")
    args = parser.parse_args()
    with throwaway_database("profile") as (url, tmp):
        os.environ.update(
            {
                "DJANGO_SETTINGS_MODULE": "bench.submit_settings",
                "TILLIT_DATA_DIR": str(tmp),
                "TILLIT_SECRET_KEY": secrets.token_urlsafe(40),
                "TILLIT_ALLOWED_HOSTS": "127.0.0.1",
                "TILLIT_DEBUG": "false",
                "DATABASE_URL": url,
            }
        )
        from bench.submit import CSRF, prepare

        n = args.requests
        links = prepare(2 * n + 20)
        from django.core.handlers.wsgi import WSGIHandler
        from django.db import connection, reset_queries

        handler = WSGIHandler()

        def call(kind: str, token: str, key: str) -> None:
            if kind == "baseline":
                path, form = "/bench/insert/", {"csrfmiddlewaretoken": CSRF, "payload": key}
            else:
                path = f"/s/{token}/submit/"
                form = {"csrfmiddlewaretoken": CSRF, "idempotency_key": key}
            status = []
            request = environ(path, urlencode(form).encode(), CSRF)
            body = b"".join(handler(request, lambda s, h: status.append(s)))
            assert status[0].startswith("200"), (status, body[:300])

        for token, key in links[:10]:  # warm: imports, caches, the connection
            call("submit", token, key)
            call("baseline", token, key)
        if args.freeze:
            import gc

            gc.freeze()
        gc_time = [0.0, 0, {0: 0, 1: 0, 2: 0}]

        def on_gc(phase: str, info: dict) -> None:
            if phase == "start":
                gc_time[1] = time.perf_counter()
            else:
                gc_time[0] += time.perf_counter() - gc_time[1]
                gc_time[2][info["generation"]] += 1

        import gc

        gc.callbacks.append(on_gc)
        if args.queries:
            connection.force_debug_cursor = True
            reset_queries()
            call("submit", *links[10])
            print(f"submit: {len(connection.queries)} queries through Django's cursor:")
            for q in connection.queries:
                print("  ", q["sql"][:160])
            reset_queries()
            call("baseline", *links[11])
            print(f"baseline: {len(connection.queries)} queries")
            connection.force_debug_cursor = False
        rest = links[20:]
        # One of each in turn, each timed alone: this VM's speed changes by several times
        # within seconds, and two runs one after the other measured that more than the code.
        timings = {"baseline": 0.0, "submit": 0.0}
        gc_time[0], gc_time[2] = 0.0, {0: 0, 1: 0, 2: 0}
        clock = time.perf_counter
        for i in range(n):
            for kind, (token, key) in (("baseline", rest[2 * i]), ("submit", rest[2 * i + 1])):
                start = clock()
                call(kind, token, key)
                timings[kind] += clock() - start
        for kind in timings:
            timings[kind] = timings[kind] / n * 1000
        print(
            f"garbage collection {gc_time[0] / n * 1000:.3f} ms per pair "
            f"(collections by generation {gc_time[2]}; {len(gc.get_objects())} objects tracked)"
        )
        print(
            f"{connection.vendor}: baseline {timings['baseline']:.3f} ms, submit "
            f"{timings['submit']:.3f} ms per request; ratio "
            f"{timings['baseline'] / timings['submit']:.2f}"
        )
        if args.profile:
            more = prepare(n)
            profiler = cProfile.Profile()
            profiler.enable()
            for token, key in more:
                call("submit", token, key)
            profiler.disable()
            stats = pstats.Stats(profiler)
            if args.dump:
                stats.dump_stats(args.dump)
            stats.sort_stats("cumulative").print_stats(45)
            stats.sort_stats("tottime").print_stats(25)
        connection.close()


if __name__ == "__main__":
    main()
