"""50 phones at once: every note and every dot stored exactly once, dot limits hold, no 500,
and of ten simultaneous edits from the same version exactly one is saved.

On PostgreSQL (DATABASE_URL) the race runs in the test database. SQLite's test database is a
shared-cache in-memory one whose table locks fail at once instead of waiting, so there the
scenario runs in a subprocess against a real SQLite file with the production settings (WAL,
IMMEDIATE transactions, busy timeout) – as in test_surveys_concurrency.
"""

import json
import threading
import uuid
from pathlib import Path

import pytest
from django.db import connection

from tests.concurrency import run_in_file_database

pytestmark = pytest.mark.django_db(transaction=True)

PHONES = 50


def _run_all(work, n: int) -> list[str]:
    """Run `work(i)` in n threads released together; return what they raised, as text."""
    from django.db import connection as conn

    barrier = threading.Barrier(n)
    errors = []

    def run(i):
        try:
            barrier.wait()
            work(i)
        except Exception as error:  # collected and asserted by the caller
            errors.append(repr(error))
        finally:
            conn.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def scenario() -> dict:
    """One session, 50 phones posting twice with the same key, then voting five times for
    three dots, then ten editors from one version; describe what was stored."""
    from django.test import Client
    from django.urls import reverse

    from tillit.core.models import User
    from tillit.org.models import Organisation, Unit
    from tillit.programmes import actions as programme_actions
    from tillit.programmes.loading import install_shipped_templates
    from tillit.programmes.models import ProgrammeStep, ProgrammeTemplate
    from tillit.workshop import actions, contributing, outcomes
    from tillit.workshop.models import Contribution, Vote

    organisation = Organisation.objects.create(slug="racetown", name="Racetown")
    unit = Unit.objects.create(organisation=organisation, external_id="K", name="Racetown")
    user = User.objects.create_user("facilitator@racetown.se", "correct-horse-battery-9")
    install_shipped_templates()
    programme = programme_actions.do_start_programme(
        organisation=organisation,
        template_version=ProgrammeTemplate.objects.get(slug="samskabt-styring").latest(),
        title="Belastning",
        language="sv",
        units=[unit],
        created_by=user,
    )
    step = ProgrammeStep.objects.get(programme=programme, step_id="challenges")
    session = actions.do_start_session(step, user)
    clients = [Client() for _ in range(PHONES)]
    for client in clients:
        client.post(reverse("workshop:join"), {"code": session.code})
    keys = [uuid.uuid4() for _ in range(PHONES)]
    post_url = reverse("workshop:post", args=[session.code])

    def post(i):
        # Every phone sends its note twice (a retry after a lost answer): one row each.
        for _ in range(2):
            response = clients[i].post(
                post_url,
                {"key": str(keys[i]), "tool": 0, "text": f"Note {i}"},
                headers={"X-Workshop-Fetch": "1"},
            )
            if response.status_code != 204:
                raise AssertionError(f"post {response.status_code} {response.content[:200]}")

    post_errors = _run_all(post, PHONES)
    stored_keys = {str(k) for k in Contribution.objects.values_list("key", flat=True)}
    notes = Contribution.objects.filter(session=session).count()

    themes = [outcomes.do_create_theme(session, 0, f"Tema {n}") for n in range(3)]
    actions.do_next_tool(session)  # dot voting, 3 dots each
    vote_url = reverse("workshop:vote", args=[session.code])

    def vote(i):
        # Five clicks for three dots: the last two must be refused, never stored.
        for click in range(5):
            response = clients[i].post(
                vote_url,
                {"tool": 1, "target": f"theme:{themes[(i + click) % 3].pk}", "delta": 1},
            )
            if response.status_code != 302:
                raise AssertionError(f"vote {response.status_code}")

    vote_errors = _run_all(vote, PHONES)
    per_participant: dict[int, int] = {}
    for participant_id, count in Vote.objects.values_list("participant", "count"):
        per_participant[participant_id] = per_participant.get(participant_id, 0) + count

    note = Contribution.objects.filter(session=session).first()
    base = note.version
    outcomes = []

    def edit(i):
        try:
            contributing.do_edit_contribution(Contribution.objects.get(pk=note.pk), f"Ny {i}", base)
            outcomes.append("saved")
        except actions.StaleEdit:
            outcomes.append("stale")

    edit_errors = _run_all(edit, 10)
    note.refresh_from_db()
    return {
        "errors": post_errors + vote_errors + edit_errors,
        "notes": notes,
        "keys_match": stored_keys == {str(k) for k in keys},
        "voters": len(per_participant),
        "dots_per_voter": sorted(set(per_participant.values())),
        "dots": sum(per_participant.values()),
        "edits": sorted(outcomes),
        "version": note.version,
    }


def run_scenario(tmp_path: Path) -> dict:
    if connection.vendor != "sqlite":
        return scenario()
    return run_in_file_database("tests.test_workshop_concurrency", [], tmp_path, timeout=300)


def test_fifty_phones_post_and_vote_at_once(tmp_path):
    result = run_scenario(tmp_path)
    assert result["errors"] == [], result["errors"][:5]
    assert result["notes"] == PHONES and result["keys_match"]
    assert result["voters"] == PHONES
    assert result["dots_per_voter"] == [3] and result["dots"] == 3 * PHONES
    assert result["edits"] == ["saved"] + ["stale"] * 9
    assert result["version"] == 2


if __name__ == "__main__":
    import django
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    django.setup()
    setup_test_environment()
    call_command("migrate", verbosity=0)
    print(json.dumps(scenario()))
