"""Programmes: start, steps, artefacts and stale edits, follow-up, permissions, reports."""

import datetime
import io
import subprocess

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.conftest import PASSWORD, make_user
from tillit.org.access import access_for
from tillit.org.models import Person
from tillit.programmes import actions, report, rights
from tillit.programmes.loading import install_shipped_templates
from tillit.programmes.models import (
    Artefact,
    Participant,
    Programme,
    ProgrammeStep,
    ProgrammeTemplate,
)


@pytest.fixture
def templates(db):
    install_shipped_templates()
    return {t.slug: t for t in ProgrammeTemplate.objects.all()}


@pytest.fixture
def programme(org, units, admin_user, templates):
    """A samskabt-styring programme in Danish for Hemtjänst Norr."""
    return actions.do_start_programme(
        organisation=org,
        template_version=templates["samskabt-styring"].latest(),
        title="Mindre bøvl i hjemmeplejen",
        language="da",
        units=[units["HEM"]],
        created_by=admin_user,
    )


def client_for(user) -> Client:
    client = Client()
    assert client.login(username=user.email, password=PASSWORD)
    return client


def url(name, *args):
    return reverse(f"programmes:{name}", args=["testby", *args])


def challenge(programme, title="Dobbeltregistrering af fravær", user=None):
    return actions.do_create_artefact(
        programme,
        "challenges",
        "challenge",
        {"title": title, "steering": "Fraværsregel", "hindrance": "Tager tid", "priority": "high"},
        user,
    )


def action(programme, owner, due, status="planned", unit=None, title="Én registrering"):
    return actions.do_create_artefact(
        programme,
        "test",
        "action",
        {"title": title, "owner_email": owner, "due_date": due, "status": status},
        None,
        unit=unit,
    )


# --- starting and steps -----------------------------------------------------------------


@pytest.mark.parametrize(
    "slug",
    [
        "samskabt-styring",
        "ledningsgruppsutveckling",
        "resultatdialog",
        "styringsdialog",
        "goda-exempel",
    ],
)
def test_admin_starts_a_programme_from_each_template(org, units, admin_user, templates, slug):
    client = client_for(admin_user)
    response = client.post(
        url("start"),
        {"template": slug, "title": f"Forløb {slug}", "language": "da", "units": [units["SOC"].pk]},
    )
    programme = Programme.objects.get(title=f"Forløb {slug}")
    assert response.status_code == 302
    assert programme.template_version == templates[slug].latest()
    steps = list(programme.steps.values_list("step_id", flat=True))
    assert steps == [s["id"] for s in programme.definition["steps"]]
    assert programme.participants.get().role == Participant.Role.FACILITATOR
    page = client.get(url("detail", programme.pk))
    assert page.status_code == 200
    assert b"<svg" in page.content
    first = programme.definition["steps"][0]
    step_page = client.get(url("step", programme.pk, first["id"]))
    assert first["title"]["da"] in step_page.content.decode()


def test_manager_starts_only_for_own_units(units, manager_user, templates):
    client = client_for(manager_user)
    form = client.get(url("start"))
    assert "Hemtjänst Norr" in form.content.decode()
    assert "Barn- och utbildning" not in form.content.decode()
    refused = client.post(
        url("start"),
        {"template": "resultatdialog", "title": "X", "language": "sv", "units": [units["BUF"].pk]},
    )
    assert refused.status_code == 200  # BUF is not a choice: the form says so, nothing started
    assert not Programme.objects.exists()


def test_employee_and_med_cannot_start(med_user, employee_user, templates):
    assert client_for(employee_user).get(url("start")).status_code == 403
    assert client_for(med_user).get(url("start")).status_code == 403


def test_steps_in_any_order_and_done_recorded(programme, admin_user):
    client = client_for(admin_user)
    client.post(url("step_status", programme.pk, "test"), {"status": "in_progress"})
    client.post(url("step_status", programme.pk, "intro"), {"status": "done"})
    steps = {s.step_id: s for s in programme.steps.all()}
    assert steps["test"].status == ProgrammeStep.Status.IN_PROGRESS
    assert steps["intro"].status == ProgrammeStep.Status.DONE and steps["intro"].done_at
    assert steps["challenges"].status == ProgrammeStep.Status.NOT_STARTED
    client.post(url("step_status", programme.pk, "intro"), {"status": "in_progress"})
    assert programme.steps.get(step_id="intro").done_at is None


