"""Audit log, retention, records requests and the own-data export."""

import datetime as dt
import io
import json

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from tests.test_results_helpers import answer, make_campaign
from tillit import audit
from tillit.audit.log import Kind, record_sso_change
from tillit.audit.models import AuditEntry
from tillit.org.models import ImportJob, Person, RoleGrant
from tillit.org.roles import do_grant_role, do_revoke_role
from tillit.records.models import RetentionPolicy, RetentionRun
from tillit.records.retention import apply_retention
from tillit.results.models import ResultSnapshot, ResultUnit
from tillit.results.refreshing import get_snapshot
from tillit.results.snapshot import store_snapshot
from tillit.surveys.actions import do_save_campaign
from tillit.surveys.models import Answer, Draft, Invitation, Response

COMMENT = "Chefen lyssnar aldrig på oss"


@pytest.fixture
def campaign(org, units):
    """A closed campaign (closes 2026-03-21) of 12 answers, 10 comments, published."""
    campaign = make_campaign(org, units["K"])
    answer(campaign, units["K"], [4] * 12, comments=[COMMENT] * 10, invited=14)
    get_snapshot(campaign)
    return campaign


def kinds(org) -> set[str]:
    return set(AuditEntry.objects.filter(organisation=org).values_list("kind", flat=True))


def test_audit_records_every_kind_of_event(client, org, units, admin_user, campaign):
    client.force_login(admin_user)
    slug = org.slug
    assert client.get(reverse("results:overview", args=[slug, campaign.pk])).status_code == 200
    unit = ResultUnit.objects.filter(snapshot__campaign=campaign, shown=True).first()
    client.get(reverse("results:unit", args=[slug, campaign.pk, unit.unit_pk]))
    client.get(reverse("results:export", args=[slug, campaign.pk, "json"]))
    grant, _outcome = do_grant_role(org, "ny@testby.se", RoleGrant.Role.ADMIN, by=admin_user)
    do_revoke_role(grant, by=admin_user)
    draft = make_campaign(org, units["K"], name="Utkast", status="draft")
    draft.k = 6
    do_save_campaign(draft, list(campaign.versions()), by=admin_user)
    client.post(
        reverse("records:retention", args=[slug]),
        dict.fromkeys(
            (
                "raw_answers_days",
                "comments_days",
                "drafts_days",
                "invitations_days",
                "import_files_days",
                "audit_days",
            ),
            100,
        ),
    )
    job = ImportJob.objects.create(
        organisation=org,
        kind="units",
        filename="enheter.csv",
        content=b"x",
        created_by=admin_user,
        confirmed=True,  # past the column mapping and the preview: the import runs
    )
    from tillit.org.import_jobs import process_job

    process_job(job)
    record_sso_change(
        org,
        admin_user,
        {"issuer": "https://idp.example", "client_secret": "s3cret-old"},
        {"issuer": "https://login.example", "client_secret": "s3cret-new"},
    )
    client.post(
        reverse("records:requests", args=[slug]),
        {
            "campaign": campaign.pk,
            "kind": "public_access",
            "reference": "KS 2026/17",
            "received_on": "2026-04-02",
            "decision": "disclosed",
            "reasons": "",
        },
    )
    client.post(reverse("records:my_data", args=[slug]))
    assert kinds(org) >= {
        Kind.RESULTS_READ,
        Kind.RESULTS_EXPORTED,
        Kind.ROLE_GRANTED,
        Kind.ROLE_REVOKED,
        Kind.THRESHOLDS_CHANGED,
        Kind.SETTINGS_CHANGED,
        Kind.IMPORT_RUN,
        Kind.SSO_CHANGED,
        Kind.RECORDS_EXPORTED,
        Kind.PERSONAL_EXPORTED,
    }
    exported = AuditEntry.objects.get(kind=Kind.RESULTS_EXPORTED)
    assert exported.actor_email == admin_user.email
    assert exported.detail["campaign"] == campaign.name and exported.detail["format"] == "json"
    read = AuditEntry.objects.filter(kind=Kind.RESULTS_READ, detail__unit__isnull=False).first()
    assert read.detail["unit"]
    sso = AuditEntry.objects.get(kind=Kind.SSO_CHANGED)
    assert sso.detail["new"] == {"client_secret": "(changed)", "issuer": "https://login.example"}
    assert "s3cret" not in json.dumps(sso.detail)
    thresholds = AuditEntry.objects.get(kind=Kind.THRESHOLDS_CHANGED, detail__campaign="Utkast")
    assert thresholds.detail["new"]["k"] == 6
    # Never an answer, a comment or a token.
    tokens = list(Invitation.objects.values_list("token_hash", flat=True))
    for entry in AuditEntry.objects.all():
        text = json.dumps(entry.detail, ensure_ascii=False)
        assert COMMENT not in text and not any(t in text for t in tokens)
    with pytest.raises(ValueError, match="answers"):
        audit.record(Kind.RESULTS_READ, org, admin_user, answers={"q": 5})
    # The page: the process owner searches; others may not see it.
    page = client.get(reverse("records:audit", args=[slug]), {"kind": "role_granted"})
    assert b"ny@testby.se" in page.content and b"enheter.csv" not in page.content
    page = client.get(reverse("records:audit", args=[slug]), {"text": "enheter"})
    assert b"enheter.csv" in page.content


