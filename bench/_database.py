"""What the benchmarks share: a throw-away database and a measure of the machine's speed.

Not a benchmark itself (`make bench` skips files starting with an underscore).
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit


@contextmanager
def throwaway_database(name: str, *, keep: bool = False) -> Iterator[tuple[str, Path]]:
    """Yield (DATABASE_URL, a temporary folder) for one run, and remove both afterwards.

    SQLite: a file in the folder. When DATABASE_URL names a PostgreSQL server: a new, empty
    database on that server, dropped afterwards – so runs do not inherit earlier runs' rows
    (the submit bench ran 20 % slower on a database that four earlier runs had filled). The
    server's own database (in DATABASE_URL) is only used to create and drop it.
    With `keep`, both stay and are printed, for profiling.
    """
    server = os.environ.get("DATABASE_URL", "")
    folder = Path(tempfile.mkdtemp(prefix=f"tillit-bench-{name}-"))
    database = None
    try:
        if server.startswith("postgres"):
            database = f"tillit_bench_{name}_{secrets.token_hex(4)}"
            _postgres(server, f'CREATE DATABASE "{database}"')
            url = urlunsplit(urlsplit(server)._replace(path=f"/{database}"))
        else:
            url = f"sqlite:///{folder / 'bench.sqlite3'}"
        yield url, folder
    finally:
        if keep:
            print(f"kept: {url if database else folder}")
        else:
            if database:  # FORCE: this run's own connections may still be open
                _postgres(server, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            shutil.rmtree(folder, ignore_errors=True)


def _postgres(server: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(statement)


def machine_speed() -> str:
    """How fast this machine runs Python right now, next to its quiet speed: the VMs these
    benches run on change speed by 2-3x from minute to minute, which a figure without a
    baseline in the same run (a PDF's time) cannot show otherwise."""
    start = time.perf_counter()
    total = 0
    for n in range(3_000_000):
        total += n
    seconds = time.perf_counter() - start
    return (
        f"machine check: a 3,000,000-step Python loop took {seconds:.2f} s "
        "(0.20 s on the quiet 2-CPU VM of docs/performance.md)"
    )
