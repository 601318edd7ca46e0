"""The good-examples library in a browser: a Goda exempel programme's story becomes a draft
(a manager, on a phone, in Swedish), is curated and published (a curator), is found by search
in Swedish and in Danish, adopted by another unit and followed up. axe-core on every page."""

import io
from urllib.parse import urlsplit

from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from tests.browser.conftest import assert_accessible, login
from tests.conftest import PASSWORD
from tests.examples import conftest as examples_fixtures
from tillit.examples.models import Adoption, GoodExample

# The library's fixtures (a conftest in tests/examples does not reach here).
curator_user = examples_fixtures.curator_user
goda_programme = examples_fixtures.goda_programme

TITLE = "Hemtjänsten som slutade jaga minuter"


def press(page, selector: str) -> None:
    """Click a button that posts a form, and wait for the page it leads to."""
    with page.expect_navigation():
        page.click(selector)


def visit(page, path: str) -> None:
    page.goto(path)
    assert_accessible(page)


def test_from_a_programmes_story_to_a_followed_up_adoption(
    new_page, settings, goda_programme, team_manager_user, curator_user, manager_user, admin_user
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # The manager of Hemtjänst Norr turns the programme's story into a draft and sends it.
    manager = new_page(phone=True)
    login(manager, team_manager_user.email, PASSWORD)
    visit(manager, "/o/testby/examples/from-programmes/")
    press(manager, "main button:text-is('Gör utkast av berättelserna')")
    assert_accessible(manager)
    visit(manager, "/o/testby/examples/")
    manager.click(f"text={TITLE}")
    assert "Ledarskap: Hur ger ni återkoppling?" in manager.inner_text("main")
    assert_accessible(manager)
    press(manager, "main button:text-is('Skicka för granskning')")
    assert GoodExample.objects.get().status == "review"
    visit(manager, "/o/testby/examples/new/")

    # The curator names the contact (with consent) and publishes.
    curator = new_page()
    login(curator, curator_user.email, PASSWORD)
    example = GoodExample.objects.get()
    visit(curator, f"/o/testby/examples/{example.pk}/")
    visit(curator, f"/o/testby/examples/{example.pk}/edit/")
    visit(curator, f"/o/testby/examples/{example.pk}/contacts/")
    curator.fill("input[name=name]", "Hugo Chef")
    curator.check("input[name=consent]")
    press(curator, "main form.stack button[type=submit]")
    assert_accessible(curator)
    curator.goto(f"/o/testby/examples/{example.pk}/")
    press(curator, "main button:text-is('Publicera')")
    assert_accessible(curator)
    example.refresh_from_db()
    assert (example.status, example.version) == ("published", 1)

    # Found by search, in Swedish and from a Danish page.
    curator.goto("/o/testby/examples/?q=minuterna")
    assert TITLE in curator.inner_text("#results")
    assert_accessible(curator)
    admin_user.language = "da"
    admin_user.save()
    danish = new_page(language="da")
    login(danish, admin_user.email, PASSWORD)
    visit(danish, "/o/testby/examples/")
    assert "Gode eksempler" in danish.inner_text("main h1")
    danish.fill("#q", "hemtjänst")
    danish.click("main form.filters button[type=submit]")
    danish.wait_for_selector(f"#results >> text={TITLE}")
    assert_accessible(danish)
    for path in ("booklet/", "shared/", "curators/"):
        visit(danish, f"/o/testby/examples/{path}")

    # Another unit adopts it; its manager is asked and answers; the stage moves.
    other = new_page(phone=True)
    login(other, manager_user.email, PASSWORD)
    visit(other, f"/o/testby/examples/{example.pk}/adopt/")
    other.select_option("select[name=unit]", label="Socialförvaltningen")
    other.select_option("select[name=stage]", "testing")
    other.fill("textarea[name=adapted]", "Tre mål i stället för fem")
    other.fill("input[name=follow_up_months]", "1")
    press(other, "main form.stack button[type=submit]")
    adoption = Adoption.objects.get()
    assert (adoption.unit.name, adoption.stage) == ("Socialförvaltningen", "testing")
    Adoption.objects.filter(pk=adoption.pk).update(follow_up_due=timezone.localdate())
    call_command("examples_follow_ups", stdout=io.StringIO())
    link = next(line for line in mail.outbox[0].body.splitlines() if "/follow-up/" in line)
    visit(other, urlsplit(link.strip()).path)
    other.check("input[value=yes]")
    other.fill("textarea[name=result]", "Mindre tid på rapporter")
    press(other, "main form.stack button[type=submit]")
    assert "Infört" in other.inner_text("main")
    assert_accessible(other)
    adoption.refresh_from_db()
    assert adoption.stage == "implemented"
    assert "<svg" in other.content()  # the lineage