def test_checklist_is_stored(programme, admin_user):
    client = client_for(admin_user)
    client.post(url("step_checklist", programme.pk, "intro"), {"ticked": ["0", "2"]})
    step = programme.steps.get(step_id="intro")
    assert step.checked == [0, 2]
    assert step.status == ProgrammeStep.Status.IN_PROGRESS
    page = client.get(url("step", programme.pk, "intro")).content.decode()
    assert 'value="2" id="id_ticked_2" checked' in page


def test_session_agenda_is_prefilled(programme, admin_user):
    client = client_for(admin_user)
    client.post(
        url("step_session", programme.pk, "challenges"),
        {"date": "2030-03-01T09:00", "place": "Rådhuset", "agenda": ""},
    )
    session = programme.steps.get(step_id="challenges").sessions.get()
    assert session.place == "Rådhuset"
    assert "2. Udpege, undersøge og prioritere udfordringerne" in session.agenda
    assert "- Prikafstemning (15 min)" in session.agenda  # the tool, in the programme's language


def test_participants_are_managed_and_linked(programme, admin_user, employee_user):
    client = client_for(admin_user)
    client.post(
        url("participants", programme.pk),
        {"email": "Anna@Testby.se", "name": "", "role": "participant"},
    )
    participant = programme.participants.get(email="anna@testby.se")
    assert participant.person.name == "Anna Andersson"
    client.post(url("participant_remove", programme.pk, participant.pk))
    assert not programme.participants.filter(email="anna@testby.se").exists()


# --- artefacts ---------------------------------------------------------------------------


def test_artefact_create_and_edit_through_forms(programme, admin_user):
    client = client_for(admin_user)
    client.post(
        url("artefact_add", programme.pk, "challenges", "challenge"),
        {
            "title": "Dobbeltregistrering",
            "steering": "Regel",
            "hindrance": "Tid",
            "priority": "high",
        },
    )
    item = Artefact.objects.get(kind="challenge")
    assert item.unit.external_id == "HEM" and item.version == 1
    client.post(
        url("artefact_add", programme.pk, "solutions", "solution"),
        {"title": "Én registrering", "challenge": item.pk, "wanted_effect": "Mindre tid"},
    )
    solution = Artefact.objects.get(kind="solution")
    assert solution.data["challenge"] == item.pk
    response = client.post(
        reverse("programmes:artefact_edit", args=["testby", item.pk]),
        {
            "title": "Dobbeltregistrering af fravær",
            "steering": "Regel",
            "hindrance": "Tid",
            "priority": "medium",
            "version": 1,
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.title, item.data["priority"], item.version) == (
        "Dobbeltregistrering af fravær",
        "medium",
        2,
    )


def test_bad_artefact_is_refused_with_field_error(programme, admin_user):
    response = client_for(admin_user).post(
        url("artefact_add", programme.pk, "test", "action"),
        {"title": "X", "owner_email": "not-an-email", "status": "planned"},
    )
    assert response.status_code == 200
    assert "field__error" in response.content.decode()
    assert not Artefact.objects.exists()


def test_stale_edit_gets_409_with_both_versions_and_keeps_the_first(
    programme, admin_user, manager_user
):
    item = challenge(programme)
    first, second = client_for(admin_user), client_for(manager_user)
    base = {"steering": "Regel", "hindrance": "Tid", "priority": "high", "version": 1}
    ok = first.post(
        reverse("programmes:artefact_edit", args=["testby", item.pk]),
        {**base, "title": "Første skrivers titel"},
    )
    assert ok.status_code == 302
    stale = second.post(
        reverse("programmes:artefact_edit", args=["testby", item.pk]),
        {**base, "title": "Anden skrivers titel"},
    )
    assert stale.status_code == 409
    page = stale.content.decode()
    assert "Første skrivers titel" in page and "Anden skrivers titel" in page
    item.refresh_from_db()
    assert item.title == "Første skrivers titel" and item.version == 2


def test_update_function_refuses_stale_version(programme):
    item = challenge(programme)
    actions.do_update_artefact(item, {**item.values(), "title": "A"}, 1, None)
    with pytest.raises(actions.StaleEdit) as caught:
        actions.do_update_artefact(item, {**item.values(), "title": "B"}, 1, None)
    assert caught.value.current.title == "A"


# --- follow-up ---------------------------------------------------------------------------


def test_overdue_and_my_actions(programme, units, team_manager_user, employee_user):
    today = timezone.localdate()
    late = action(programme, "anna@testby.se", today - datetime.timedelta(days=3))
    soon = action(programme, "anna@testby.se", today + datetime.timedelta(days=3))
    done = action(programme, "anna@testby.se", today - datetime.timedelta(days=9), status="done")
    other = action(programme, "x@testby.se", today, unit=units["BUF"], title="Barnens aktion")
    assert late.is_overdue and not soon.is_overdue and not done.is_overdue
    assert list(Artefact.objects.overdue()) == [late]
    assert list(actions.unit_actions(units["HEM"])) == [done, late, soon]
    # The owner sees her actions; the manager of HEM sees them too, but not BUF's.
    for user in (employee_user, team_manager_user):
        response = client_for(user).get(url("my_actions"))
        page = response.content.decode()
        assert page.count("Én registrering") == 3
        assert response.context["overdue"] == 1
        assert page.count('class="overdue"') == 2  # the summary and the one late row
        assert other.title not in page


def test_a_list_of_actions_reads_its_owners_names_in_constant_queries(
    programme, units, team_manager_user, employee_user
):
    today = timezone.localdate()
    Person.objects.create(
        organisation=programme.organisation, email="bo@testby.se", name="Bo Berg", unit=units["HEM"]
    )
    owners = ("anna@testby.se", "bo@testby.se", "nobody@testby.se")
    client = client_for(team_manager_user)

    def page_queries(rows: int) -> tuple[int, str]:
        for n in range(rows):
            action(programme, owners[n % 3], today, title=f"Aktion {n}")
        # Warmed first: a process rereads which organisations require their IdP once per
        # half minute, and that read must not count as a row's.
        client.get(url("my_actions"))
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url("my_actions")).content.decode()
        return len(queries), page

    few, _page = page_queries(3)
    many, page = page_queries(9)
    assert page.count("Aktion") == 12 and few == many
    # Names from the organisation file; an owner not in it by e-mail address.
    assert "Anna Andersson" in page and "Bo Berg" in page and "nobody@testby.se" in page
    listed = list(
        rights.unit_actions(
            access_for(team_manager_user, programme.organisation),
            team_manager_user.email,
            programme,
        )
    )
    with CaptureQueriesContext(connection) as names:
        assert {a.owner_name for a in listed} == {"Anna Andersson", "Bo Berg", "nobody@testby.se"}
    assert len(names) == 0


