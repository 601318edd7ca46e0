"""A site operator renames, archives, restores and deletes organisations in the browser's
pages; only operators may, deleting asks for the typed name and leaves one audit entry."""

import io
import uuid

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD, make_user
from tests.test_surveys_support import GOOD
from tillit.audit.models import AuditEntry
from tillit.core.models import User
from tillit.identity.actions import authenticate_token, do_create_token
from tillit.org.access import organisations_for
from tillit.org.models import Organisation, Person, Unit
from tillit.records import actions as records
from tillit.surveys import actions as surveys
from tillit.surveys import responding
from tillit.surveys.models import Campaign, Invitation, Response

pytest_plugins = ["tests.test_surveys_support"]
pytestmark = pytest.mark.django_db


@pytest.fixture
def operator():
    call_command("grant_operator", "drift@tillit.example", stdout=io.StringIO())
    return User.objects.get(email="drift@tillit.example")


@pytest.fixture
def as_operator(operator) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(operator)
    return client


@pytest.fixture
def answered(launched, admin_user):
    """Testby with a campaign that one person answered, then closed."""
    campaign, tokens = launched
    responding.do_submit(tokens["h1@testby.se"], uuid.uuid4(), GOOD)
    surveys.do_close_campaign(campaign)
    return campaign


def url(name: str, slug: str = "testby") -> str:
    return reverse(name, args=[slug])


def rows_everywhere() -> dict[str, int]:
    """Every table's row count that an organisation's deletion can touch."""
    return {
        model._meta.label: model._default_manager.count()
        for model in records._paths_to_organisation()
    }


def test_operator_renames_an_organisation_and_its_short_name_stays(as_operator, org):
    response = as_operator.post(url("org:operator_org"), {"name": "  Testby stad "}, follow=True)
    assert "Testby kommun is now called Testby stad." in response.content.decode()
    org.refresh_from_db()
    assert (org.name, org.slug) == ("Testby stad", "testby")
    entry = AuditEntry.objects.get(organisation=org, kind="organisation_renamed")
    assert entry.detail == {"old": "Testby kommun", "new": "Testby stad"}
    assert entry.actor_email == "drift@tillit.example"

    response = as_operator.post(url("org:operator_org"), {"name": "   "})
    assert response.status_code == 200
    org.refresh_from_db()
    assert org.name == "Testby stad"
    assert AuditEntry.objects.filter(kind="organisation_renamed").count() == 1


def test_only_operators_may_and_no_organisation_is_revealed(
    org, admin_user, outsider_user, employee_user
):
    pages = [
        ("get", url("org:operator_org")),
        ("post", url("org:operator_org")),
        ("post", url("records:archive_org")),
        ("post", url("records:restore_org")),
        ("get", url("records:delete_org")),
        ("post", url("records:delete_org")),
    ]
    for email, expected in [
        ("admin@testby.se", 403),  # a member: may know it exists, may not do this
        ("anna@testby.se", 403),
        ("admin@annanstad.se", 404),  # another organisation's: not told it exists
    ]:
        client = Client()
        client.force_login(User.objects.get(email=email))
        for method, address in pages:
            data = {"name": "Hacked", "typed_name": "Testby kommun"} if method == "post" else None
            assert getattr(client, method)(address, data).status_code == expected, address
    assert Client().post(url("records:archive_org")).status_code == 302  # to the login page
    org.refresh_from_db()
    assert (org.name, org.archived_at) == ("Testby kommun", None)
    assert not AuditEntry.objects.filter(kind__startswith="organisation_").exists()


def test_actions_are_post_only_and_need_the_csrf_token(operator, org):
    client = Client(enforce_csrf_checks=True)
    client.force_login(operator)
    assert client.get(url("records:archive_org")).status_code == 405
    assert client.get(url("records:restore_org")).status_code == 405
    assert client.post(url("records:archive_org")).status_code == 403  # no CSRF token
    org.refresh_from_db()
    assert org.archived_at is None


def test_an_open_survey_stops_archiving(as_operator, launched, admin_user):
    _campaign, _tokens = launched
    page = as_operator.post(url("records:archive_org"), follow=True).content.decode()
    assert "Enkät 2026 is still open. Close it first" in page
    assert Organisation.objects.get(slug="testby").archived_at is None


def test_archived_is_hidden_from_members_and_restored_as_it_was(as_operator, answered):
    owner = Client()
    owner.force_login(User.objects.get(email="admin@testby.se"))
    assert owner.get(url("org:overview")).status_code == 200
    as_operator.post(url("records:archive_org"))
    org = Organisation.objects.get(slug="testby")
    assert org.archived_at is not None
    assert owner.get(url("org:overview")).status_code == 404
    assert owner.get(reverse("surveys:detail", args=["testby", answered.pk])).status_code == 404
    assert org not in organisations_for(User.objects.get(email="admin@testby.se"))
    listing = as_operator.get(reverse("org:operator")).content.decode()
    assert "archived" in listing
    assert AuditEntry.objects.filter(organisation=org, kind="organisation_archived").exists()
    before = rows_everywhere()

    as_operator.post(url("records:restore_org"))
    assert owner.get(url("org:overview")).status_code == 200
    assert rows_everywhere()["surveys.Response"] == before["surveys.Response"] == 1
    assert AuditEntry.objects.filter(organisation=org, kind="organisation_restored").exists()


