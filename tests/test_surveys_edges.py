"""Surveys in the edge cases a municipality meets: odd text, closed posters, old files, drafts."""

import datetime as dt
import io
import smtplib

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.utils import timezone

from tests.test_surveys_support import tokens_in
from tillit.instruments.loading import install, load_yaml
from tillit.surveys import actions
from tillit.surveys.importing import FileErrors, check_file
from tillit.surveys.models import Campaign, Draft

pytest_plugins = ["tests.test_surveys_support"]
pytestmark = pytest.mark.django_db


def test_a_null_character_in_a_comment_is_refused_not_a_server_error(client, link):
    """PostgreSQL cannot store U+0000 in text (a 500 there); every database refuses it alike."""
    client.post(link, {"page": 0, "action": "next", "a:q1": "4"})
    before = list(Draft.objects.values_list("answers", flat=True))
    response = client.post(link, {"page": 1, "action": "next", "a:q3": "nej", "a:q6": "bra\x00"})
    assert response.status_code == 400
    assert "nolltecken" in response.content.decode()  # in the respondent's Swedish
    assert list(Draft.objects.values_list("answers", flat=True)) == before


def test_a_poster_code_after_the_closing_date_says_closed(client, launched, units):
    campaign, _tokens = launched
    code = actions.unit_code_for(campaign, units["HEM"])
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    Campaign.objects.filter(pk=campaign.pk).update(
        opens_on=yesterday - dt.timedelta(days=14), closes_on=yesterday
    )
    page = client.post(f"/s/c/{code.code}/").content.decode()
    assert "inte öppnat" not in page
    assert "stängd" in page.lower() or "avslutad" in page.lower()


def test_closing_deletes_the_drafts_never_sent(client, launched, link):
    """A draft is keyed by its link and so by who was invited: it must not outlive the campaign."""
    campaign, _tokens = launched
    client.post(link, {"page": 0, "action": "next", "a:q1": "1"})
    client.post(link, {"page": 1, "action": "next", "a:q3": "nej", "a:q6": "Min chef"})
    assert Draft.objects.filter(campaign=campaign).exists()
    actions.do_close_campaign(campaign)
    assert not Draft.objects.exists()
    assert "1 unsent drafts deleted" in campaign.events.get(kind="closed").detail


YAML = """
id: hme
version: 1
languages: [sv]
title: {sv: %s}
scales:
  s5: {min: 1, max: 5, labels: {sv: [a, b, c, d, e]}}
sections:
  - id: s
    title: {sv: S}
    items:
      - {id: q1, type: scale, scale: s5, required: true, text: {sv: Q1}}
      - {id: q2, type: number, integer: false, min: 0, max: 10, text: {sv: Q2}}
"""


def test_an_old_file_with_a_decimal_comma_imports(org, units):
    version, _new = install(load_yaml(YAML % "T"))
    rows = check_file(b"unit_id;q1;q2\nHEM;4;2,5\n", "x.csv", org, version)
    assert rows[0].answers["hme"]["q2"] == 2.5


def test_a_column_given_twice_is_named_and_nothing_imported(org, units):
    version, _new = install(load_yaml(YAML % "T"))
    with pytest.raises(FileErrors) as refused:
        check_file(b"unit_id;q1;q1\nHEM;4;\n", "x.csv", org, version)
    assert [(e.row, e.column) for e in refused.value.errors] == [(1, "q1")]
    assert "twice" in str(refused.value.errors[0].message)


def test_rows_without_answers_are_people_who_did_not_answer(org, units):
    version, _new = install(load_yaml(YAML % "T"))
    rows = check_file(b"unit_id;q1;q2\nHEM;4;5\nHEM;;\nSOC;;\n", "x.csv", org, version)
    assert len(rows) == 1
    with pytest.raises(FileErrors):  # an unknown unit is still an error, answers or not
        check_file(b"unit_id;q1\nHEM;4\nNOPE;;\n", "x.csv", org, version)


