"""In Danish on a phone: an employee's home page says a survey waits for their answer and
mails a new link; a site operator renames, archives and deletes the organisation. Every page
is checked with axe-core and for words of another language."""

import datetime as dt
from pathlib import Path

from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, login
from tests.browser.wordcheck import assert_speaks
from tests.conftest import PASSWORD, make_user
from tests.test_surveys_support import TEST_INSTRUMENT, make_campaign
from tillit.audit.models import AuditEntry
from tillit.instruments.loading import install, load_yaml
from tillit.org.models import Organisation, Person, Unit
from tillit.surveys import actions


def check(page) -> None:
    assert_accessible(page)
    assert_speaks(page, "da")


def test_danish_survey_waiting_and_operator_ending_an_organisation(new_page, settings):
    settings.SITE_URL = "http://testserver"
    fjordvik = Organisation.objects.create(
        slug="fjordvik", name="Fjordvik Kommune", country="dk", language="da"
    )
    root = Unit.objects.create(organisation=fjordvik, external_id="FK", name="Fjordvik Kommune")
    care = Unit.objects.create(
        organisation=fjordvik, external_id="HJP", name="Hjemmeplejen Nord", parent=root
    )
    Person.objects.create(
        organisation=fjordvik, email="mette@fjordvik.dk", name="Mette Holm", unit=care
    )
    make_user("mette@fjordvik.dk", name="Mette Holm")
    make_user("drift@tillit.example", is_operator=True)
    version, _created = install(load_yaml(TEST_INSTRUMENT.read_bytes()))
    closes = timezone.localdate() + dt.timedelta(days=10)
    campaign = make_campaign(
        fjordvik, root, [version], name="Trivselsmåling", languages=["da"], closes_on=closes
    )
    actions.do_launch_campaign(campaign)
    mail.outbox.clear()

    # The employee sees the survey that waits for her, and asks for her link again.
    mette = new_page(phone=True, language="da")
    login(mette, "mette@fjordvik.dk", PASSWORD)
    mette.goto("/o/fjordvik/")
    months = ["januar", "februar", "marts", "april", "maj", "juni", "juli", "august"]
    months += ["september", "oktober", "november", "december"]
    day = f"{closes.day}. {months[closes.month - 1]} {closes.year}"
    waiting = mette.locator("#next-steps")
    expect(waiting).to_contain_text(
        f"Undersøgelsen Trivselsmåling venter på dit svar. Den er åben til {day}."
    )
    check(mette)
    mette.click("text=Send mit link igen")
    expect(mette.locator("main")).to_contain_text("Et nyt link blev sendt til mette@fjordvik.dk.")
    assert_speaks(mette, "da")
    [message] = mail.outbox
    assert message.to == ["mette@fjordvik.dk"]

    # The operator renames the organisation; archiving waits for the open survey.
    operator = new_page(phone=True, language="da")
    login(operator, "drift@tillit.example", PASSWORD)
    operator.goto("/operator/")
    operator.click("#operator-organisations >> text=Fjordvik Kommune")
    check(operator)
    operator.fill("input[name=name]", "Nordfjord Kommune")
    operator.click("text=Gem navnet")
    renamed = "Fjordvik Kommune hedder nu Nordfjord Kommune."
    expect(operator.locator("main")).to_contain_text(renamed)
    operator.click("text=Arkivér organisationen")
    expect(operator.locator("main")).to_contain_text("Trivselsmåling er stadig åben.")
    assert_speaks(operator, "da")

    actions.do_close_campaign(campaign)
    operator.click("text=Arkivér organisationen")
    expect(operator.locator("#archived-notice")).to_be_visible()
    check(operator)
    mette.goto("/o/fjordvik/")
    assert "Nordfjord" not in mette.content()  # hidden from its members
    # … but for her own data: her home page leads to it, and it still downloads.
    mette.goto("/")
    expect(mette.locator("main h2")).to_contain_text("Arkiverede organisationer")
    check(mette)
    mette.click("text=Mine oplysninger i Nordfjord Kommune")
    expect(mette.locator("main")).to_contain_text("Nordfjord Kommune er arkiveret")
    check(mette)
    with mette.expect_download() as download:
        mette.click("main form button[type=submit]")
    assert "mette@fjordvik.dk" in Path(download.value.path()).read_text()

    # Deleting states what goes, and a wrong name deletes nothing.
    operator.click("text=Se, hvad der ville blive slettet, og slet det")
    expect(operator.locator("#holdings")).to_contain_text("Besvarelser")
    check(operator)
    operator.fill("input[name=typed_name]", "Fjordvik Kommune")
    operator.click("text=Slet organisationen for altid")
    expect(operator.locator(".error-summary")).to_contain_text("intet blev slettet")
    check(operator)
    assert Organisation.objects.filter(slug="fjordvik").exists()
    operator.fill("input[name=typed_name]", "Nordfjord Kommune")
    operator.fill("input[name=reference]", "J.nr. 2026-114")
    operator.click("text=Slet organisationen for altid")
    expect(operator.locator("#deleted-organisations")).to_contain_text(
        "Nordfjord Kommune (fjordvik): slettet"
    )
    check(operator)
    assert not Organisation.objects.filter(slug="fjordvik").exists()
    assert AuditEntry.objects.get(kind="organisation_deleted").organisation is None