def test_owner_updates_status_and_measurements(programme, employee_user):
    item = action(programme, "anna@testby.se", timezone.localdate())
    client = client_for(employee_user)
    follow = reverse("programmes:action", args=["testby", item.pk])
    assert client.get(follow).status_code == 200
    client.post(
        follow,
        {
            "form": "measurement",
            "m-label": "Dokumentationstid",
            "m-before": "42",
            "m-after": "28",
            "m-unit": "min/dag",
        },
    )
    client.post(follow, {"form": "log", "l-text": "Første uge uden dobbeltregistrering"})
    client.post(follow, {"form": "status", "s-status": "done", "s-version": 3})
    item.refresh_from_db()
    assert item.measurements == [
        {"label": "Dokumentationstid", "before": "42", "after": "28", "unit": "min/dag"}
    ]
    assert item.logbook[0]["text"] == "Første uge uden dobbeltregistrering"
    assert item.status == "done"
    # Someone else's action in a programme she does not take part in: 404.
    other = action(programme, "x@testby.se", timezone.localdate())
    assert client.get(reverse("programmes:action", args=["testby", other.pk])).status_code == 404


# --- permissions -------------------------------------------------------------------------


def test_permissions_by_role(
    programme,
    units,
    admin_user,
    manager_user,
    team_manager_user,
    med_user,
    employee_user,
    outsider_user,
):
    detail = url("detail", programme.pk)
    status = url("step_status", programme.pk, "intro")
    # Admin, manager of HEM and of SOC above it: see and steer.
    for user in (admin_user, manager_user, team_manager_user):
        client = client_for(user)
        assert client.get(detail).status_code == 200
        assert client.post(status, {"status": "in_progress"}).status_code == 302
    # MED rep of BUF: not their unit → 404; once the programme includes BUF, they co-own it.
    med = client_for(med_user)
    assert med.get(detail).status_code == 404
    assert programme.title not in med.get(url("list")).content.decode()
    programme.units.add(units["BUF"])
    assert med.get(detail).status_code == 200
    assert med.post(status, {"status": "done"}).status_code == 302
    # Employee not taking part: 404 and not listed; as a participant: sees, may record, not steer.
    employee = client_for(employee_user)
    assert employee.get(detail).status_code == 404
    assert employee.get(url("report_pdf", programme.pk)).status_code == 404
    actions.do_add_participant(programme, "anna@testby.se", "", Participant.Role.PARTICIPANT)
    assert employee.get(detail).status_code == 200
    assert programme.title in employee.get(url("list")).content.decode()
    assert employee.post(status, {"status": "not_started"}).status_code == 403
    assert (
        employee.post(
            url("participants", programme.pk), {"email": "x@y.se", "role": "participant"}
        ).status_code
        == 403
    )
    added = employee.post(
        url("artefact_add", programme.pk, "intro", "glossary_term"),
        {"title": "Styring", "definition": "Mål, regler og krav"},
    )
    assert added.status_code == 302
    # Outsider (other organisation): 404 on everything.
    outsider = client_for(outsider_user)
    for path in (detail, url("list"), url("step", programme.pk, "intro"), url("my_actions")):
        assert outsider.get(path).status_code == 404
    # An artefact of this organisation cannot be reached through another organisation's URL.
    item = challenge(programme)
    assert (
        outsider.get(reverse("programmes:artefact_edit", args=["annanstad", item.pk])).status_code
        == 404
    )


