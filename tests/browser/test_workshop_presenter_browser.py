"""A facilitator on a phone runs a presenter screen (a 1280×720 projector) while three phones post
and vote, in Swedish; axe-core on every page, the screen included. (The Danish presenter screen,
with the word check, is part of tests/browser/test_first_hour_browser.py.)"""

import os
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from tests.browser.conftest import assert_accessible, login
from tests.browser.test_workshop_browser import wait_for
from tests.conftest import PASSWORD
from tillit.programmes import actions as programme_actions
from tillit.programmes.loading import install_shipped_templates
from tillit.programmes.models import ProgrammeStep, ProgrammeTemplate
from tillit.workshop import actions, contributing, outcomes

PROJECTOR = {"width": 1280, "height": 720}
# Where the screenshots go (to be looked at): TILLIT_SCREENSHOTS, else the test's own folder.
SHOTS = os.environ.get("TILLIT_SCREENSHOTS")


def tap_dot(phone, title: str) -> None:
    """Tap + on a vote target until the phone shows one more of its dots there."""
    row = phone.locator(".ws-targets li", has_text=title)
    mine = row.locator(".ws-target__mine")
    before = mine.inner_text()
    for _attempt in range(3):
        row.locator("button").first.click()
        try:
            wait_for(lambda: mine.inner_text() != before, timeout=4)
            return
        except AssertionError:
            continue
    raise AssertionError(f"the dot on {title} was not stored")


def fits(screen) -> None:
    """Nothing scrolls, and every note on the page lies inside the 1280×720 screen."""
    size = screen.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
    )
    assert size[0] <= PROJECTOR["width"] and size[1] <= PROJECTOR["height"], size
    outside = screen.evaluate(
        """Array.from(document.querySelectorAll('.ws-screen__note, .ws-screen__code, h1'))
             .map(e => e.getBoundingClientRect())
             .filter(r => r.bottom > innerHeight + 1 || r.right > innerWidth + 1 || r.left < 0)
             .length"""
    )
    assert outside == 0


@pytest.mark.parametrize("language", ["sv"])
def test_phone_controls_presenter_screen_while_phones_post_and_vote(
    browser, live_server, new_page, admin_user, org, units, language, tmp_path
):
    install_shipped_templates()
    programme = programme_actions.do_start_programme(
        organisation=org,
        template_version=ProgrammeTemplate.objects.get(slug="samskabt-styring").latest(),
        title={"da": "Mindre bøvl", "sv": "Mindre krångel"}[language],
        language=language,
        units=[units["HEM"]],
        created_by=admin_user,
    )
    step = ProgrammeStep.objects.get(programme=programme, step_id="challenges")
    session = actions.do_start_session(step, admin_user)
    base = f"/o/testby/workshops/{session.pk}/"
    # Written before any page listens (the live server shares this thread's in-memory SQLite
    # connection, where a write beside a stream's read can fail as "table is locked"): a full
    # board of 30 notes, some long, and two themes for the vote.
    joined, _token = actions.do_join(session, "", language)
    for n in range(30):
        text = f"Note {n}: " + "skemaer der udfyldes to gange " * (1 + n % 4)
        contributing.do_post_contribution(
            session, joined, 0, contributing.Post(uuid.uuid4(), text, {})
        )
    themes = [outcomes.do_create_theme(session, 0, t) for t in ("Fravær", "Skemaer")]

    fac = new_page(phone=True, language=language)
    login(fac, admin_user.email, PASSWORD)
    fac.goto(base)
    context = browser.new_context(
        viewport=PROJECTOR,
        locale={"da": "da-DK", "sv": "sv-SE"}[language],
        base_url=live_server.url,
    )
    context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )
    try:
        screen = context.new_page()
        screen.set_default_timeout(10_000)
        login(screen, admin_user.email, PASSWORD)
        # The language chosen in the menu holds on the screen.
        fac.goto(base)
        screen.goto(base + "screen/")
        assert screen.locator("html").get_attribute("lang") == language
        assert screen.locator(".ws-screen__code").inner_text().strip() == session.code
        assert screen.locator(".ws-qr svg").count() == 1
        assert screen.locator("button, nav, form, .site-header").count() == 0
        assert_accessible(screen)

        phones = []
        for _n in range(3):
            phone = new_page(phone=True, language=language)
            phone.goto(f"/join/{session.code}/")  # what the QR code opens
            phone.click("main button[type=submit]")
            phone.wait_for_selector("#ws-text")
            phones.append(phone)
        texts = [f"Bøvl nummer {n}: dobbelt registrering" for n in range(3)]
        for phone, text in zip(phones, texts, strict=True):
            phone.fill("#ws-text", text)
            phone.click("form[data-offline] button[type=submit]")
        # Each phone sees its own note at once, and only its own.
        phones[0].wait_for_selector(f".ws-mine :text('{texts[0]}')")
        phones[1].wait_for_selector(f".ws-mine :text('{texts[1]}')")
        assert texts[0] not in phones[1].locator("#live").inner_text()
        assert_accessible(phones[0])
        screen.wait_for_selector(".ws-screen__message")
        assert "Bøvl nummer" not in screen.locator("main").inner_text()

        # The facilitator reveals from the phone: the screen and the phones follow by themselves.
        fac.click("button[value=reveal]")
        fac.wait_for_selector("button[value=conceal]")
        screen.wait_for_selector(".ws-screen__note")
        for phone in phones:
            phone.wait_for_selector(f"#live :text('{texts[2]}')")
        fits(screen)
        shot = Path(SHOTS or tmp_path) / f"presenter-{language}.png"
        screen.screenshot(path=str(shot))
        first_page = screen.locator(".ws-screen__note").all_inner_texts()
        fac.click("button[value=page_next]")
        wait_for(lambda: screen.locator(".ws-screen__note").all_inner_texts() != first_page)
        fits(screen)
        # Hide the join code: gone from the screen, the board takes its room.
        fac.click("button[value=hide_code]")
        screen.wait_for_selector(".ws-screen__code", state="detached")
        assert screen.locator(".ws-qr svg").count() == 0
        fits(screen)
        assert_accessible(screen)
        assert_accessible(fac)
        screen.screenshot(path=str(Path(SHOTS or tmp_path) / f"presenter-{language}-nocode.png"))

        # Dot voting on two themes: the dots stay hidden on the screen until revealed.
        fac.click("button[value=next]")
        for phone in phones:
            phone.wait_for_selector(".ws-targets", timeout=15_000)
        # Votes through the phones' buttons, checked on the phones' own pages (the test's own
        # reads of the database would share the live server's in-memory connection).
        for phone in phones:
            tap_dot(phone, themes[0].title)
        tap_dot(phones[2], themes[1].title)
        wait_for(lambda: "3" in screen.locator(".ws-screen__message").inner_text())
        assert screen.locator(".ws-screen__tally").count() == 0
        assert "Fravær" not in screen.locator("main").inner_text()
        fac.click("button[value=reveal]")
        screen.wait_for_selector(".ws-screen__tally")
        tallies = screen.locator(".ws-screen__note").all_inner_texts()
        assert tallies[0].startswith("Fravær") and "3" in tallies[0]
        fits(screen)
        assert_accessible(screen)
        assert_accessible(phones[1])
    finally:
        context.close()