def test_the_delete_page_says_what_goes_and_a_wrong_name_changes_nothing(
    as_operator, answered, other_org
):
    page = as_operator.get(url("records:delete_org")).content.decode()
    assert "Archive the organisation first" in page
    assert 'name="typed_name"' not in page
    as_operator.post(url("records:archive_org"))

    page = as_operator.get(url("records:delete_org")).content.decode()
    counted = dict(records.holdings(Organisation.objects.get(slug="testby")).named)
    assert counted["units"] == 4
    assert counted["people"] == 5
    assert counted["surveys"] == 1
    assert counted["survey invitations"] == 3
    assert counted["survey responses"] == 1
    assert counted["audit log entries"] >= 1  # the archiving, at least
    for label, count in counted.items():
        assert f'<th scope="row">{label.capitalize()}</th><td>{count}</td>' in page
    before = rows_everywhere()

    for typed in ("", "Testby", "testby kommun"):
        response = as_operator.post(url("records:delete_org"), {"typed_name": typed})
        assert response.status_code == 400
    assert "The name you typed is not the organisation&#x27;s name" in response.content.decode()
    assert rows_everywhere() == before
    assert not AuditEntry.objects.filter(kind="organisation_deleted").exists()


def test_deleting_takes_everything_of_that_organisation_and_leaves_one_entry(
    as_operator, answered, other_org
):
    as_operator.post(url("records:archive_org"))
    org = Organisation.objects.get(slug="testby")
    expected = records.holdings(org)
    other = records.holdings(other_org)
    before = rows_everywhere()
    response = as_operator.post(
        url("records:delete_org"),
        {"typed_name": " Testby kommun ", "reference": "KS 2026/114"},
        follow=True,
    )
    page = response.content.decode()
    assert "Testby kommun was deleted for good." in page
    assert not Organisation.objects.filter(slug="testby").exists()
    after = rows_everywhere()
    # Exactly what the page counted went, and the one new row is the deletion's entry.
    gone = sum(before.values()) - sum(after.values())
    assert gone == expected.total - 1
    assert not Unit.objects.exclude(organisation=other_org).exists()
    assert not Person.objects.exists()
    assert Campaign.objects.count() == Invitation.objects.count() == Response.objects.count() == 0
    assert records.holdings(other_org) == other
    # Accounts stay.
    assert User.objects.filter(email="admin@testby.se").exists()

    entry = AuditEntry.objects.get(kind="organisation_deleted")
    assert entry.organisation is None
    assert entry.actor_email == "drift@tillit.example"
    assert entry.detail["name"] == "Testby kommun (testby)"
    assert entry.detail["reference"] == "KS 2026/114"
    assert entry.detail["count"]["surveys.Response"] == 1
    assert entry.detail["count"]["all"] == expected.total
    assert list(AuditEntry.objects.all()) == [entry]  # Testby's own entries went with it
    assert "Testby kommun (testby): deleted on" in page
    assert "Decision: KS 2026/114." in page


def test_an_open_survey_stops_deleting(as_operator, answered):
    as_operator.post(url("records:archive_org"))
    Campaign.objects.filter(pk=answered.pk).update(status=Campaign.Status.OPEN)
    page = as_operator.get(url("records:delete_org")).content.decode()
    assert "cannot be deleted while a survey is open: Enkät 2026" in page
    response = as_operator.post(url("records:delete_org"), {"typed_name": "Testby kommun"})
    assert response.status_code == 400
    assert Organisation.objects.filter(slug="testby").exists()


def test_archived_organisations_let_nobody_in_until_restored(as_operator, org, units):
    make_user("chef.hem@testby.se")
    client = Client()
    assert client.login(username="chef.hem@testby.se", password=PASSWORD)
    _token, secret = do_create_token(org, "HR", ["org:read"])
    assert authenticate_token(f"Bearer {secret}") is not None
    as_operator.post(url("records:archive_org"))
    assert client.get(reverse("steering:register", args=["testby"])).status_code == 404
    assert client.get(reverse("org:tree", args=["testby"])).status_code == 404
    assert authenticate_token(f"Bearer {secret}") is None
    as_operator.post(url("records:restore_org"))
    assert client.get(reverse("steering:register", args=["testby"])).status_code == 200
    assert authenticate_token(f"Bearer {secret}") is not None


def test_an_archived_organisations_members_can_still_download_their_own_data(
    as_operator, org, employee_user, outsider_user
):
    """The right of access outlives the organisation's use of Tillit: the member's home page
    links to the one page of an archived organisation that stays open, the own-data export;
    nobody else reaches it, and it closes again as an ordinary page once restored."""
    employee = Client()
    employee.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    employee.force_login(employee_user)
    archived_url = reverse("records:archived_my_data", args=["testby"])
    assert employee.get(archived_url).status_code == 404  # not archived: its own page is open
    as_operator.post(url("records:archive_org"))
    home = employee.get(reverse("home"))
    assert home.status_code == 200  # no longer sent straight into the only organisation
    assert archived_url in home.content.decode()
    assert employee.get(url("records:my_data")).status_code == 404
    page = employee.get(archived_url).content.decode()
    assert "Testby kommun is archived" in page and 'href="/o/testby/' not in page
    download = employee.post(archived_url)
    assert download["Content-Type"] == "application/json"
    assert employee_user.email in download.content.decode()
    assert AuditEntry.objects.filter(organisation=org, kind="personal_exported").count() == 1
    outsider = Client()
    outsider.force_login(outsider_user)
    assert outsider.get(archived_url).status_code == 404
    assert outsider.post(archived_url).status_code == 404
    as_operator.post(url("records:restore_org"))
    assert employee.get(archived_url).status_code == 404
    assert employee.get(url("records:my_data")).status_code == 200
