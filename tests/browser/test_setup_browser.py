"""The first hour in Danish and the settings in Norwegian, in a browser: every page is checked
with axe-core and for words of another language."""

import re

from django.core import mail
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, login
from tests.browser.wordcheck import assert_speaks
from tests.conftest import PASSWORD, make_user
from tillit.org.models import ImportJob, Organisation, RoleGrant, Unit

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# The people file's accepted role words are listed on the import page in every language.
ROLE_WORDS = {"processägare"}
DANISH_UNITS = (
    "Enheds-ID;Overordnet enhed;Enhedsnavn\n"
    "FK;;Fjordvik Kommune\n"
    "SUN;FK;Social og Sundhed\n"
    "HJP;SUN;Hjemmeplejen Nord\n"
    "SKO;FK;Skole og Dagtilbud\n"
)


def check(page, language: str, allow=frozenset()) -> None:
    assert_accessible(page)
    assert_speaks(page, language, allow)


def test_danish_operator_creates_an_organisation_and_its_owner_imports_units(
    new_page, settings, tmp_path
):
    settings.TASKS = IMMEDIATE
    make_user("drift@tillit.example", is_operator=True)
    page = new_page(language="da")
    login(page, "drift@tillit.example", PASSWORD)
    page.goto("/operator/")
    check(page, "da")
    page.fill("input[name=name]", "Fjordvik Kommune")
    page.select_option("select[name=country]", "dk")
    page.fill("input[name=owner_email]", "mette@fjordvik.dk")
    page.fill("input[name=owner_name]", "Mette Holm")
    page.click("text=Opret og send invitationen")
    expect(page.locator("#operator-organisations")).to_contain_text("mette@fjordvik.dk")
    check(page, "da")
    fjordvik = Organisation.objects.get(name="Fjordvik Kommune")
    assert fjordvik.language == "da"

    # The process owner follows the Danish invitation, chooses a password and logs in.
    [message] = mail.outbox
    assert message.subject == "Invitation til Tillit – Fjordvik Kommune"
    link = re.search(r"https?://\S+/invitation/\S+/", message.body).group(0)
    owner = new_page(phone=True, language="da")
    owner.goto("/" + link.split("://", 1)[1].split("/", 1)[1])
    check(owner, "da")
    owner.fill("input[name=new_password1]", PASSWORD)
    owner.fill("input[name=new_password2]", PASSWORD)
    owner.locator("main button[type=submit]").click()
    login(owner, "mette@fjordvik.dk", PASSWORD)
    owner.goto(f"/o/{fjordvik.slug}/")
    check(owner, "da")

    # The HR file has Danish headers: the columns are matched once, then previewed.
    owner.click(f"a[href='/o/{fjordvik.slug}/import/']:visible >> nth=-1")
    check(owner, "da", ROLE_WORDS)
    hr_file = tmp_path / "enheder.csv"
    hr_file.write_text(DANISH_UNITS, encoding="utf-8")
    owner.check("input[name=kind][value=units]")
    owner.set_input_files("input[type=file]", str(hr_file))
    owner.locator("main button[type=submit]").click()
    owner.click("text=Par kolonnerne")
    check(owner, "da")
    owner.select_option("select[name=unit_id]", "enheds-id")
    owner.select_option("select[name=parent_id]", "overordnet_enhed")
    owner.select_option("select[name=name]", "enhedsnavn")
    owner.locator("main button[type=submit]").click()
    expect(owner.locator("#changes-created")).to_contain_text(
        "Hjemmeplejen Nord (under Social og Sundhed)"
    )
    check(owner, "da")
    assert not Unit.objects.filter(organisation=fjordvik).exists()  # nothing before "apply"
    owner.click("#import-apply")
    expect(owner.locator("table.import-summary")).to_be_visible()
    check(owner, "da")
    assert Unit.objects.filter(organisation=fjordvik).count() == 4
    assert ImportJob.objects.get(organisation=fjordvik).status == "done"


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
