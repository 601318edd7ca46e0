"""Campaign workflows (surveys.actions) and the submit transaction (surveys.responding)."""

import uuid

import pytest
from django.db import connection
from django.test import Client

from tests.test_surveys_support import GOOD, make_campaign, tokens_in
from tillit.surveys import actions, responding
from tillit.surveys.models import (
    Answer,
    Campaign,
    CampaignEvent,
    Draft,
    Invitation,
    Response,
    hash_token,
)
from tillit.surveys.responding import InvalidAnswers, NotAnswerable, Submitted

pytest_plugins = ["tests.test_surveys_support"]
pytestmark = pytest.mark.django_db


def test_launch_invites_active_people_of_the_subtree_in_their_language(launched, mailoutbox):
    campaign, tokens = launched
    assert set(tokens) == {"h1@testby.se", "h2@testby.se", "s@testby.se"}  # not BUF, not inactive
    assert campaign.status == Campaign.Status.OPEN
    by_person = {m.to[0]: m for m in mailoutbox}
    assert by_person["h2@testby.se"].extra_headers["Content-Language"] == "da"
    assert by_person["h1@testby.se"].extra_headers["Content-Language"] == "sv"
    assert "Enkät 2026" in by_person["h1@testby.se"].subject
    invitations = Invitation.objects.filter(campaign=campaign)
    assert invitations.count() == 3
    assert {i.token_hash for i in invitations} == {hash_token(t) for t in tokens.values()}
    assert CampaignEvent.objects.filter(campaign=campaign, kind="launched").exists()


def test_launch_bands_from_hr_data_only_when_asked(org, units, staff, test_version, mailoutbox):
    campaign = make_campaign(org, units["HEM"], [test_version], ask_age=True, ask_tenure=True)
    actions.do_launch_campaign(campaign)
    hanna = Invitation.objects.get(person=staff["hem1"])
    assert hanna.background == {"age": "40-49", "tenure": ">10"}
    assert Invitation.objects.get(person=staff["hem2"]).background == {}


def test_launch_twice_is_refused(launched):
    campaign, _tokens = launched
    with pytest.raises(actions.CampaignError):
        actions.do_launch_campaign(campaign)


def test_a_launched_campaign_keeps_its_version(launched, test_version):
    campaign, _tokens = launched
    with pytest.raises(actions.CampaignError):
        actions.do_save_campaign(campaign, [test_version])


def test_thresholds_are_validated(org, units, test_version):
    with pytest.raises(Exception, match="k"):
        make_campaign(org, units["SOC"], [test_version], k=2)


def test_submit_stores_one_anonymous_response(launched):
    _campaign, tokens = launched
    token = tokens["h1@testby.se"]
    key = uuid.uuid4()
    assert responding.do_submit(token, key, GOOD) == Submitted.STORED
    response = Response.objects.get()
    assert response.unit.external_id == "HEM"
    assert not hasattr(response, "idempotency_key")  # kept on the link: see below
    assert Invitation.objects.get(token_hash=hash_token(token)).idempotency_key == key
    rows = {(a.item_id, a.value, a.choice, a.text) for a in Answer.objects.all()}
    assert rows == {
        ("q1", 4.0, "", ""),
        ("q2", 5.0, "", ""),
        ("q3", None, "ja", ""),
        ("q4", 2.0, "", ""),
        ("q5", None, "a", ""),
        ("q5", None, "b", ""),
        ("q6", None, "", "Bra"),
    }
    assert Invitation.objects.get(token_hash=hash_token(token)).responded


def test_same_key_twice_is_a_replay_and_stores_one(launched):
    _campaign, tokens = launched
    key = uuid.uuid4()
    assert responding.do_submit(tokens["s@testby.se"], key, GOOD) == Submitted.STORED
    assert responding.do_submit(tokens["s@testby.se"], key, GOOD) == Submitted.REPLAY
    assert Response.objects.count() == 1


def test_a_used_link_with_a_new_key_is_refused(launched):
    _campaign, tokens = launched
    responding.do_submit(tokens["s@testby.se"], uuid.uuid4(), GOOD)
    with pytest.raises(NotAnswerable) as refusal:
        responding.do_submit(tokens["s@testby.se"], uuid.uuid4(), GOOD)
    assert refusal.value.reason == "answered"
    assert Response.objects.count() == 1


