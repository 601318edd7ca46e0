"""Running a race scenario against a real SQLite file.

pytest-django's SQLite test database lives in memory, where a second writer fails at once
with "table is locked" instead of waiting as it does on a file; PostgreSQL's test database
behaves like production. So on SQLite a scenario runs in a child process against a database
file of its own, and prints its result as JSON on the last line.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_in_file_database(module: str, args: list[str], tmp_path: Path, timeout: int) -> dict:
    """Run `python -m module *args` against a fresh SQLite file; return its JSON result."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'race.sqlite3'}",
        "TILLIT_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "tillit.settings",
        "PYTHONPATH": str(ROOT),
    }
    done = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])
