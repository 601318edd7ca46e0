"""Running a survey and acting on its results, in a browser: preview a questionnaire, launch,
close after confirming, start a results dialogue from a unit's results page and add an action
for a person picked from the list – in Danish on a wide screen and in Swedish on a phone,
with axe-core on every page."""

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, login
from tests.conftest import PASSWORD
from tests.test_results_helpers import answer, make_campaign
from tillit.instruments.loading import install, load_yaml
from tillit.org.models import Person
from tillit.programmes.loading import install_shipped_templates
from tillit.programmes.models import Artefact, Programme
from tillit.results.snapshot import store_snapshot
from tillit.surveys import actions
from tillit.surveys.models import Campaign, Response

ROOT = Path(__file__).resolve().parent.parent.parent
SHOTS = Path("/tmp/campaigns-h/shots")


@pytest.fixture
def setting(org, units, admin_user):
    """A Danish-and-Swedish draft survey over SOC, and a closed survey of HME and the trust
    principles with published results for Hemtjänst Norr."""
    install_shipped_templates()
    version, _ = install(load_yaml((ROOT / "tests/data/surveys_test_instrument.yaml").read_bytes()))
    for n in range(3):
        Person.objects.create(
            organisation=org, email=f"p{n}@testby.se", name=f"Person {n}", unit=units["HEM"]
        )
    Person.objects.create(
        organisation=org, email="bo@testby.se", name="Bo Berg", unit=units["HEM"], language="da"
    )
    today = timezone.localdate()
    draft = actions.do_save_campaign(
        Campaign(
            organisation=org,
            name="Trivsel 2026",
            target_unit=units["SOC"],
            opens_on=today,
            closes_on=today + dt.timedelta(days=14),
            languages=["da", "sv"],
            reminder_days=[7, 12],
        ),
        [version],
    )
    closed = make_campaign(org, units["SOC"], name="Enkät 2025", year=2025)
    answer(closed, units["HEM"], [4] * 6)
    store_snapshot(closed)
    return draft, closed


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_danish_wide_preview_launch_close_dialogue_and_action(new_page, setting, units, admin_user):
    draft, closed = setting
    page = new_page(language="da")
    login(page, admin_user.email, PASSWORD)
    page.goto(f"/o/testby/surveys/{draft.pk}/")
    main = page.inner_text("main")
    assert "Tidsplan" in main and "Påmindelse med et nyt link" in main
    assert_accessible(page)
    shot(page, "da-campaign-draft")
    # Preview in Danish: the respondent's pages, nothing stored.
    page.click("text=Forhåndsvis på Dansk")
    assert "Jeg trives på arbejdet." in page.inner_text("main")
    assert_accessible(page)
    page.check("input[name='a:q1'][value='4']")
    page.click("button[value=next]")
    assert "Arbejder du i weekenden?" in page.inner_text("main")
    assert not Response.objects.filter(campaign=draft).exists()
    # Launch, then close after confirming.
    page.goto(f"/o/testby/surveys/{draft.pk}/launch/")
    assert_accessible(page)
    page.click("main form button[type=submit]")
    draft.refresh_from_db()
    assert draft.status == "open"
    page.click("text=Luk kampagnen …")
    assert_accessible(page)
    shot(page, "da-close-confirm")
    page.click("text=Luk nu")
    draft.refresh_from_db()
    assert draft.status == "closed" and "Se resultaterne" in page.inner_text("main")
    assert_accessible(page)
    # A unit's results page: the wide tables are keyboard-reachable regions.
    page.goto(f"/o/testby/results/{closed.pk}/units/{units['HEM'].pk}/")
    assert page.locator(".table-wrap[tabindex='0'][role=region]").count() >= 1
    assert_accessible(page)
    page.click("text=Start en resultatdialog")
    programme = Programme.objects.get(campaign=closed)
    assert page.url.endswith(f"/programmes/{programme.pk}/steps/results/")
    main = page.inner_text("main")
    assert "HME" in main and "Tillidsindeks" in main
    assert_accessible(page)
    shot(page, "da-results-step")
    # An action whose owner is picked from the organisation's people as one types.
    page.goto(f"/o/testby/programmes/{programme.pk}/steps/actions/add/action/")
    page.fill("input[name=title]", "Færre dobbeltregistreringer")
    owner = page.locator("input[name=owner_email]")
    assert page.locator("#people-options option").count() == 4
    owner.press_sequentially("Berg", delay=30)
    # The four people of the unit are offered before typing; typing narrows the list (htmx).
    expect(page.locator("#people-options option")).to_have_count(1)
    assert page.locator("#people-options option").get_attribute("value") == "bo@testby.se"
    owner.fill("bo@testby.se")  # what choosing "Bo Berg – Hemtjänst Norr" from the list enters
    page.fill("input[name=due_date]", (timezone.localdate() + dt.timedelta(days=20)).isoformat())
    assert_accessible(page)
    shot(page, "da-action-form")
    page.click("main form button[type=submit]")
    action = Artefact.objects.get(kind="action")
    assert action.owner_email == "bo@testby.se"
    assert "Bo Berg" in page.inner_text("main")


def test_swedish_phone_pages(new_page, setting, units, admin_user):
    draft, closed = setting
    page = new_page(phone=True, language="sv")
    login(page, admin_user.email, PASSWORD)
    page.goto(f"/o/testby/surveys/{draft.pk}/edit/")
    assert page.locator("fieldset.field__group legend").first.is_visible()
    assert_accessible(page)
    shot(page, "sv-phone-campaign-form")
    page.goto(f"/o/testby/surveys/{draft.pk}/")
    assert "Schema" in page.inner_text("main")
    assert_accessible(page)
    page.click("text=Förhandsvisa på Svenska")
    assert "Jag trivs på jobbet." in page.inner_text("main")
    assert "Test:" in page.inner_text("main")
    assert_accessible(page)
    shot(page, "sv-phone-preview")
    page.goto(f"/o/testby/results/{closed.pk}/units/{units['HEM'].pk}/")
    assert_accessible(page)
    page.click("text=Starta en resultatdialog")
    assert "Enkät 2025" in page.inner_text("main")
    assert_accessible(page)
