"""Programmes in a browser: start one from each method, work a step, record, download reports."""

import io
import subprocess

from tests.browser.conftest import assert_accessible, login
from tests.conftest import PASSWORD
from tillit.org.models import Person
from tillit.programmes.loading import install_shipped_templates
from tillit.programmes.models import Artefact, Programme

FIRST_KIND = {
    "samskabt-styring": ("challenges", "challenge"),
    "ledningsgruppsutveckling": ("game-rules", "game_rule"),
    "resultatdialog": ("actions", "action"),
    "styringsdialog": ("agreements", "decision"),
    "goda-exempel": ("invitation", "story"),
}


def fill_artefact(page, kind: str) -> None:
    page.fill("input[name=title]", f"Prov {kind}")
    for textarea in page.locator("main form textarea").all():
        textarea.fill("Text")
    if kind == "action":
        page.fill("input[name=owner_email]", "admin@testby.se")
        page.fill("input[name=due_date]", "2020-01-31")
    if kind == "challenge":
        page.select_option("select[name=priority]", "high")


def test_start_work_and_report_for_each_method(new_page, admin_user, units, tmp_path):
    install_shipped_templates()
    # An action's owner is one of the organisation's people.
    Person.objects.create(
        organisation=units["HEM"].organisation,
        email="admin@testby.se",
        name="Ada Admin",
        unit=units["HEM"],
    )
    page = new_page(language="sv")
    login(page, admin_user.email, PASSWORD)
    for index, (slug, (step_id, kind)) in enumerate(FIRST_KIND.items()):
        check = index == 0  # every page type is checked once; the loop proves each method works
        page.goto("/o/testby/programmes/")
        if check:
            assert_accessible(page)
            page.goto(f"/o/testby/programmes/methods/{slug}/")
            assert_accessible(page)
        page.goto(f"/o/testby/programmes/start/?template={slug}")
        if check:
            assert_accessible(page)
        page.fill("input[name=title]", f"Program {slug}")
        page.check(f"input[name=units][value='{units['HEM'].pk}']")
        page.click("main button[type=submit]")
        programme = Programme.objects.get(title=f"Program {slug}")
        assert page.url.endswith(f"/programmes/{programme.pk}/")
        if check:
            assert page.locator("svg.wheel path").count() == programme.steps.count()
            assert_accessible(page)
        page.goto(f"/o/testby/programmes/{programme.pk}/steps/{step_id}/")
        if check:
            assert_accessible(page)
        # Record an artefact through its form.
        page.click(f"a[href$='/add/{kind}/']")
        if check:
            assert_accessible(page)
        fill_artefact(page, kind)
        page.click("main button[type=submit]")
        page.wait_for_load_state()
        assert f"Prov {kind}" in page.inner_text("main")
        # Tick the checklist and mark the step done.
        boxes = page.locator("input[name=ticked]")
        if boxes.count():
            boxes.first.check()
            page.click("text=Spara checklistan")
        page.select_option("select[name=status]", "done")
        page.click("text=Spara status")
        page.goto(f"/o/testby/programmes/{programme.pk}/")
        assert "Klar" in page.inner_text("main")
        # Download the reports.
        with page.expect_download() as pdf_download:
            page.click("text=Rapport (PDF)")
        pdf = tmp_path / f"{slug}.pdf"
        pdf_download.value.save_as(pdf)
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
        assert f"Prov {kind}" in text
        with page.expect_download() as docx_download:
            page.click("text=Rapport (Word)")
        from docx import Document

        document = Document(io.BytesIO(docx_download.value.path().read_bytes()))
        assert any(f"Prov {kind}" in p.text for p in document.paragraphs)
    # The remaining page types: participants, an action's follow-up, my actions.
    programme = Programme.objects.get(title="Program resultatdialog")
    page.goto(f"/o/testby/programmes/{programme.pk}/participants/")
    assert_accessible(page)
    action = Artefact.objects.get(kind="action")
    page.goto(f"/o/testby/actions/{action.pk}/")
    assert_accessible(page)
    page.fill("input[name=m-label]", "Minuter")
    page.fill("input[name=m-before]", "40")
    page.click("text=Lägg till mätningen")
    assert "40" in page.inner_text("main table")
    page.goto("/o/testby/actions/")
    assert "Försenad" in page.inner_text("main")
    assert_accessible(page)
    # The results dialogue's results step: no survey has closed here, and the unit's actions.
    Artefact.objects.filter(pk=action.pk).update(unit=programme.units.first())
    page.goto(f"/o/testby/programmes/{programme.pk}/steps/results/")
    main = page.inner_text("main")
    assert "Ingen avslutad enkät har publicerat resultat" in main and "Prov action" in main
    assert_accessible(page)
    # Finish the programme, then open it again.
    page.goto(f"/o/testby/programmes/{programme.pk}/")
    page.click("text=Avsluta programmet")
    assert "Programmet avslutades" in page.inner_text("main")
    assert_accessible(page)
    page.click("text=Öppna programmet igen")
    assert "Programmet pågår." in page.inner_text("main")
    programme.refresh_from_db()
    assert programme.status == Programme.Status.ACTIVE


def test_conflict_page_is_accessible(new_page, admin_user, units):
    install_shipped_templates()
    from tillit.programmes import actions
    from tillit.programmes.models import ProgrammeTemplate

    programme = actions.do_start_programme(
        organisation=units["HEM"].organisation,
        template_version=ProgrammeTemplate.objects.get(slug="samskabt-styring").latest(),
        title="Konflikt",
        language="da",
        units=[units["HEM"]],
        created_by=admin_user,
    )
    item = actions.do_create_artefact(
        programme, "intro", "glossary_term", {"title": "Styring", "definition": "A"}, None
    )
    page = new_page(phone=True, language="da")
    login(page, admin_user.email, PASSWORD)
    page.goto(f"/o/testby/artefacts/{item.pk}/edit/")
    actions.do_update_artefact(item, {"title": "Styring", "definition": "B"}, 1, None)
    page.fill("textarea[name=definition]", "C")
    page.click("main button[type=submit]")
    assert page.locator("h1").inner_text() in ("Ændret af en anden", "Ändrat av någon annan")
    assert_accessible(page)
    item.refresh_from_db()
    assert item.data["definition"] == "B"
