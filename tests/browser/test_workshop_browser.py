"""A live workshop in browsers: a facilitator on a projector, three phones (da, sv, en).

Participants join by code, post notes (one with the keyboard only), the facilitator groups them
into themes (select + button, and drag and drop), reveals, moves to dot voting, everyone votes,
and the result is stored as prioritised challenges of the programme.
"""

import time

from django.db import OperationalError

from tests.browser.conftest import assert_accessible, login
from tests.conftest import PASSWORD
from tillit.programmes import actions as programme_actions
from tillit.programmes.loading import install_shipped_templates
from tillit.programmes.models import Artefact, ProgrammeTemplate
from tillit.workshop import actions
from tillit.workshop.models import Contribution, Vote, WorkshopSession


def wait_for(check, timeout=10.0):
    """Wait until `check()` is true (the database is written by the live server's thread)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            if check():
                return
        except OperationalError as error:
            # The live server shares the test's in-memory SQLite, whose table locks fail at
            # once instead of waiting (a database file waits, with the busy timeout): the
            # event streams' reads meet this one now and then. Ask again.
            if "locked" not in str(error):
                raise
        time.sleep(0.1)
    raise AssertionError("timed out")


def keyboard_post(page, text: str) -> None:
    """Reach the note field with Tab, type, Tab to Send and press Enter – no mouse."""
    page.locator("body").focus()
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == "ws-text":
            break
    else:
        raise AssertionError("the note field cannot be reached with Tab")
    page.keyboard.type(text)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.type") == "submit"
    page.keyboard.press("Enter")


def vote(phone, session, theme) -> None:
    """Tap + on a theme and wait until the dot is stored; tap again only if the tap was lost
    (the live region may be replaced by a poll at the moment of the tap)."""
    token = next(c["value"] for c in phone.context.cookies() if c["name"].startswith("tillit_ws_"))
    participant = actions.participant_for(session, token)

    def dots():
        return sum(
            Vote.objects.filter(participant=participant, theme=theme).values_list(
                "count", flat=True
            )
        )

    before = dots()
    for _attempt in range(3):
        phone.locator(".ws-targets li", has_text=theme.title).locator("button").first.click()
        try:
            wait_for(lambda: dots() == before + 1, timeout=4)
            return
        except AssertionError:
            continue
    raise AssertionError(f"the dot on {theme.title} was not stored")


def test_workshop_from_join_to_prioritised_challenges(new_page, admin_user, org, units):
    install_shipped_templates()
    programme = programme_actions.do_start_programme(
        organisation=org,
        template_version=ProgrammeTemplate.objects.get(slug="samskabt-styring").latest(),
        title="Mindre bøvl i hjemmeplejen",
        language="da",
        units=[units["HEM"]],
        created_by=admin_user,
    )
    fac = new_page(language="en")
    login(fac, admin_user.email, PASSWORD)
    fac.goto(f"/o/testby/programmes/{programme.pk}/workshop/")
    assert_accessible(fac)
    fac.click("form[action$='/challenges/start/'] button")
    code = fac.locator(".ws-code").inner_text().strip()
    session = WorkshopSession.objects.get(code=code)

    phones = {}
    for language in ("da", "sv", "en"):
        phone = new_page(phone=True, language=language)
        phone.goto("/join/")
        phone.fill("input[name=code]", code.lower())
        phone.click("main button[type=submit]")
        phone.wait_for_selector("#ws-text")
        assert phone.locator(".ws-room").get_attribute("lang") == language
        phones[language] = phone
    assert_accessible(phones["da"])

    keyboard_post(phones["da"], "Fravær registreres to gange")
    phones["sv"].fill("#ws-text", "Frånvaro dubbelregistreras")
    phones["sv"].click("form[data-offline] button[type=submit]")
    phones["en"].fill("#ws-text", "Long meetings without decisions")
    phones["en"].click("form[data-offline] button[type=submit]")
    wait_for(lambda: Contribution.objects.filter(session=session).count() == 3)
    # Unsent text is cleared once sent; nothing is kept in the phone's queue.
    assert phones["da"].input_value("#ws-text") == ""
    wait_for(lambda: phones["da"].evaluate("localStorage.getItem('tillit-ws-queue')") == "[]")
    # Before the reveal, phones see a count only.
    phones["en"].wait_for_selector("#live :text('3 contributions so far')")
    assert "Fravær registreres" not in phones["en"].locator("#live").inner_text()

    # The facilitator groups: two themes, one note by select + button, one by drag and drop.
    fac.wait_for_selector("#live .ws-note__text:text('Long meetings without decisions')")
    for title in ("Fraværsregistrering", "Møder"):
        fac.fill("#ws-theme-new", title)
        fac.click("form[action$='/themes/'] button")
        fac.wait_for_selector(f"#live h3:text('{title}')")
    absence = session.themes.get(title="Fraværsregistrering")
    meetings = session.themes.get(title="Møder")
    notes = {c.text: c for c in Contribution.objects.filter(session=session)}
    first = notes["Fravær registreres to gange"]
    fac.select_option(f"#ws-move-{first.pk}", str(absence.pk))
    fac.click(f"form[action$='/notes/{first.pk}/move/'] button")
    wait_for(lambda: Contribution.objects.get(pk=first.pk).theme_id == absence.pk)
    fac.wait_for_selector(f"#ws-move-{notes['Long meetings without decisions'].pk}")
    fac.drag_and_drop(
        f"li[data-move$='/notes/{notes['Long meetings without decisions'].pk}/move/']",
        f"[data-drop='{meetings.pk}']",
    )
    wait_for(
        lambda: (
            Contribution.objects.get(pk=notes["Long meetings without decisions"].pk).theme_id
            == meetings.pk
        )
    )
    duplicate = notes["Frånvaro dubbelregistreras"]
    fac.reload()
    fac.select_option(f"#ws-merge-{duplicate.pk}", str(first.pk))
    fac.click(f"form[action$='/notes/{duplicate.pk}/merge/'] button")
    wait_for(lambda: Contribution.objects.get(pk=duplicate.pk).merged_into_id == first.pk)
    fac.click("button[value=reveal]")
    fac.wait_for_selector("button[value=conceal]")
    assert_accessible(fac)
    for phone in phones.values():
        phone.wait_for_selector("#live h3:text('Fraværsregistrering')")
    # Concealed again, each phone's own note comes back in its event, marked as its own.
    fac.click("button[value=conceal]")
    mine = "#live .ws-note--mine:text('Long meetings without decisions')"
    phones["en"].wait_for_selector(mine)
    assert "Fravær" not in phones["en"].locator("#live").inner_text()
    phones["da"].wait_for_selector("#live .ws-note--mine:text('Fravær registreres to gange')")
    assert "Long meetings" not in phones["da"].locator("#live").inner_text()

    # Dot voting: the phones reload by themselves when the facilitator moves on.
    fac.click("button[value=next]")
    for phone in phones.values():
        phone.wait_for_selector(".ws-targets", timeout=15_000)
    assert_accessible(phones["sv"])
    for language, phone in phones.items():
        vote(phone, session, absence)
        if language == "en":
            vote(phone, session, meetings)
    fac.reload()
    fac.wait_for_selector(".ws-bars")
    assert_accessible(fac)
    fac.click("button[value=priorities]")
    fac.wait_for_selector(".message--success")

    challenges = {a.title: a for a in Artefact.objects.filter(programme=programme)}
    assert challenges["Fraværsregistrering"].kind == "challenge"
    assert challenges["Fraværsregistrering"].data["priority"] == "high"
    assert challenges["Møder"].data["priority"] == "medium"
    assert "Fravær registreres to gange" in challenges["Fraværsregistrering"].data["hindrance"]
