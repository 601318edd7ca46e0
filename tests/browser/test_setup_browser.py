"""A Norwegian organisation in a browser: its settings, and a survey answered on a phone in
bokmål. Every page is checked with axe-core and for words of another language (the Danish
first hour is tests/browser/test_first_hour_browser.py)."""

import re

from django.core import mail
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, login
from tests.browser.wordcheck import assert_speaks
from tests.conftest import PASSWORD, make_user
from tests.test_surveys_support import make_campaign
from tillit.instruments.shipped import install_shipped
from tillit.org.models import Organisation, Person, RoleGrant, Unit
from tillit.surveys import actions as surveys_actions
from tillit.surveys.models import Response

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def check(page, language: str, allow=frozenset()) -> None:
    assert_accessible(page, allow)
    assert_speaks(page, language, allow)


def test_norwegian_settings_refuse_a_threshold_below_k(new_page):
    nordvik = Organisation.objects.create(
        slug="nordvik",
        name="Nordvik kommune",
        country="no",
        language="nb",
        currency="NOK",
        benchmark="none",
    )
    Unit.objects.create(organisation=nordvik, external_id="N", name="Nordvik kommune")
    RoleGrant.objects.create(organisation=nordvik, email="kari@nordvik.no", role="admin")
    make_user("kari@nordvik.no", name="Kari Nordmann")
    page = new_page(phone=True, language="nb")
    login(page, "kari@nordvik.no", PASSWORD)
    page.goto("/o/nordvik/settings/")
    check(page, "nb")
    page.fill("input[name=k]", "6")
    page.fill("input[name=k_dist]", "4")
    page.click("text=Lagre innstillingene")
    expect(page.locator(".field__error").first).to_contain_text("lavere enn k (6)")
    check(page, "nb")
    page.fill("input[name=k_dist]", "9")
    page.fill("input[name=hourly_cost]", "610")
    page.click("text=Lagre innstillingene")
    expect(page.locator("main")).to_contain_text("Innstillingene ble lagret.")
    check(page, "nb")
    nordvik.refresh_from_db()
    assert (nordvik.k, nordvik.k_dist, nordvik.hourly_cost) == (6, 9, 610)
    page.goto("/help/anonymity/")
    check(page, "nb")


def test_norwegian_phone_answers_a_survey(new_page, settings):
    """A Norwegian organisation's survey, answered on a phone in bokmål from the e-mail's link."""
    settings.TASKS = IMMEDIATE
    versions = {version.instrument.slug: version for version, _new in install_shipped()}
    nordvik = Organisation.objects.create(
        slug="nordvik", name="Nordvik kommune", country="no", language="nb", currency="NOK"
    )
    root = Unit.objects.create(organisation=nordvik, external_id="N", name="Nordvik kommune")
    Person.objects.create(organisation=nordvik, email="ola@nordvik.no", name="Ola", unit=root)
    campaign = make_campaign(
        nordvik,
        root,
        [versions["hme"]],
        name="Trivsel 2027",
        languages=["nb"],
        **nordvik.thresholds(),
    )
    surveys_actions.do_launch_campaign(campaign)
    [message] = mail.outbox
    assert "Trivsel 2027" in message.subject and "undersøkelse" in message.body.lower()
    link = re.search(r"https?://\S+/s/\S+/", message.body).group(0)
    phone = new_page(phone=True, language="nb")
    phone.goto("/" + link.split("://", 1)[1].split("/", 1)[1])
    check(phone, "nb")
    for item in phone.eval_on_selector_all(
        "input[type=radio][name^='a:']", "els => [...new Set(els.map(e => e.name))]"
    ):
        phone.check(f"input[name='{item}'][value='4']")
    phone.click("button[value=next]")
    expect(phone.locator("#submit-form")).to_be_visible()
    check(phone, "nb")
    phone.locator("#submit-form button[type=submit]").click()
    expect(phone.locator("main")).to_contain_text("Takk")
    check(phone, "nb")
    assert Response.objects.filter(campaign=campaign).count() == 1