def test_the_records_pages_are_for_the_process_owner(client, org, employee_user, outsider_user):
    client.force_login(employee_user)
    for name in ("audit", "retention", "requests"):
        assert client.get(reverse(f"records:{name}", args=[org.slug])).status_code == 403
    assert client.get(reverse("records:my_data", args=[org.slug])).status_code == 200
    client.force_login(outsider_user)
    assert client.get(reverse("records:my_data", args=[org.slug])).status_code == 404


def test_retention_deletes_exactly_what_is_due(org, units, admin_user, campaign):
    RetentionPolicy.objects.create(
        organisation=org,
        raw_answers_days=365,
        comments_days=100,
        drafts_days=30,
        invitations_days=60,
        import_files_days=90,
        audit_days=200,
    )
    published = ResultSnapshot.objects.get(campaign=campaign)
    before = (published.computed_at, published.data, list(published.units.values_list("data")))
    Draft.objects.create(invitation=Invitation.objects.first(), campaign=campaign)
    ImportJob.objects.create(
        organisation=org,
        kind="units",
        filename="a.csv",
        finished_at=dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
    )
    audit.record(Kind.RESULTS_READ, org, admin_user, campaign="x")
    AuditEntry.objects.update(at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    comments = Answer.objects.filter(campaign=campaign).exclude(text="").count()
    answers = Answer.objects.filter(campaign=campaign).count()

    def at(day):
        with time_machine.travel(dt.datetime.fromisoformat(day + "T03:00:00+00:00"), tick=False):
            return apply_retention(org).deleted

    # Closed 2026-03-21. Drafts go after 30 days, invitations after 60 …
    assert at("2026-04-20")["drafts"] == 0
    assert at("2026-04-21")["drafts"] == 1
    assert at("2026-05-20")["invitations"] == 0
    assert at("2026-05-21")["invitations"] == 14
    assert at("2026-05-30")["import_files"] == 1  # finished 2026-03-01, kept 90 days
    # … comments after 100, audit entries 200 days after the event, raw answers after 365.
    assert at("2026-06-29")["comments"] == 0
    assert at("2026-06-30")["comments"] == comments
    assert Answer.objects.filter(campaign=campaign).count() == answers - comments
    assert at("2026-07-20")["audit"] == 1
    assert at("2027-03-21")["raw_answers"] == 0
    run = at("2027-03-22")
    assert run["raw_answers"] == answers - comments and run["campaigns"] == [campaign.name]
    assert not Response.objects.filter(campaign=campaign).exists()
    assert RetentionRun.objects.filter(organisation=org).count() == 10
    # The publication stands, as it was, and is never rebuilt from the answers left (none).
    published.refresh_from_db()
    assert published.raw_deleted_at is not None
    store_snapshot(campaign)
    get_snapshot(campaign)
    published.refresh_from_db()
    assert (
        published.computed_at,
        published.data,
        list(published.units.values_list("data")),
    ) == before
    assert AuditEntry.objects.filter(kind=Kind.RETENTION_RUN).exists()
    # The next year's trend still compares with the published figures of this one.
    later = make_campaign(org, units["K"], name="Enkät 2027", year=2027)
    answer(later, units["K"], [5] * 12)
    snapshot = get_snapshot(later)
    assert snapshot.data["previous"]["hme"] == {"id": campaign.pk, "name": campaign.name}
    top = snapshot.units.get(unit_pk=units["K"].pk).data
    assert top["trend"]["hme.ledarskap"] == 75.0  # the published figure of a year ago (all 4s)


def test_the_daily_command_and_defaults(org, campaign, capsys):
    with time_machine.travel(dt.datetime(2028, 4, 1, 3, tzinfo=dt.UTC), tick=False):
        call_command("retention")
    assert "raw_answers" in capsys.readouterr().out
    assert not Response.objects.filter(campaign=campaign).exists()  # 730 days by default


def test_records_export_holds_only_what_was_published(client, org, units, admin_user):
    from tests.test_results_helpers import add_unit

    small = add_unit(org, "T3", units["K"], name="Team Tre")
    campaign = make_campaign(org, units["K"])
    answer(campaign, units["K"], [4] * 9, comments=["Bra stämning i gruppen"] * 9)
    answer(campaign, small, [1, 1, 1], comments=["Hemligt om chefen"] * 3)
    get_snapshot(campaign)
    client.force_login(admin_user)
    response = client.post(
        reverse("records:requests", args=[org.slug]),
        {
            "campaign": campaign.pk,
            "kind": "gdpr",
            "reference": "D 2026:4",
            "received_on": "2026-04-02",
            "decision": "disclosed",
            "reasons": "Som publicerat",
        },
    )
    assert response["Content-Type"].startswith("application/vnd.openxml")
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    cells = " ".join(
        str(value)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    )
    # A unit of three: none of its comments is disclosed as its own. (They may stand among the
    # kommun's twelve, which publishes them because it has ten or more with no shown child.)
    comments = book["Comments"] if "Comments" in book.sheetnames else None
    rows = list(comments.iter_rows(min_row=2, values_only=True)) if comments else []
    assert not [row for row in rows if row[0] == "T3"]
    assert {row[0] for row in rows if row[3] == "Hemligt om chefen"} <= {"K"}
    assert "Team Tre" in cells  # listed, with why it is hidden
    refused = client.post(
        reverse("records:requests", args=[org.slug]),
        {
            "campaign": campaign.pk,
            "kind": "public_access",
            "reference": "D 2026:5",
            "received_on": "2026-04-03",
            "decision": "refused",
            "reasons": "Sekretess",
        },
    )
    assert refused.status_code == 302
    log = client.get(reverse("records:requests", args=[org.slug]))
    assert b"D 2026:4" in log.content and b"D 2026:5" in log.content


def test_own_data_export_never_holds_answers(client, org, units, employee_user, campaign):
    person = Person.objects.get(organisation=org, email=employee_user.email)
    Invitation.objects.filter(pk=Invitation.objects.first().pk).update(person=person)
    do_grant_role(org, employee_user.email, RoleGrant.Role.MED, units["HEM"])
    client.force_login(employee_user)
    response = client.post(reverse("records:my_data", args=[org.slug]))
    data = json.loads(response.content)
    assert data["account"]["email"] == employee_user.email
    assert data["employment"] == [{"unit": units["HEM"].name, "active": True, "start_date": None}]
    assert data["roles"][0]["unit"] == units["HEM"].name
    assert data["invitations"] == [{"campaign": campaign.name, "answered": True}]
    # Whatever Tillit stored as answers to the campaign, none of it is in the export.
    text = response.content.decode()
    assert COMMENT not in text and '"answers"' not in text
    assert set(data) == {
        "account",
        "organisation",
        "employment",
        "roles",
        "managed_units",
        "programmes",
        "artefacts",
        "invitations",
    }
    entry = AuditEntry.objects.get(kind=Kind.PERSONAL_EXPORTED)
    assert entry.actor_email == employee_user.email


def test_roles_an_import_grants_and_takes_back_are_audited(org, units, admin_user):
    from tests.test_import import DATA, people_import

    first = people_import(org, (DATA / "people.csv").read_bytes())
    ImportJob.objects.create(organisation=org, kind="people", status="done", summary=first.summary)
    content = (DATA / "people.csv").read_text().replace("skyddsombud", "employee")
    people_import(org, content)
    granted = AuditEntry.objects.filter(kind=Kind.ROLE_GRANTED, detail__email="cia@testby.se")
    assert granted.get().detail == {"email": "cia@testby.se", "role": "med", "unit": "BUF"}
    revoked = AuditEntry.objects.get(kind=Kind.ROLE_REVOKED)
    assert revoked.detail["email"] == "cia@testby.se"