def test_import_responses_takes_the_organisations_own_instrument(tmp_path, org, units):
    install(load_yaml(YAML % "Shipped"))
    own, _new = install(load_yaml(YAML % "Own"), organisation=org)
    path = tmp_path / "old.csv"
    path.write_text("unit_id;q1\nHEM;4\n")
    call_command(
        "import_responses",
        str(path),
        org="testby",
        instrument="hme",
        name="X",
        stdout=io.StringIO(),
    )
    assert Campaign.objects.get(name="X").versions()[0] == own


def test_a_second_reminder_keeps_the_first_reminders_link(client, launched, mailoutbox):
    campaign, first = launched
    mailoutbox.clear()
    actions.do_send_reminders(campaign)
    reminded = tokens_in(mailoutbox)
    mailoutbox.clear()
    actions.do_send_reminders(campaign)
    again = tokens_in(mailoutbox)
    person = "s@testby.se"
    for token in (first[person], reminded[person], again[person]):
        assert client.get(f"/s/{token}/").status_code == 200


class FailingMailServer(BaseEmailBackend):
    """A mail server that hangs up, as a real one does when it is down."""

    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def test_a_mail_server_that_fails_at_launch_is_said_and_reminders_resend(
    client, admin_user, campaign, settings, mailoutbox, _site_url
):
    settings.EMAIL_BACKEND = f"{__name__}.FailingMailServer"
    client.force_login(admin_user)
    response = client.post(f"/o/testby/surveys/{campaign.pk}/launch/", follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Connection unexpectedly closed" in page
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.OPEN
    assert campaign.events.filter(kind="mailfailed").exists()
    # Reminders fail alike, and say so; once the server works they bring everyone a link.
    response = client.post(f"/o/testby/surveys/{campaign.pk}/remind/", follow=True)
    assert "Connection unexpectedly closed" in response.content.decode()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    client.post(f"/o/testby/surveys/{campaign.pk}/remind/")
    tokens = tokens_in(mailoutbox)
    assert len(tokens) == 3
    for token in tokens.values():
        assert client.get(f"/s/{token}/").status_code == 200


def test_reminders_skip_people_who_left_after_the_launch(launched, staff, mailoutbox):
    campaign, _tokens = launched
    staff["hem2"].active = False
    staff["hem2"].save()
    mailoutbox.clear()
    assert actions.do_send_reminders(campaign) == 2
    assert "h2@testby.se" not in tokens_in(mailoutbox)


def test_scale_labels_fall_back_to_a_language_the_instrument_has():
    """An instrument labelled only in English, asked in Danish: the English labels, not bare
    numbers (texts already fell back this way)."""
    from tillit.surveys.questionnaire import Page
    from tillit.surveys.views.answering import _questions

    item = {"id": "q", "type": "scale", "scale": "s", "required": False, "text": {"en": "Q"}}
    definition = {
        "id": "eng",
        "scales": {"s": {"min": 1, "max": 3, "labels": {"en": ["Low", "Mid", "High"]}}},
        "sections": [{"id": "a", "title": {"en": "A"}, "items": [item]}],
    }
    page = Page(0, "section", "eng", definition, [definition["sections"][0]], ["q"])
    question = _questions(page, {}, {}, "da")[0]
    assert [label for _value, label, _chosen in question["choices"]] == ["Low", "Mid", "High"]


def test_the_thank_you_page_follows_a_renamed_organisation(client, launched, org):
    _campaign, tokens = launched
    for email, name in (("s@testby.se", "Testby kommun"), ("h1@testby.se", "Nya Testby")):
        org.name = name
        org.save()
        link = f"/s/{tokens[email]}/"
        client.post(link, {"page": 0, "action": "next", "a:q1": "4"})
        client.post(link, {"page": 1, "action": "next", "a:q3": "nej"})
        review = client.get(link + "?p=2")
        key = review.context["idempotency_key"] if review.context else None
        page = client.post(link + "submit/", {"idempotency_key": key}).content.decode()
        assert name in page
