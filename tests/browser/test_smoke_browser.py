"""Smoke tests in Chromium on a phone: login in every language, throttling, the overview."""

import re

import pytest
from django.conf import settings
from django.utils import translation

from tests.browser.conftest import assert_accessible, login
from tests.conftest import PASSWORD
from tillit.core.forms import EmailAuthenticationForm

LANGUAGES = [code for code, _ in settings.LANGUAGES]


def in_language(code: str, message) -> str:
    """A message id, or a lazy message, as Tillit shows it in that language."""
    with translation.override(code):
        return translation.gettext(message) if isinstance(message, str) else str(message)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("code", LANGUAGES)
def test_login_page_switches_language_on_a_phone(new_page, code):
    # Start from another language, so every switch really changes the page.
    start = "en" if code == "sv" else "sv"
    page = new_page(phone=True, language=start)
    page.goto("/login/")
    assert page.get_attribute("html", "lang") == start

    page.select_option("#lang-select", code)
    page.click(".lang-form button[type=submit]")
    page.wait_for_load_state("networkidle")

    assert page.url.endswith("/login/")
    assert page.get_attribute("html", "lang") == code
    assert page.input_value("#lang-select") == code
    assert page.inner_text("main h1") == in_language(code, "Log in")
    if code != "en":
        assert page.inner_text("main h1") != "Log in", "the heading is not translated"
    assert_accessible(page)

    # The choice is kept (cookie) for the next page load.
    page.goto("/login/")
    assert page.get_attribute("html", "lang") == code


def test_login_is_throttled_after_five_failures(new_page, admin_user):
    page = new_page(phone=True, language="sv")
    attempts = settings.LOGIN_THROTTLE_ATTEMPTS
    assert attempts == 5
    wrong = in_language("sv", EmailAuthenticationForm.error_messages["invalid_login"])
    for _ in range(attempts):
        login(page, admin_user.email, "not-the-password")
        assert wrong in page.inner_text("main")

    login(page, admin_user.email, PASSWORD)

    throttled = in_language("sv", EmailAuthenticationForm.error_messages["throttled"])
    minutes = settings.LOGIN_THROTTLE_WINDOW // 60
    assert throttled % {"minutes": minutes} in page.inner_text("main")
    assert re.search(r"/login/$", page.url), "the right password got in while throttled"
    assert_accessible(page)


def test_login_leads_to_an_accessible_overview(new_page, admin_user, org):
    page = new_page(phone=True, language="sv")
    login(page, admin_user.email, PASSWORD)

    assert page.url.endswith(f"/o/{org.slug}/")
    assert org.name in page.inner_text("body")
    assert page.get_attribute("html", "lang") == "sv"
    assert_accessible(page)
