"""Simultaneous submits: one response per link whatever the race.

Twenty threads submit with the same idempotency key, then twenty with the same link and
different keys. On PostgreSQL (DATABASE_URL) the race runs in the test database. SQLite's test
database is a shared-cache in-memory one, whose table locks fail at once instead of waiting, so
there the same scenario runs in a subprocess against a real SQLite file with the production
settings (WAL, IMMEDIATE transactions, busy timeout).
"""

import json
import sys
import threading
import uuid
from pathlib import Path

import pytest
from django.db import connection

from tests.concurrency import run_in_file_database

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 20
ROOT = Path(__file__).resolve().parent.parent


def race(calls):
    """Run the calls at the same moment in threads; return what each returned or raised."""
    from django.db import connection as conn

    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(n, call):
        try:
            barrier.wait()
            results[n] = call()
        except Exception as error:  # every outcome is inspected
            results[n] = error
        finally:
            conn.close()

    threads = [threading.Thread(target=run, args=(n, c)) for n, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def scenario(mode: str) -> dict:
    """Set up one open campaign with one invitation, race the submits, describe the outcome."""
    import datetime as dt

    from django.utils import timezone

    from tillit.instruments.loading import install, load_yaml
    from tillit.org.models import Organisation, Person, Unit
    from tillit.surveys import actions, responding
    from tillit.surveys.models import Campaign, Invitation, Response, hash_token, new_token

    definition = load_yaml((ROOT / "tests/data/surveys_test_instrument.yaml").read_bytes())
    version, _ = install(definition)
    org = Organisation.objects.create(slug=f"race-{mode}", name="Race")
    unit = Unit.objects.create(organisation=org, external_id="U", name="U")
    person = Person.objects.create(organisation=org, email="p@race.se", name="P", unit=unit)
    today = timezone.localdate()
    campaign = actions.do_save_campaign(
        Campaign(
            organisation=org,
            name="Race",
            target_unit=unit,
            opens_on=today,
            closes_on=today + dt.timedelta(days=1),
        ),
        [version],
    )
    Campaign.objects.filter(pk=campaign.pk).update(status="open")
    token = new_token()
    Invitation.objects.create(
        campaign=campaign, person=person, unit=unit, token_hash=hash_token(token)
    )
    answers = {"testenkat": {"q1": 4, "q3": "nej"}}
    if mode == "same_key":
        key = uuid.uuid4()
        calls = [lambda: responding.do_submit(token, key, answers)] * THREADS
    else:
        keys = [uuid.uuid4() for _ in range(THREADS)]
        calls = [lambda k=k: responding.do_submit(token, k, answers) for k in keys]
    results = race(calls)
    return {
        "outcomes": [
            r.value
            if isinstance(r, responding.Submitted)
            else (f"refused:{r.reason}" if isinstance(r, responding.NotAnswerable) else repr(r))
            for r in results
        ],
        "responses": Response.objects.filter(campaign=campaign).count(),
    }


def run_scenario(mode: str, tmp_path: Path) -> dict:
    if connection.vendor != "sqlite":
        return scenario(mode)
    return run_in_file_database("tests.test_surveys_concurrency", [mode], tmp_path, timeout=240)


def test_same_key_twenty_times_stores_one(tmp_path):
    result = run_scenario("same_key", tmp_path)
    assert result["outcomes"].count("stored") == 1, result
    assert result["outcomes"].count("replay") == THREADS - 1, result
    assert result["responses"] == 1


def test_same_link_twenty_keys_stores_one(tmp_path):
    result = run_scenario("same_token", tmp_path)
    assert result["outcomes"].count("stored") == 1, result
    assert result["outcomes"].count("refused:answered") == THREADS - 1, result
    assert result["responses"] == 1


if __name__ == "__main__":
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    print(json.dumps(scenario(sys.argv[1])))