def test_a_used_link_without_its_draft_is_refused_not_shown_errors(launched):
    """After a submit the draft is gone, so a later submit carries no answers: that is the
    used link speaking, not answers to correct."""
    _campaign, tokens = launched
    key = uuid.uuid4()
    responding.do_submit(tokens["s@testby.se"], key, GOOD)
    assert responding.do_submit(tokens["s@testby.se"], key, {}) == Submitted.REPLAY
    with pytest.raises(NotAnswerable) as refusal:
        responding.do_submit(tokens["s@testby.se"], uuid.uuid4(), {})
    assert refusal.value.reason == "answered"
    assert Response.objects.count() == 1


@pytest.mark.parametrize(
    ("answers", "needle"),
    [
        ({"testenkat": {**GOOD["testenkat"], "q1": 9}}, "q1"),
        ({"testenkat": {**GOOD["testenkat"], "nope": 1}}, "nope"),
        ({"testenkat": {**GOOD["testenkat"], "q6": "x" * 51}}, "q6"),
        ({"testenkat": {"q2": 3}}, "q1"),  # required q1 and q3 missing
        ({"other": {"q1": 3}}, "other"),
    ],
)
def test_invalid_answers_change_nothing(launched, answers, needle):
    _campaign, tokens = launched
    token = tokens["s@testby.se"]
    with pytest.raises(InvalidAnswers) as invalid:
        responding.do_submit(token, uuid.uuid4(), answers)
    assert needle in str(invalid.value)
    assert Response.objects.count() == 0 and Answer.objects.count() == 0
    assert not Invitation.objects.get(token_hash=hash_token(token)).responded


def test_closed_campaign_refuses_answers(launched):
    campaign, tokens = launched
    actions.do_close_campaign(campaign)
    with pytest.raises(NotAnswerable) as refusal:
        responding.do_submit(tokens["s@testby.se"], uuid.uuid4(), GOOD)
    assert refusal.value.reason == "closed"


def test_unknown_token(launched):
    with pytest.raises(Invitation.DoesNotExist):
        responding.do_submit("x" * 43, uuid.uuid4(), GOOD)


def test_reopen_is_logged(launched):
    import datetime as dt

    from django.utils import timezone

    campaign, tokens = launched
    actions.do_close_campaign(campaign)
    actions.do_reopen_campaign(campaign, closes_on=timezone.localdate() + dt.timedelta(days=3))
    campaign.refresh_from_db()
    assert campaign.status == "open"
    kinds = list(campaign.events.values_list("kind", flat=True))
    assert kinds[-2:] == ["closed", "reopened"]
    assert responding.do_submit(tokens["s@testby.se"], uuid.uuid4(), GOOD) == Submitted.STORED


def test_reminders_go_only_to_those_who_have_not_answered(launched, mailoutbox):
    campaign, tokens = launched
    responding.do_submit(tokens["s@testby.se"], uuid.uuid4(), GOOD)
    mailoutbox.clear()
    assert actions.do_send_reminders(campaign) == 2
    assert {m.to[0] for m in mailoutbox} == {"h1@testby.se", "h2@testby.se"}
    reminder_tokens = tokens_in(mailoutbox)
    # Both the first link and the reminder's link work, and share one draft.
    responding.do_save_draft(
        responding.find_invitation(tokens["h1@testby.se"]), page=1, answers={"testenkat": {"q1": 3}}
    )
    state = responding.load_draft(responding.find_invitation(reminder_tokens["h1@testby.se"]))
    assert state.answers == {"testenkat": {"q1": 3}} and state.page == 1
    assert (
        responding.do_submit(reminder_tokens["h1@testby.se"], uuid.uuid4(), GOOD)
        == Submitted.STORED
    )


def test_submit_deletes_the_draft(launched):
    _campaign, tokens = launched
    invitation = responding.find_invitation(tokens["s@testby.se"])
    responding.do_save_draft(invitation, page=1, answers={"testenkat": {"q1": 3}})
    assert Draft.objects.count() == 1
    responding.do_submit(tokens["s@testby.se"], uuid.uuid4(), GOOD)
    assert Draft.objects.count() == 0


