"""An admin uploads a units file in the browser, follows the import and reads the summary."""

from pathlib import Path

from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, login
from tests.conftest import PASSWORD
from tillit.org.models import ImportJob, Unit

DATA = Path(__file__).resolve().parent.parent / "data" / "import"

# The import page lists the role words accepted in every language.
ROLE_WORDS = {"procesejer", "prosesseier", "units"}  # and the file, units.csv


def test_admin_imports_units_and_sees_the_summary(new_page, org, units, admin_user, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    page = new_page(phone=True)
    login(page, "admin@testby.se", PASSWORD)

    page.goto(f"/o/{org.slug}/import/")
    assert_accessible(page, ROLE_WORDS)
    page.check("input[name=kind][value=units]")
    page.set_input_files("input[type=file]", str(DATA / "units.csv"))
    page.locator("main button[type=submit]").click()

    # Nothing changes before the process owner has seen the preview and confirmed it.
    expect(page.locator("#import-changes")).to_be_visible()
    assert not Unit.objects.filter(organisation=org, external_id="SKOL").exists()
    assert_accessible(page, ROLE_WORDS)
    page.click("#import-apply")
    expect(page.locator("table.import-summary")).to_be_visible()
    assert "/import/" in page.url
    assert_accessible(page, ROLE_WORDS)
    assert Unit.objects.get(organisation=org, external_id="SKOL").name == "Skolan"


def test_a_running_import_shows_an_accessible_progress_bar(new_page, org, admin_user):
    job = ImportJob.objects.create(
        organisation=org, kind="people", filename="folk.csv", status="running", total=10
    )
    page = new_page()
    login(page, "admin@testby.se", PASSWORD)
    page.goto(f"/o/{org.slug}/import/{job.pk}/")
    expect(page.locator("progress")).to_be_visible()
    assert_accessible(page, ROLE_WORDS)
    # The page polls every second: the finished job replaces the bar with its summary,
    # and the live region says so.
    ImportJob.objects.filter(pk=job.pk).update(status="done", summary={"created": 3})
    expect(page.locator("table.import-summary")).to_be_visible(timeout=5000)
    expect(page.locator("progress")).to_have_count(0)
    expect(page.locator("#import-announce")).not_to_be_empty()
    assert_accessible(page, ROLE_WORDS)
