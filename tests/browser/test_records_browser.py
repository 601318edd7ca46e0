"""The process owner's log and records pages in a browser: Swedish on a wide screen, Danish on a
phone; a records request decided and the own-data export, through the forms. axe-core on each."""

from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, login
from tests.conftest import PASSWORD
from tests.test_results_helpers import answer, make_campaign
from tillit.audit.models import AuditEntry
from tillit.records.models import RecordsRequest
from tillit.results.refreshing import get_snapshot

SUBMIT = "main form.stack button[type=submit]"

# The survey's name (in Swedish) stands in the Danish requester's list.
SURVEY_NAME_WORDS = {"enkät"}


def test_log_retention_and_requests(new_page, org, units, admin_user, employee_user):
    campaign = make_campaign(org, units["K"])
    answer(campaign, units["K"], [4] * 9)
    get_snapshot(campaign)
    page = new_page()
    login(page, admin_user.email, PASSWORD)
    page.goto(f"/o/{org.slug}/results/{campaign.pk}/")
    page.goto(f"/o/{org.slug}/records/audit/")
    expect(page.locator("h1")).to_have_text("Logg")
    expect(page.locator("main table")).to_contain_text("Resultat lästa")
    expect(page.locator("main table")).to_contain_text("Inloggad med lösenord")  # this login
    assert_accessible(page, SURVEY_NAME_WORDS)
    page.screenshot(path="/tmp/records-audit-sv.png", full_page=True)
    page.goto(f"/o/{org.slug}/records/retention/")
    page.fill("input[name=raw_answers_days]", "1095")
    page.click(SUBMIT)
    expect(page.locator(".messages")).to_contain_text("Gallringspolicyn sparades")
    assert_accessible(page, SURVEY_NAME_WORDS)
    page.goto(f"/o/{org.slug}/records/requests/")
    page.select_option("select[name=campaign]", str(campaign.pk))
    page.select_option("select[name=kind]", "public_access")
    page.fill("input[name=reference]", "KS 2026/118")
    page.select_option("select[name=decision]", "refused")
    page.click(SUBMIT)
    expect(page.locator("main table")).to_contain_text("KS 2026/118")
    assert_accessible(page, SURVEY_NAME_WORDS)
    assert RecordsRequest.objects.get().decision == "refused"
    assert AuditEntry.objects.filter(kind="settings_changed").exists()

    phone = new_page(phone=True, language="da")
    login(phone, admin_user.email, PASSWORD)
    phone.goto(f"/o/{org.slug}/records/audit/?kind=login_password")
    expect(phone.locator("main table tbody tr")).to_have_count(2)  # the two logins above
    expect(phone.locator("main table")).to_contain_text("Logget ind med adgangskode")
    assert_accessible(phone, SURVEY_NAME_WORDS)
    phone.screenshot(path="/tmp/records-audit-logins-da-phone.png", full_page=True)
    phone.goto(f"/o/{org.slug}/records/retention/")
    expect(phone.locator("h1")).to_have_text("Sletning")
    assert_accessible(phone, SURVEY_NAME_WORDS)
    phone.screenshot(path="/tmp/records-retention-da-phone.png", full_page=True)
    phone.goto(f"/o/{org.slug}/records/requests/")
    assert_accessible(phone, SURVEY_NAME_WORDS)
    phone.screenshot(path="/tmp/records-requests-da-phone.png", full_page=True)

    mine = new_page(phone=True, language="da")
    login(mine, employee_user.email, PASSWORD)
    mine.goto(f"/o/{org.slug}/records/my-data/")
    expect(mine.locator("h1")).to_have_text("Mine oplysninger")
    assert_accessible(mine, SURVEY_NAME_WORDS)
    with mine.expect_download() as download:
        mine.click("main form button[type=submit]")
    assert download.value.suggested_filename == "my-data.json"
