"""Peak memory of hostile and of the largest import files, each in a fresh process.

Run: .venv/bin/python bench/import_limits.py [--people 100000]

Runs tests/import_memory.py for: the issue's zip bomb (an .xlsx of ~8 MB unpacking to 2.8 GB),
a CSV of 4.7 million rows (52 MB), the widest file within the limits (3 million distinct cells,
every row wrong), and a real import of 20,000 units and --people people into a throw-away
SQLite file. Prints each one's peak resident memory (getrusage maxrss, the whole process),
its time, and its outcome; the bound is ~500 MB.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(mode: str, size: int, database: str | None = None) -> dict:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tillit.settings", "PYTHONPATH": str(ROOT)}
    env.pop("DATABASE_URL", None)
    if database:
        env["DATABASE_URL"] = database
    done = subprocess.run(
        [sys.executable, "-m", "tests.import_memory", mode, str(size)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        cases = [
            ("zip bomb, 2.8 GB unpacked", "bomb", 2_800_000_000, None),
            ("CSV, 4.7 million rows", "rows", 4_700_000, None),
            ("widest file within limits", "wide", 2_990_000, None),
            (
                f"import of {args.people:,} people",
                "people",
                args.people,
                f"sqlite:///{folder}/bench.sqlite3",
            ),
        ]
        print(f"{'file':32} {'size MB':>8} {'peak RSS MB':>12} {'seconds':>8}  outcome")
        for label, mode, size, database in cases:
            result = run(mode, size, database)
            outcome = result["first"][:70] if result["errors"] else "imported"
            print(
                f"{label:32} {result['file_mb']:8.1f} {result['peak_mb']:12.1f} "
                f"{result['seconds']:8.2f}  {outcome}"
            )


if __name__ == "__main__":
    main()