def test_anonymity_boundary_in_the_models():
    for model in (Response, Answer):
        for field in model._meta.get_fields():
            target = getattr(field, "related_model", None)
            assert target is None or target._meta.model_name not in {
                "invitation",
                "person",
                "draft",
                "user",
                "unitcode",
            }, f"{model.__name__}.{field.name} points to {target}"
            assert "ip" not in field.name.split("_")
    submitted = Response._meta.get_field("submitted_on")
    assert submitted.get_internal_type() == "DateField"
    assert not any(
        f.get_internal_type() in {"DateTimeField", "TimeField"} for f in Response._meta.fields
    )
    assert not any(
        f.get_internal_type() in {"DateTimeField", "TimeField", "DateField"}
        for f in Answer._meta.fields
    )
    assert Response._meta.pk.get_internal_type() == "UUIDField"


def database_dump() -> str:
    """Every row of every table as text (works on SQLite and PostgreSQL alike)."""
    lines = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            lines.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(lines)


def test_no_token_in_the_database(launched):
    _campaign, tokens = launched
    token = tokens["s@testby.se"]
    invitation = responding.find_invitation(token)
    responding.do_save_draft(invitation, page=1, answers={"testenkat": {"q1": 3}}, new_key=True)
    responding.do_submit(token, uuid.uuid4(), GOOD)
    dump = database_dump()
    assert hash_token(token) in dump  # the dump is real...
    for value in tokens.values():
        assert value not in dump  # ...and holds no token in clear


def test_no_token_in_logs(launched, client, caplog):
    import logging

    _campaign, tokens = launched
    token = tokens["s@testby.se"]
    with caplog.at_level(logging.DEBUG):
        client.get(f"/s/{token}/")
        client.post(f"/s/{token}/submit/", {"idempotency_key": "not-a-uuid"})
        client.get(f"/s/{token}x/")  # 404: Django logs the path
        strict = Client(enforce_csrf_checks=True)
        strict.post(f"/s/{token}/", {"page": 0})  # 403 from the CSRF check, logged with the path
        responding.do_submit(token, uuid.uuid4(), GOOD)
        client.get(f"/s/{token}/")
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "Not Found: /s/" in text and "Forbidden" in text  # the paths were logged...
    assert token not in text  # ...without the token


def test_save_draft_by_token_checks_the_answers(launched):
    _campaign, tokens = launched
    token = tokens["s@testby.se"]
    with pytest.raises(InvalidAnswers):
        responding.do_save_draft(token, page=1, answers={"testenkat": {"q1": 7}})
    with pytest.raises(InvalidAnswers):
        responding.do_save_draft(token, page=1, answers={"nope": {"q1": 3}})
    assert not Draft.objects.exists()
    state = responding.do_save_draft(token, page=1, answers={"testenkat": {"q1": 3}})
    assert state.answers == {"testenkat": {"q1": 3}} and state.page == 1
    with pytest.raises(Invitation.DoesNotExist):
        responding.do_save_draft("x" * 43, page=0)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's prepared statements")
def test_the_submit_statements_are_prepared_on_postgresql(launched):
    """Planning the link's join and the write cost the server more than running them
    (bench/submit.py): both run as prepared statements, also after a refused submit."""
    _campaign, tokens = launched
    first = tokens["h1@testby.se"]
    key = uuid.uuid4()
    assert responding.do_submit(first, key, GOOD) == Submitted.STORED
    assert responding.do_submit(first, key, GOOD) == Submitted.REPLAY
    with pytest.raises(NotAnswerable):
        responding.do_submit(first, uuid.uuid4(), GOOD)
    assert responding.do_submit(tokens["s@testby.se"], uuid.uuid4(), GOOD) == Submitted.STORED
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any(s.startswith("WITH claimed AS (UPDATE") for s in prepared), prepared
    assert any(s.startswith('SELECT i."id"') and "token_hash" in s for s in prepared), prepared
    assert Response.objects.count() == 2