def test_other_employee_sees_no_programme(programme, org, units):
    from tillit.org.models import Person

    Person.objects.create(organisation=org, email="bo@testby.se", name="Bo", unit=units["BUF"])
    client = client_for(make_user("bo@testby.se"))
    assert client.get(url("detail", programme.pk)).status_code == 404
    assert "Mindre bøvl" not in client.get(url("list")).content.decode()


def test_reference_fields_offer_only_artefacts_of_visible_programmes(
    programme, org, units, admin_user, med_user, templates
):
    """A MED rep of BUF steers a BUF programme but must not see HEM's challenge titles."""
    challenge(programme, title="Hemlig utmaning i hemtjänsten")
    own = actions.do_start_programme(
        organisation=org,
        template_version=templates["samskabt-styring"].latest(),
        title="BUF:s forløb",
        language="sv",
        units=[units["BUF"]],
        created_by=admin_user,
    )
    challenge(own, title="Egen utmaning")
    page = client_for(med_user).get(url("artefact_add", own.pk, "solutions", "solution"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Egen utmaning" in html
    assert "Hemlig utmaning" not in html
    # The admin, who may open both programmes, is offered both.
    html = client_for(admin_user).get(url("artefact_add", own.pk, "solutions", "solution"))
    assert "Hemlig utmaning" in html.content.decode()


# --- reports -----------------------------------------------------------------------------


def test_report_pdf_and_docx_in_the_programme_language(programme, admin_user, tmp_path):
    challenge(programme)
    item = action(programme, "anna@testby.se", timezone.localdate() - datetime.timedelta(days=1))
    actions.do_add_measurement(item, "Dokumentationstid", "42", "28", "min/dag", None)
    actions.do_create_artefact(
        programme, "learn", "lesson", {"title": "Start småt", "area": "method"}, None
    )
    client = client_for(admin_user)
    pdf = client.get(url("report_pdf", programme.pk))
    assert pdf["Content-Type"] == "application/pdf"
    path = tmp_path / "report.pdf"
    path.write_bytes(b"".join(pdf.streaming_content) if pdf.streaming else pdf.content)
    output = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    text = " ".join(output.split())  # lines wrap where the page is full
    assert "Mindre bøvl i hjemmeplejen" in text
    assert "Dobbeltregistrering af fravær" in text
    assert "1. Intro og fælles sprog" in text
    assert "Udfordringer" in text  # the kind's label, in Danish
    assert "Start småt" in text
    response = client.get(url("report_docx", programme.pk))
    from docx import Document

    paragraphs = [p.text for p in Document(io.BytesIO(response.content)).paragraphs]
    assert any("Dobbeltregistrering af fravær" in p for p in paragraphs)
    assert any(p.startswith("Målinger") and "42 → 28 min/dag" in p for p in paragraphs)
    assert "4. Afprøve og implementere" in paragraphs
    assert any("Forsinket" in p for p in paragraphs)


def test_report_html_names_every_step(programme):
    html = report.html(programme)
    for step in programme.definition["steps"]:
        assert step["title"]["da"] in html


def test_step_page_offers_a_live_session_to_those_who_steer(programme, admin_user, employee_user):
    start = reverse("workshop:start", args=["testby", programme.pk, "intro"])
    step = url("step", programme.pk, "intro")
    assert start in client_for(admin_user).get(step).content.decode()
    actions.do_add_participant(programme, "anna@testby.se", "", Participant.Role.PARTICIPANT)
    page = client_for(employee_user).get(step)
    assert page.status_code == 200
    assert start not in page.content.decode()


def test_results_dialogue_shows_the_units_published_results_and_earlier_actions(
    org, units, templates, admin_user, employee_user
):
    from tests.test_results_helpers import answer, make_campaign
    from tillit.results.snapshot import store_snapshot

    last_year = make_campaign(org, units["SOC"], name="Enkät 2025", year=2025)
    answer(last_year, units["HEM"], [3] * 6)
    this_year = make_campaign(org, units["SOC"], name="Enkät 2026")
    answer(this_year, units["HEM"], [4] * 6)
    store_snapshot(last_year)
    store_snapshot(this_year)
    earlier = actions.do_start_programme(
        organisation=org,
        template_version=templates["resultatdialog"].latest(),
        title="Resultatdialog 2025",
        language="sv",
        units=[units["HEM"]],
        created_by=admin_user,
    )
    agreed = action(earlier, "anna@testby.se", timezone.localdate() - datetime.timedelta(days=2))
    agreed.unit = units["HEM"]
    agreed.save()
    dialogue = actions.do_start_programme(
        organisation=org,
        template_version=templates["resultatdialog"].latest(),
        title="Resultatdialog 2026",
        language="sv",
        units=[units["HEM"]],
        created_by=admin_user,
    )
    actions.do_add_participant(dialogue, "anna@testby.se", "Anna", "participant")

    page = client_for(admin_user).get(url("step", dialogue.pk, "results")).content.decode()
    assert 'id="unit-results-' in page and "Enkät 2026" in page and "Enkät 2025" not in page
    # The user's language (Swedish here) speaks the plain words.
    assert "HME totalt 75 – 25 poäng högre än förra gången" in page
    assert reverse("results:unit", args=["testby", this_year.pk, units["HEM"].pk]) in page
    assert "Én registrering" in page and 'class="overdue"' in page

    # A participant of this dialogue sees the team's published figures, but not the link to
    # the results pages (no role), nor actions of a programme she may not open.
    page = client_for(employee_user).get(url("step", dialogue.pk, "results")).content.decode()
    assert "HME totalt 75" in page
    assert reverse("results:unit", args=["testby", this_year.pk, units["HEM"].pk]) not in page
    assert "Én registrering" not in page
    # Other steps show no results block.
    page = client_for(admin_user).get(url("step", dialogue.pk, "reflection")).content.decode()
    assert 'id="unit-results-' not in page


# --- finishing -------------------------------------------------------------------------------


def test_who_steers_finishes_and_reopens_a_programme(programme, admin_user, employee_user):
    action(programme, "anna@testby.se", timezone.localdate() + datetime.timedelta(days=7))
    actions.do_add_participant(programme, "anna@testby.se", "Anna", Participant.Role.PARTICIPANT)
    detail = url("detail", programme.pk)

    # A participant may look, but not finish it.
    participant = client_for(employee_user)
    assert url("finish", programme.pk) not in participant.get(detail).content.decode()
    assert participant.post(url("finish", programme.pk)).status_code == 403
    programme.refresh_from_db()
    assert programme.status == Programme.Status.ACTIVE and programme.finished_at is None

    steward = client_for(admin_user)
    assert steward.get(url("finish", programme.pk)).status_code == 405
    response = steward.post(url("finish", programme.pk))
    assert response.status_code == 302 and response["Location"] == detail
    programme.refresh_from_db()
    assert programme.status == Programme.Status.DONE
    finished_at = programme.finished_at
    assert finished_at is not None
    # A second click (or a replayed request) changes nothing.
    steward.post(url("finish", programme.pk))
    programme.refresh_from_db()
    assert programme.finished_at == finished_at
    page = steward.get(detail).content.decode()
    assert url("reopen", programme.pk) in page and url("finish", programme.pk) not in page
    assert "1 åtgärd är fortfarande öppen" in page  # the user speaks Swedish
    listing = steward.get(reverse("programmes:list", args=["testby"])).content.decode()
    assert "Avslutat " in listing

    assert participant.post(url("reopen", programme.pk)).status_code == 403
    steward.post(url("reopen", programme.pk))
    programme.refresh_from_db()
    assert programme.status == Programme.Status.ACTIVE and programme.finished_at is None
    # Finishing kept everything recorded.
    assert programme.artefacts.open_actions().count() == 1


def test_the_finish_form_says_how_many_steps_are_not_done(programme, admin_user):
    steps = list(programme.steps.all())
    actions.do_set_step_status(steps[0], ProgrammeStep.Status.DONE)
    page = client_for(admin_user).get(url("detail", programme.pk)).content.decode()
    assert f"{len(steps) - 1} steg är inte markerade som klara." in page
