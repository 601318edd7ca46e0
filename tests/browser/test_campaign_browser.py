"""Running a survey and acting on its results, in a browser: preview a questionnaire, launch,
close after confirming, start a results dialogue from a unit's results page and add an action
for a person picked from the list – in Danish on a wide screen and in Swedish on a phone,
with axe-core on every page."""

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from tests.browser.conftest import assert_accessible, login
from tests.conftest import PASSWORD
from tests.test_results_helpers import answer, make_campaign
from tillit.instruments.loading import install, load_yaml
from tillit.org.models import Person
from tillit.programmes.loading import install_shipped_templates
from tillit.results.snapshot import store_snapshot
from tillit.surveys import actions
from tillit.surveys.models import Campaign

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
