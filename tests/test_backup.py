"""The backup drill: a backup taken while respondents submit, restored into a fresh database.

The copy must be consistent: it passes the database's integrity check, every response in it
has all its answers, and a link is marked used exactly when its response is there (the two
are written in one transaction). A copy from a newer schema is refused; an older one is
migrated. On SQLite the drill runs in a child process against a real file (the in-memory
test database cannot take concurrent writers, tests/concurrency.py); on PostgreSQL in the
test database, restored into a database of its own.
"""

import json
import os
import sqlite3
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest
from django.db import connection

from tests.concurrency import run_in_file_database

ROOT = Path(__file__).resolve().parent.parent
LINKS = 200
THREADS = 8


def submit_during_backup(backup_path: str) -> dict:
    """Open a campaign with LINKS links, submit them from THREADS threads, back up midway."""
    import datetime as dt

    from django.core.management import call_command
    from django.db import connection as conn
    from django.utils import timezone

    from tillit.instruments.loading import install, load_yaml
    from tillit.org.models import Organisation, Person, Unit
    from tillit.surveys import actions, responding
    from tillit.surveys.models import Answer, Campaign, Invitation, Response, hash_token, new_token

    definition = load_yaml((ROOT / "tests/data/surveys_test_instrument.yaml").read_bytes())
    version, _ = install(definition)
    org = Organisation.objects.create(slug="drill", name="Drill")
    unit = Unit.objects.create(organisation=org, external_id="U", name="U")
    today = timezone.localdate()
    campaign = actions.do_save_campaign(
        Campaign(
            organisation=org,
            name="Drill",
            target_unit=unit,
            opens_on=today,
            closes_on=today + dt.timedelta(days=1),
        ),
        [version],
    )
    Campaign.objects.filter(pk=campaign.pk).update(status="open")
    tokens = []
    for n in range(LINKS):
        person = Person.objects.create(
            organisation=org, email=f"p{n}@drill.se", name="P", unit=unit
        )
        token = new_token()
        Invitation.objects.create(
            campaign=campaign, person=person, unit=unit, token_hash=hash_token(token)
        )
        tokens.append(token)
    answers = {"testenkat": {"q1": 4, "q3": "nej"}}
    lock = threading.Lock()
    stored = []
    backup_at = {}

    def respondent(mine: list[str]) -> None:
        try:
            for token in mine:
                responding.do_submit(token, uuid.uuid4(), answers)
                with lock:
                    stored.append(token)
        finally:
            conn.close()

    def backer() -> None:
        try:
            while len(stored) < LINKS // 4:
                threading.Event().wait(0.01)
            backup_at["before"] = Response.objects.filter(campaign=campaign).count()
            call_command("backup", backup_path, verbosity=0)
            backup_at["after"] = Response.objects.filter(campaign=campaign).count()
        finally:
            conn.close()

    threads = [
        threading.Thread(target=respondent, args=(tokens[n::THREADS],)) for n in range(THREADS)
    ]
    threads.append(threading.Thread(target=backer))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    one = Response.objects.filter(campaign=campaign).first()
    return {
        **backup_at,
        "total": Response.objects.filter(campaign=campaign).count(),
        "answers_each": Answer.objects.filter(response=one).count(),
    }


def examine() -> dict:
    """What the restored database holds (run against it)."""
    from django.db.models import Count

    from tillit.surveys.models import Invitation, Response

    counts = Response.objects.annotate(n=Count("answers")).values_list("n", flat=True)
    return {
        "responses": len(counts),
        "answer_counts": sorted(set(counts)),
        "links_used": Invitation.objects.filter(responded=True).count(),
    }


def tillit(*args: str, database_url: str, data_dir: Path) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "TILLIT_DATA_DIR": str(data_dir),
        "DJANGO_SETTINGS_MODULE": "tillit.settings",
        "PYTHONPATH": str(ROOT),
    }
    return subprocess.run(
        [sys.executable, "-m", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


@pytest.fixture
def fresh_database(tmp_path):
    """The URL of an empty database of the kind under test, removed afterwards."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    name = f"tillit_restore_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    db = connection.settings_dict
    yield f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{name}"
    connection.close()
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.django_db(transaction=True)
def test_backup_during_submits_restores_complete_and_consistent(tmp_path, fresh_database):
    copy = tmp_path / "tillit.backup"
    if connection.vendor == "sqlite":
        drill = run_in_file_database("tests.test_backup", ["drill", str(copy)], tmp_path, 240)
        check = sqlite3.connect(copy)
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert check.execute("PRAGMA foreign_key_check").fetchall() == []
        check.close()
    else:
        drill = submit_during_backup(str(copy))
    assert drill["total"] == LINKS
    # Started mid-way (pg_dump may still be starting when the last submits land).
    assert 0 < drill["before"] < LINKS and drill["before"] <= drill["after"], drill

    restored = tillit(
        "tillit", "restore", str(copy), "--noinput", database_url=fresh_database, data_dir=tmp_path
    )
    assert restored.returncode == 0, restored.stderr[-3000:]
    found = tillit("tests.test_backup", "examine", database_url=fresh_database, data_dir=tmp_path)
    assert found.returncode == 0, found.stderr[-3000:]
    result = json.loads(found.stdout.strip().splitlines()[-1])
    assert drill["before"] <= result["responses"] <= drill["after"], (drill, result)
    assert result["answer_counts"] == [drill["answers_each"]], result  # every answer is there
    assert result["links_used"] == result["responses"]  # link and response in one transaction


@pytest.mark.django_db(transaction=True)
def test_a_backup_from_a_newer_schema_is_refused(tmp_path, fresh_database):
    copy = tmp_path / "newer.backup"
    made = tillit("tillit", "migrate", "-v0", database_url=fresh_database, data_dir=tmp_path)
    assert made.returncode == 0, made.stderr
    from django.core.management import call_command
    from django.db import connections

    # The newer Tillit's copy: one migration more than this code knows.
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO django_migrations (app, name, applied) "
            "VALUES ('surveys', '9999_from_the_future', CURRENT_TIMESTAMP)"
        )
    try:
        call_command("backup", str(copy), verbosity=0)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM django_migrations WHERE name = '9999_from_the_future'")
    connections.close_all()
    refused = tillit(
        "tillit", "restore", str(copy), "--noinput", database_url=fresh_database, data_dir=tmp_path
    )
    assert refused.returncode != 0
    assert "newer Tillit" in refused.stderr and "surveys.9999_from_the_future" in refused.stderr


@pytest.mark.django_db(transaction=True)
def test_an_older_backup_is_migrated_after_it_is_restored(tmp_path, fresh_database):
    """A copy made before the last migration of core gets it when restored."""
    from django.core.management import call_command

    copy = tmp_path / "older.backup"
    call_command("migrate", "core", "0001", verbosity=0)
    try:
        call_command("backup", str(copy), verbosity=0)
    finally:
        call_command("migrate", verbosity=0)
    restored = tillit(
        "tillit", "restore", str(copy), "--noinput", database_url=fresh_database, data_dir=tmp_path
    )
    assert restored.returncode == 0, restored.stderr[-3000:]
    plan = tillit("tillit", "migrate", "--check", database_url=fresh_database, data_dir=tmp_path)
    assert plan.returncode == 0, plan.stdout + plan.stderr  # nothing left to apply


if __name__ == "__main__":
    import django

    django.setup()
    if sys.argv[1] == "drill":
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        print(json.dumps(submit_during_backup(sys.argv[2])))
    else:
        print(json.dumps(examine()))
