"""Backups of the whole database, and restoring one.

SQLite: SQLite's online backup API copies the database page by page as one consistent
snapshot while the server keeps writing (a plain `cp` during writes gave a malformed copy
1 time in 8). PostgreSQL: `pg_dump --format=custom` (one consistent snapshot, compressed) and
`pg_restore`, run with the connection settings of DATABASE_URL.

A restore first reads which migrations the copy has: a copy made by a newer Tillit (a
migration this code does not know) is refused, because this code cannot read its schema;
an older copy is restored and then migrated forward.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db import connection
from django.db.migrations.loader import MigrationLoader

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"


class BackupError(Exception):
    """The backup or restore cannot be done; the message says why."""


def _settings() -> dict:
    return connection.settings_dict


def _pg_env() -> dict[str, str]:
    """libpq's environment for the configured database (no password on a command line)."""
    db = _settings()
    env = {**os.environ}
    for key, name in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if db.get(key):
            env[name] = str(db[key])
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    env["PGDATABASE"] = db["NAME"]
    return env


def _run(argv: list[str]) -> subprocess.CompletedProcess:
    if shutil.which(argv[0]) is None:
        raise BackupError(
            f"{argv[0]} is not installed (Debian: apt-get install postgresql-client)."
        )
    done = subprocess.run(argv, env=_pg_env(), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{argv[0]} failed: {done.stderr.strip()[-2000:]}")
    return done


def backup(target: Path) -> None:
    """Write a consistent copy of the whole database to `target` (replaced if it exists)."""
    target = Path(target)
    partial = target.with_name(target.name + ".partial")
    if connection.vendor == "sqlite":
        name = str(_settings()["NAME"])
        source = sqlite3.connect(name, timeout=20, uri=name.startswith("file:"))
        copy = sqlite3.connect(partial)
        try:
            # All pages in one step: a copy spread over several steps restarts whenever a
            # writer changes the database between them.
            source.backup(copy)
            # One self-contained file: no write-ahead log beside it.
            copy.execute("PRAGMA journal_mode=DELETE")
        finally:
            copy.close()
            source.close()
    elif connection.vendor == "postgresql":
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "-f", str(partial)])
    else:
        raise BackupError(f"Backups of {connection.vendor} databases are not supported.")
    partial.replace(target)  # a half-written file never carries the backup's name


def _sqlite_migrations(path: Path) -> set[tuple[str, str]]:
    copy = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return set(copy.execute("SELECT app, name FROM django_migrations"))
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a readable Tillit backup: {error}") from None
    finally:
        copy.close()


_COPY = re.compile(r"^COPY [\w.\"]*django_migrations \(([^)]*)\) FROM stdin;$")


def _pg_migrations(path: Path) -> set[tuple[str, str]]:
    """The migrations a pg_dump archive holds, read from its django_migrations data."""
    done = _run(["pg_restore", "--data-only", "--table=django_migrations", "-f", "-", str(path)])
    found: set[tuple[str, str]] = set()
    columns: list[str] | None = None
    for line in done.stdout.splitlines():
        if columns is None:
            if match := _COPY.match(line):
                columns = [c.strip().strip('"') for c in match.group(1).split(",")]
            continue
        if line == "\\.":
            break
        values = dict(zip(columns, line.split("\t"), strict=False))
        found.add((values["app"], values["name"]))
    if columns is None:
        raise BackupError(f"{path} holds no Tillit database (no django_migrations table).")
    return found


def kind_of(path: Path) -> str:
    """ "sqlite" or "postgresql", from the file's first bytes."""
    with open(path, "rb") as file:
        head = file.read(16)
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_MAGIC):
        return "postgresql"
    raise BackupError(f"{path} is neither a SQLite backup nor a pg_dump archive.")


def unknown_migrations(path: Path) -> list[str]:
    """Migrations in the copy that this code does not have: it comes from a newer Tillit."""
    kind = kind_of(path)
    applied = _sqlite_migrations(path) if kind == "sqlite" else _pg_migrations(path)
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    return sorted(f"{app}.{name}" for app, name in applied - known)


def restore(source: Path) -> None:
    """Replace the whole database with the copy in `source`, then migrate it forward.

    Stop `tillit serve` (web and workers) first: what they write meanwhile is lost.
    """
    source = Path(source)
    kind = kind_of(source)
    if kind != connection.vendor:
        raise BackupError(
            f"{source} is a {kind} backup, but this Tillit uses {connection.vendor}: "
            "a backup is restored into the same kind of database."
        )
    newer = unknown_migrations(source)
    if newer:
        raise BackupError(
            f"{source} was made by a newer Tillit (its schema has {', '.join(newer[:5])}"
            f"{' …' if len(newer) > 5 else ''}), which this version cannot read. Install that "
            "version (or newer) and restore there; nothing was changed."
        )
    if kind == "sqlite":
        _restore_sqlite(source)
    else:
        _restore_postgresql(source)
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _restore_sqlite(source: Path) -> None:
    connection.close()
    copy = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    name = str(_settings()["NAME"])
    live = sqlite3.connect(name, timeout=20, uri=name.startswith("file:"))
    try:
        # The backup API writes every page of the live file, its log included, in one go.
        copy.backup(live)
        if live.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError("The restored database failed SQLite's integrity check.")
    finally:
        live.close()
        copy.close()


def _restore_postgresql(source: Path) -> None:
    # Empty the schema first: a newer live database has tables the older copy lacks, and
    # migrate would then fail to create them.
    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA public CASCADE")
        cursor.execute("CREATE SCHEMA public")
    connection.close()
    _run(
        [
            "pg_restore",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            "-d",
            _settings()["NAME"],
            str(source),
        ]
    )
