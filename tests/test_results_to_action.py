"""From results to action: a results dialogue started from a unit's results page shows every
instrument of its survey; action owners are the organisation's people, told and reminded by
e-mail; session participants are invited with an .ics."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import PASSWORD
from tests.test_results_helpers import answer, make_campaign
from tillit.core import jobs
from tillit.org.models import Organisation, Person
from tillit.programmes import actions, mailing
from tillit.programmes.loading import install_shipped_templates
from tillit.programmes.models import Artefact, Programme, ProgrammeTemplate
from tillit.results.snapshot import store_snapshot

pytestmark = pytest.mark.django_db


def client_for(user, language="en") -> Client:
    client = Client()
    assert client.login(username=user.email, password=PASSWORD)
    client.cookies["tillit_language"] = language
    return client


@pytest.fixture
def templates(db):
    install_shipped_templates()
    return {t.slug: t for t in ProgrammeTemplate.objects.all()}


@pytest.fixture
def surveys(org, units):
    """Two closed surveys of HME and the trust principles; Hemtjänst Norr answered both."""
    older = make_campaign(org, units["SOC"], name="Enkät 2025", year=2025)
    answer(older, units["HEM"], [2] * 6)
    newer = make_campaign(org, units["SOC"], name="Enkät 2026")
    answer(newer, units["HEM"], [4] * 6)
    store_snapshot(older)
    store_snapshot(newer)
    return older, newer


@pytest.fixture
def people(org, units):
    return {
        "bo": Person.objects.create(
            organisation=org, email="bo@testby.se", name="Bo Berg", unit=units["HEM"], language="da"
        ),
        "gone": Person.objects.create(
            organisation=org,
            email="gone@testby.se",
            name="Gun Gone",
            unit=units["HEM"],
            active=False,
        ),
    }


def test_a_results_dialogue_starts_from_the_unit_page_with_every_instrument_of_its_survey(
    org, units, templates, surveys, admin_user, employee_user, team_manager_user
):
    older, newer = surveys
    unit_page = reverse("results:unit", args=[org.slug, older.pk, units["HEM"].pk])
    admin = client_for(admin_user)
    page = admin.get(unit_page).content.decode()
    assert "Start a results dialogue" in page
    start = reverse("programmes:start_dialogue", args=[org.slug])
    response = admin.post(start, {"campaign": older.pk, "unit": units["HEM"].pk})
    programme = Programme.objects.get()
    assert programme.campaign == older and list(programme.units.all()) == [units["HEM"]]
    assert programme.template_version.template.slug == "resultatdialog"
    assert response.status_code == 302 and response["Location"].endswith("/steps/results/")
    step = admin.get(response["Location"]).content.decode()
    # The survey it was started from (2025), not the newest, and both instruments.
    assert "Enkät 2025" in step and "Enkät 2026" not in step
    assert "<h5>HME" in step and "<h5>Trust index" in step
    # An employee sees no button and may not start one; the unit's own manager may.
    assert (
        "Start a results dialogue" not in client_for(employee_user).get(unit_page).content.decode()
    )
    assert (
        client_for(employee_user)
        .post(start, {"campaign": older.pk, "unit": units["HEM"].pk})
        .status_code
        == 403
    )
    assert (
        client_for(team_manager_user)
        .post(start, {"campaign": newer.pk, "unit": units["HEM"].pk})
        .status_code
        == 302
    )
    assert Programme.objects.filter(campaign=newer).exists()


@pytest.fixture
def dialogue(org, units, templates, admin_user):
    return actions.do_start_programme(
        organisation=org,
        template_version=templates["resultatdialog"].latest(),
        title="Resultatdialog",
        language="sv",
        units=[units["HEM"]],
        created_by=admin_user,
    )


def test_an_action_owner_is_picked_from_the_people_and_told_by_mail_in_their_language(
    org,
    units,
    dialogue,
    people,
    admin_user,
    employee_user,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    admin = client_for(admin_user)
    new = reverse("programmes:artefact_add", args=[org.slug, dialogue.pk, "actions", "action"])
    form = admin.get(new).content.decode()
    assert 'list="people-options"' in form and 'hx-get="/o/testby/programmes/people/"' in form
    assert '<option value="bo@testby.se">Bo Berg – Hemtjänst Norr</option>' in form
    search = reverse("programmes:people", args=[org.slug])
    found = admin.get(search, {"owner_email": "berg"}).content.decode()
    assert "Bo Berg" in found and "Gun Gone" not in found  # active people only
    assert "Bo Berg" not in admin.get(search, {"owner_email": "zzz"}).content.decode()
    assert client_for(employee_user).get(search, {"q": "bo"}).status_code == 403
    due = timezone.localdate() + dt.timedelta(days=10)
    data = {"title": "Färre dubbelregistreringar", "due_date": due.isoformat(), "status": "planned"}
    refused = admin.post(new, {**data, "owner_email": "stranger@example.com"})
    assert (
        refused.status_code == 200
        and "“stranger@example.com” is not among" in refused.content.decode()
    )
    assert not Artefact.objects.exists() and not mailoutbox
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(new, {**data, "owner_email": "bo@testby.se"})
    action = Artefact.objects.get()
    assert action.owner_email == "bo@testby.se" and action.owner_name == "Bo Berg"
    [mail] = mailoutbox
    assert mail.to == ["bo@testby.se"] and mail.extra_headers["Content-Language"] == "da"
    assert "Færre" not in mail.subject and "ansvarlig for handlingen" in mail.body
    assert due.strftime("%d.%m.%Y") in mail.body  # Danish short date


def test_owners_are_reminded_before_the_date_and_once_when_overdue(
    org, units, dialogue, people, admin_user, mailoutbox
):
    today = timezone.localdate()
    action = actions.do_create_artefact(
        dialogue,
        "actions",
        "action",
        {
            "title": "Ny rutin",
            "owner_email": "bo@testby.se",
            "due_date": today + dt.timedelta(days=5),
            "status": "planned",
        },
        admin_user,
    )
    mailoutbox.clear()
    assert mailing.run_action_reminders(today) == {"coming": 0, "overdue": 0}
    assert mailing.run_action_reminders(today + dt.timedelta(days=2))["coming"] == 1
    assert jobs.tick()["programmes.action_reminders"] == {"coming": 0, "overdue": 0}
    assert mailing.run_action_reminders(today + dt.timedelta(days=3))["coming"] == 0  # once
    assert mailing.run_action_reminders(today + dt.timedelta(days=6))["overdue"] == 1
    assert mailing.run_action_reminders(today + dt.timedelta(days=7))["overdue"] == 0
    assert len(mailoutbox) == 2 and "Forsinket" in mailoutbox[1].subject
    # A new date makes both due again; a done action is never reminded.
    actions.do_update_artefact(
        action,
        {**action.values(), "due_date": today + dt.timedelta(days=20)},
        action.version,
        admin_user,
    )
    # An archived organisation is asked nothing (records.actions.do_archive_organisation).
    Organisation.objects.filter(pk=org.pk).update(archived_at=timezone.now())
    assert mailing.run_action_reminders(today + dt.timedelta(days=18))["coming"] == 0
    Organisation.objects.filter(pk=org.pk).update(archived_at=None)
    assert mailing.run_action_reminders(today + dt.timedelta(days=18))["coming"] == 1
    Artefact.objects.filter(pk=action.pk).update(status="done")
    assert mailing.run_action_reminders(today + dt.timedelta(days=30))["overdue"] == 0


def test_participants_are_invited_to_sessions_with_an_ics(
    org, units, dialogue, people, admin_user, mailoutbox, django_capture_on_commit_callbacks
):
    actions.do_add_participant(dialogue, "bo@testby.se", "", "participant")
    step = dialogue.steps.get(step_id="results")
    when = dt.datetime(2027, 3, 4, 13, 30, tzinfo=timezone.get_current_timezone())
    admin = client_for(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(
            reverse("programmes:step_session", args=[org.slug, dialogue.pk, "results"]),
            {"date": "2027-03-04T13:30", "place": "Rum 3", "agenda": "Resultaten; sedan frågor"},
        )
    assert sorted(m.to[0] for m in mailoutbox) == ["admin@testby.se", "bo@testby.se"]
    bo = next(m for m in mailoutbox if m.to == ["bo@testby.se"])
    assert "Rum 3" in bo.body and "04.03.2027 13:30" in bo.body  # Danish date and time
    name, ics, mime = bo.attachments[0]
    assert name == "invitation.ics" and mime == "text/calendar"
    assert f"DTSTART:{when.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}" in ics
    assert "LOCATION:Rum 3" in ics and "Resultaten\\; sedan frågor" in ics
    assert step.sessions.count() == 1
    # Someone added later gets the coming session's invitation.
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(
            reverse("programmes:participants", args=[org.slug, dialogue.pk]),
            {"email": "anna@testby.se", "name": "Anna", "role": "participant"},
        )
    assert [m.to for m in mailoutbox] == [["anna@testby.se"]]
