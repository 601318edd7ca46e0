"""The process owner's campaign pages and the response rate managers follow; denial for others."""

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.conftest import launched_with_k
from tests.test_surveys_support import GOOD, make_campaign
from tillit.org.models import Person, Unit
from tillit.results.ledger import frozen_setup
from tillit.results.publishing import participation_result
from tillit.surveys import actions, responding
from tillit.surveys.models import Campaign, CampaignEvent, Invitation
from tillit.surveys.participation import response_rates

pytest_plugins = ["tests.test_surveys_support"]
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_pages(client, settings):
    # The process owner's pages follow the browser's language; these tests read English.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def url(name, org, *args):
    return reverse(f"surveys:{name}", args=[org.slug, *args])


def test_admin_creates_edits_and_launches_a_campaign(
    client, org, units, staff, admin_user, test_version, mailoutbox
):
    client.force_login(admin_user)
    assert client.get(url("create", org)).status_code == 200
    today = timezone.localdate()
    data = {
        "name": "Hösten",
        "instruments": [str(test_version.pk)],
        "target_unit": units["SOC"].pk,
        "opens_on": today.isoformat(),
        "closes_on": (today + dt.timedelta(days=10)).isoformat(),
        "reminder_days": "7",
        "languages": ["sv", "nb"],
        "k": 5,
        "k_dist": 8,
        "k_text": 10,
        "k_sensitive": 20,
        "ask_age": "on",
        "background_source": "hr",
        "professions_text": "Undersköterska\nSjuksköterska\n\nUndersköterska",
    }
    response = client.post(url("create", org), data)
    campaign = Campaign.objects.get(name="Hösten")
    assert response.status_code == 302
    assert campaign.professions == ["Undersköterska", "Sjuksköterska"]
    assert campaign.languages == ["sv", "nb"] and campaign.versions() == [test_version]
    confirm = client.get(url("launch", org, campaign.pk)).content.decode()
    assert "3 people" in confirm
    client.post(url("launch", org, campaign.pk))
    campaign.refresh_from_db()
    assert campaign.status == "open" and len(mailoutbox) == 3
    # Launched: the edit page refuses, the instruments stay.
    response = client.post(url("edit", org, campaign.pk), {**data, "name": "Ändrad"})
    campaign.refresh_from_db()
    assert campaign.name == "Hösten"


