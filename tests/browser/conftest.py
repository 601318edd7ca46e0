"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

Every page a test visits can be checked with `assert_accessible(page)`, which runs axe-core
(WCAG 2.1 A and AA rules) inside the page.
"""

import os
from pathlib import Path

import pytest
from django.conf import settings

from tests.browser.wordcheck import assert_speaks

# Playwright's sync API runs an event loop in this thread; the ORM calls in tests are
# still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("TILLIT_CHROMIUM", "/usr/bin/chromium")
AXE_JS = Path(__file__).resolve().parent.parent / "vendor" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

pytestmark = pytest.mark.browser


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make test`, which installs Debian's chromium.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-quic",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """Open pages in fresh contexts: `new_page(phone=True, language="da")`."""
    contexts = []

    def open_page(*, phone: bool = False, language: str = "sv"):
        context = browser.new_context(
            viewport=PHONE if phone else DESKTOP,
            locale={"sv": "sv-SE", "da": "da-DK", "nb": "nb-NO", "en": "en-GB"}[language],
            base_url=live_server.url,
            has_touch=phone,
            is_mobile=phone,
        )
        # The language as a person picks it in the menu (the cookie): on an organisation's pages
        # the browser's own language counts for nothing – the organisation's does, for whoever
        # has not chosen (tillit.core.languages).
        context.add_cookies(
            [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
        )
        # Generous: CI runs the PostgreSQL round beside this one on two cores.
        context.set_default_timeout(20_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


def login(page, email: str, password: str) -> None:
    """Log in through the form, as a person would."""
    page.goto("/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")


def assert_accessible(page, allow: set[str] = frozenset()) -> None:
    """Fail with a readable list if axe-core finds WCAG 2.1 A/AA violations on the page, or
    if the page shows a word of another language than its own (`allow`: words of the test's
    data, e.g. a Swedish survey's name on a Danish page)."""
    # evaluate() runs outside the page's CSP, so the strict policy stays on during the test.
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    result = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
            resultTypes: ['violations'],
        })"""
    )
    problems = [
        f"{v['id']} ({v['impact']}): {v['help']} – "
        + "; ".join(
            n["target"][0] if isinstance(n["target"][0], str) else str(n["target"])
            for n in v["nodes"][:5]
        )
        for v in result["violations"]
    ]
    assert not problems, f"axe-core on {page.url}:\n" + "\n".join(problems)
    assert_speaks(page, page.evaluate("document.documentElement.lang"), allow)
