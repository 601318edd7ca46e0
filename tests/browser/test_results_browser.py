"""Results in a browser on the demo's closed campaign: overview, unit page, PDF and XLSX."""

import io
import os
import subprocess
import tempfile
from pathlib import Path

from openpyxl import load_workbook

from tests.browser.conftest import assert_accessible, login
from tests.conftest import PASSWORD
from tillit.org.demo import build_tillby
from tillit.org.models import RoleGrant, Unit
from tillit.results.refreshing import get_snapshot
from tillit.results.snapshot import published_json
from tillit.surveys.demo import build_demo_surveys


def test_overview_unit_page_and_downloads(new_page, admin_user):
    org = build_tillby("small", 2026)
    _earlier, campaign, _pulse = build_demo_surveys(org, seed=7)
    RoleGrant.objects.create(organisation=org, email=admin_user.email, role=RoleGrant.Role.ADMIN)
    data = published_json(get_snapshot(campaign))
    shown = [u for u in data["units"] if u["shown"] and u["depth"] >= 2 and u["trend"]]
    unit = shown[0]

    page = new_page(language="sv")
    login(page, admin_user.email, PASSWORD)
    page.goto(f"/o/{org.slug}/results/")
    page.click(f"a[href='/o/{org.slug}/results/{campaign.pk}/']")
    assert page.locator("table.heatmap tbody tr").count() > 3
    assert_accessible(page)
    # A closed branch opens from the keyboard, in place, and keeps the focus on its arrow.
    rows_before = page.locator("table.heatmap tbody tr").count()
    closed = page.locator("a.branch-toggle[aria-expanded='false']").first
    toggle_id = closed.get_attribute("id")
    closed.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector(f"#{toggle_id}[aria-expanded='true']")
    assert page.locator("table.heatmap tbody tr").count() > rows_before
    assert "open=" in page.url
    assert page.evaluate("document.activeElement.id") == toggle_id
    assert_accessible(page)
    page.keyboard.press("Enter")
    page.wait_for_selector(f"#{toggle_id}[aria-expanded='false']")
    assert page.locator("table.heatmap tbody tr").count() == rows_before
    page.click("table.heatmap thead a:has-text('Ledarskap')")
    assert "sort=hme.ledarskap" in page.url
    assert page.locator("th[aria-sort]").count() == 1

    page.goto(f"/o/{org.slug}/results/{campaign.pk}/units/{unit['unit_pk']}/")
    assert page.locator("h1").inner_text() == unit["name"]
    assert "Ledarskap" in page.locator("ul.plain-words").inner_text()
    assert_accessible(page)

    with page.expect_download() as pdf_download:
        page.click("a[href$='report.pdf']")
    text = subprocess.run(
        ["pdftotext", pdf_download.value.path(), "-"], capture_output=True, check=True
    ).stdout.decode()
    assert unit["name"] in text and "Frågor för teamets samtal" in text
    assert f"{unit['indices']['hme.total']:.0f}" in text

    page.goto(f"/o/{org.slug}/results/{campaign.pk}/")
    with page.expect_download() as xlsx_download:
        page.click("a[href$='export.xlsx']")
    assert xlsx_download.value.suggested_filename.endswith(".xlsx")
    with open(xlsx_download.value.path(), "rb") as file:
        book = load_workbook(io.BytesIO(file.read()))
    rows = {r[0]: r for r in book.worksheets[0].iter_rows(min_row=2, values_only=True)}
    assert rows[unit["id"]][1] == unit["name"]
    assert rows[unit["id"]][7] == unit["n_published"]
    assert Unit.objects.filter(organisation=org).count() >= len(rows)
    # The organisation's own page breaks the results down by background (age, tenure).
    top = next(u for u in data["units"] if u["depth"] == 0)
    assert {b["variable"] for b in top["breakdowns"]} == {"age", "tenure"}
    page.goto(f"/o/{org.slug}/results/{campaign.pk}/units/{top['unit_pk']}/")
    assert "Efter bakgrund" in page.inner_text("main")
    assert page.locator("table caption", has_text="Ålder").count() == 1
    assert_accessible(page)
    background = {r[3]: r for r in book["Bakgrund"].iter_rows(min_row=2, values_only=True)}
    assert background["30–39"][4] == next(
        b["n"] for b in top["breakdowns"][0]["bands"] if b["band"] == "30-39"
    )


def test_an_open_survey_shows_participation_only_in_swedish_and_danish(new_page, admin_user):
    """The demo's open pulse survey, read by a process owner on a phone and on a projector, in
    Swedish and Danish: participation in blocks, no figures, and why (issue 12)."""
    from tillit.org.demo import build_fjordby

    shots = Path(os.environ.get("TILLIT_SCREENSHOTS", tempfile.gettempdir()))
    for builder, language in ((lambda: build_tillby("small", 2026), "sv"), (build_fjordby, "da")):
        org = builder()
        _earlier, _latest, pulse = build_demo_surveys(org, seed=7)
        RoleGrant.objects.get_or_create(
            organisation=org, email=admin_user.email, role=RoleGrant.Role.ADMIN
        )
        for phone in (True, False):
            page = new_page(language=language, phone=phone)
            login(page, admin_user.email, PASSWORD)
            page.goto(f"/o/{org.slug}/results/{pulse.pk}/")
            notice = page.locator("#open-notice").inner_text()
            assert {"sv": "Enkäten är öppen", "da": "Undersøgelsen er åben"}[language] in notice
            # No index anywhere: participation only, small units counted above.
            assert page.locator("table.heatmap td.heat").count() == 0
            assert page.locator("table.heatmap tbody tr").count() >= 3
            assert_accessible(page)
            name = f"open-{language}-{'phone' if phone else 'wide'}.png"
            page.screenshot(path=str(shots / name), full_page=True)