def test_invalid_thresholds_are_named(client, org, units, admin_user, test_version):
    client.force_login(admin_user)
    today = timezone.localdate()
    response = client.post(
        url("create", org),
        {
            "name": "X",
            "instruments": [str(test_version.pk)],
            "target_unit": units["SOC"].pk,
            "opens_on": today.isoformat(),
            "closes_on": (today - dt.timedelta(days=1)).isoformat(),
            "languages": ["sv"],
            "k": 2,
            "k_dist": 8,
            "k_text": 10,
            "k_sensitive": 20,
            "background_source": "hr",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "k" in form.errors
    assert not Campaign.objects.exists()


def test_close_reopen_and_remind_through_the_pages(client, org, admin_user, launched, mailoutbox):
    campaign, tokens = launched
    client.force_login(admin_user)
    responding.do_submit(tokens["s@testby.se"], uuid.uuid4(), GOOD)
    mailoutbox.clear()
    client.post(url("remind", org, campaign.pk))
    assert sorted(m.to[0] for m in mailoutbox) == ["h1@testby.se", "h2@testby.se"]
    client.post(url("close", org, campaign.pk))
    campaign.refresh_from_db()
    assert campaign.status == "closed"
    new_close = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    client.post(url("reopen", org, campaign.pk), {"closes_on": new_close})
    campaign.refresh_from_db()
    assert campaign.status == "open" and campaign.closes_on.isoformat() == new_close
    event = CampaignEvent.objects.filter(campaign=campaign, kind="reopened").get()
    assert event.by == admin_user


def test_response_rates_roll_up_the_tree(launched, units):
    campaign, tokens = launched
    launched_with_k(campaign, 3)
    responding.do_submit(tokens["h1@testby.se"], uuid.uuid4(), GOOD)
    rows = {r.unit.external_id: r for r in response_rates(campaign, None)}
    # HEM has two invited, fewer than k = 3: it is counted in SOC, never on its own.
    assert not rows["HEM"].shown and rows["HEM"].invited == 0
    assert (rows["SOC"].invited, rows["SOC"].responded, rows["SOC"].percent) == (3, 1, 33)
    assert "BUF" not in rows  # outside the target subtree
    only_hem = response_rates(campaign, (units["HEM"].path,))
    assert [r.unit.external_id for r in only_hem] == ["HEM"]


def test_response_rates_read_the_same_queries_for_two_units_or_thirty(
    org, units, staff, test_version, mailoutbox, _site_url
):
    """Grouped counts and the frozen setup, never a query per unit."""

    def queries_for(extra_units: int) -> int:
        for n in range(extra_units):
            unit = Unit.objects.create(
                organisation=org, external_id=f"T{n}", name=f"Team {n}", parent=units["SOC"]
            )
            Person.objects.create(
                organisation=org, email=f"t{n}@testby.se", name=f"Person {n}", unit=unit
            )
        campaign = make_campaign(org, units["SOC"], [test_version])
        actions.do_launch_campaign(campaign)
        campaign.refresh_from_db()
        response_rates(campaign, None)  # warm: the snapshot and settings rows exist now
        with CaptureQueriesContext(connection) as queries:
            rows = response_rates(campaign, None)
        assert len(rows) == 2 + extra_units
        return len(queries)

    assert queries_for(0) == queries_for(28)


def test_rates_stay_on_the_tree_frozen_at_launch(client, org, units, launched, admin_user):
    """A small unit moved by a reorganisation while the campaign is open stays in its launch
    block on the campaign page, as in the results: comparing the page before and after the
    move, or the page with the results, tells nothing of the small unit alone."""
    campaign, tokens = launched
    launched_with_k(campaign, 3)
    responding.do_submit(tokens["h1@testby.se"], uuid.uuid4(), GOOD)

    def page_rows() -> dict[str, tuple]:
        client.force_login(admin_user)
        context = client.get(url("detail", org, campaign.pk)).context
        return {r.unit.external_id: (r.shown, r.invited, r.responded) for r in context["rows"]}

    def published() -> dict[str, tuple]:
        result = participation_result(campaign, frozen_setup(campaign))
        return {
            u["id"]: ("n_invited" in u, u.get("n_invited", 0), u.get("n_answered_invited", 0))
            for u in result["units"]
        }

    before = page_rows()
    # HEM (two invited, fewer than k) is counted in SOC.
    assert before["HEM"] == (False, 0, 0) and before["SOC"] == (True, 3, 1)
    assert before == published()
    hem = units["HEM"]
    hem.parent = units["BUF"]  # the HR import moved it out of SOC
    hem.save()
    after = page_rows()
    assert after == before == published()


def test_admin_sees_rates_and_actions(client, org, admin_user, launched):
    campaign, _tokens = launched
    client.force_login(admin_user)
    html = client.get(url("detail", org, campaign.pk)).content.decode()
    assert "Hemtjänst Norr" in html and "Close the campaign" in html


def test_manager_sees_only_their_subtree_and_no_actions(client, org, team_manager_user, launched):
    campaign, _tokens = launched
    client.force_login(team_manager_user)
    response = client.get(url("detail", org, campaign.pk))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Hemtjänst Norr" in html and "Socialförvaltningen</td>" not in html
    assert "Close the campaign" not in html
    assert client.post(url("close", org, campaign.pk)).status_code == 403
    assert client.get(url("create", org)).status_code == 403
    assert campaign.name in client.get(url("campaigns", org)).content.decode()


def test_employee_cannot_follow_a_campaign(client, org, employee_user, launched):
    campaign, _tokens = launched
    client.force_login(employee_user)
    assert client.get(url("detail", org, campaign.pk)).status_code == 403
    assert campaign.name not in client.get(url("campaigns", org)).content.decode()


def test_outsider_gets_404(client, org, outsider_user, launched, other_org):
    campaign, _tokens = launched
    client.force_login(outsider_user)
    assert client.get(url("detail", org, campaign.pk)).status_code == 404
    # The campaign id under the outsider's own organisation is not found either.
    assert client.get(url("detail", other_org, campaign.pk)).status_code == 404


def test_anonymous_is_sent_to_login(client, org, launched):
    campaign, _tokens = launched
    response = client.get(url("detail", org, campaign.pk))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_draft_is_hidden_from_managers(client, org, manager_user, campaign):
    client.force_login(manager_user)
    assert client.get(url("detail", org, campaign.pk)).status_code == 403


def test_poster_has_a_qr_code_and_the_code(client, org, admin_user, launched, units):
    campaign, _tokens = launched
    client.force_login(admin_user)
    client.post(url("poster", org, campaign.pk, units["HEM"].pk))  # make the code
    response = client.get(url("poster", org, campaign.pk, units["HEM"].pk))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in html and "style=" not in html.split("<svg")[1].split("</svg>")[0]
    code = campaign.unit_codes.get().code
    assert code in html
    assert client.get(url("poster", org, campaign.pk, units["BUF"].pk)).status_code == 403
    assert Invitation.objects.filter(via_code=True).count() == 0
