"""Every model change has its migration (as `makemigrations --check` in CI)."""

from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_no_missing_migrations():
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit:
        pytest.fail(
            "Models changed without a migration; run `tillit makemigrations`:\n" + out.getvalue()
        )


@pytest.mark.django_db(transaction=True)
def test_reminder_links_sent_before_the_upgrade_stay_valid():
    """surveys 0006 turns the one reminder column into rows: a reminder mailed before the
    upgrade still opens its questionnaire after it."""
    import datetime as dt

    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before, after = (
        [("surveys", "0005_answer_copies_unchecked")],
        [("surveys", "0006_reminder_links")],
    )
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    org = old.get_model("org", "Organisation").objects.create(slug="mig", name="Mig")
    unit = old.get_model("org", "Unit").objects.create(
        organisation=org, external_id="U", name="U", path="/1/", depth=0
    )
    campaign = old.get_model("surveys", "Campaign").objects.create(
        organisation=org,
        name="C",
        target_unit=unit,
        opens_on=dt.date(2026, 1, 1),
        closes_on=dt.date(2026, 1, 31),
    )
    invitation = old.get_model("surveys", "Invitation").objects.create(
        campaign=campaign, unit=unit, token_hash="a" * 64, reminder_token_hash="b" * 64
    )
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    new = executor.loader.project_state(after).apps
    link = new.get_model("surveys", "ReminderLink").objects.get(token_hash="b" * 64)
    assert link.invitation_id == invitation.pk
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())  # back to the latest for other tests


@pytest.mark.django_db(transaction=True)
def test_answers_written_before_the_upgrade_get_random_ids_and_lose_the_key():
    """surveys 0007 drops the response's idempotency key (it equalled the draft's) and gives
    answers written with a sequence random ids, in a shuffled order."""
    import datetime as dt
    import uuid

    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before, after = (
        [("surveys", "0006_reminder_links")],
        [("surveys", "0007_submit_key_on_the_link")],
    )
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    org = old.get_model("org", "Organisation").objects.create(slug="mig7", name="Mig")
    unit = old.get_model("org", "Unit").objects.create(
        organisation=org, external_id="U", name="U", path="/1/", depth=0
    )
    campaign = old.get_model("surveys", "Campaign").objects.create(
        organisation=org,
        name="C",
        target_unit=unit,
        opens_on=dt.date(2026, 1, 1),
        closes_on=dt.date(2026, 1, 31),
    )
    Response, Answer = (old.get_model("surveys", m) for m in ("Response", "Answer"))
    for n in range(30):
        response = Response.objects.create(
            campaign=campaign, unit=unit, idempotency_key=uuid.uuid4()
        )
        Answer.objects.create(
            response=response, campaign=campaign, unit=unit, instrument="i", item_id="q", value=n
        )
    sequence = list(Answer.objects.order_by("id").values_list("value", flat=True))
    assert sequence == sorted(sequence)
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    new = executor.loader.project_state(after).apps
    answers = new.get_model("surveys", "Answer").objects.order_by("id")
    values = list(answers.values_list("value", flat=True))
    assert sorted(values) == sequence and values != sequence
    assert all(a.id > 2**20 for a in answers)
    assert new.get_model("surveys", "Response").objects.count() == 30
    assert not any(
        f.name == "idempotency_key" for f in new.get_model("surveys", "Response")._meta.fields
    )
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())  # back to the latest for other tests
