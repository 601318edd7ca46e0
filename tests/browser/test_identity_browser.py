"""Logging in through the test OpenID provider and the test SAML IdP, as staff would."""

import pytest
import requests

from tests.browser.conftest import DESKTOP, PHONE, assert_accessible
from tests.identity.conftest import openid_provider, saml_idp  # noqa: F401 (fixtures)
from tillit.identity.models import SingleSignOn
from tillit.org.models import Organisation, Person, Unit

pytestmark = pytest.mark.browser


@pytest.fixture
def testby(transactional_db):
    organisation = Organisation.objects.create(slug="testby", name="Testby kommun")
    top = Unit.objects.create(organisation=organisation, external_id="K", name="Testby kommun")
    Unit.objects.create(organisation=organisation, external_id="HEM", name="Hemtjänst", parent=top)
    Person.objects.create(
        organisation=organisation, email="anna@testby.se", name="Anna Andersson", unit=top
    )
    return organisation


def _page(browser, live_server, *, phone: bool, locale: str):
    requests.get(f"{live_server.url}/login/", timeout=60)  # the server's first page, warmed
    # The OpenID provider is HTTPS with its own certificate, as a real one is with a real one.
    context = browser.new_context(
        viewport=PHONE if phone else DESKTOP,
        locale=locale,
        base_url=live_server.url,
        ignore_https_errors=True,
    )
    context.set_default_timeout(20_000)
    return context, context.new_page()


def _through_the_login_page(page) -> None:
    page.goto("/login/?next=/o/testby/")
    page.click('a[href^="/sso/"]')
    assert_accessible(page)
    page.fill("input[name=organisation]", "testby")
    page.click("main button[type=submit]")


def test_login_and_logout_through_the_openid_provider(
    browser,
    live_server,
    testby,
    openid_provider,  # noqa: F811 (the imported fixture)
):
    SingleSignOn.objects.create(
        organisation=testby,
        protocol="oidc",
        enabled=True,
        issuer=openid_provider.url,
        client_id=openid_provider.CLIENT_ID,
        client_secret=openid_provider.CLIENT_SECRET,
    )
    openid_provider.allow_redirect(f"{live_server.url}/sso/testby/oidc/callback/")
    context, page = _page(browser, live_server, phone=True, locale="da-DK")
    _through_the_login_page(page)
    page.fill("input[name=username]", "anna")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/o/testby/")
    assert "Testby kommun" in page.text_content("header")
    # A first login has made an account with no language of its own: the organisation's
    # (Swedish) holds, not the browser's (tillit.core.languages).
    assert "Logga ut" in page.text_content("header")
    page.screenshot(path="/tmp/identity-oidc-da.png")
    page.click("header form[action='/logout/'] button")
    page.wait_for_url(f"{live_server.url}/login/")  # by way of the provider's end-session
    assert openid_provider.logouts, "the provider's end-session endpoint was not called"
    page.goto("/o/testby/")
    assert page.url.startswith(f"{live_server.url}/login/")
    context.close()


def test_login_through_the_saml_idp(browser, live_server, testby, saml_idp):  # noqa: F811
    SingleSignOn.objects.create(
        organisation=testby,
        protocol="saml",
        enabled=True,
        metadata_url=saml_idp.url + "/metadata",
        email_attribute="mail",
        name_attribute="displayName",
    )
    metadata = requests.get(f"{live_server.url}/sso/testby/saml/metadata/", timeout=10).text
    saml_idp.trust_sp(metadata)
    context, page = _page(browser, live_server, phone=False, locale="sv-SE")
    _through_the_login_page(page)
    page.fill("input[name=username]", "anna")
    page.click("button[type=submit]")  # the IdP's own page then posts to Tillit
    page.wait_for_url(f"{live_server.url}/o/testby/")
    assert "Testby kommun" in page.text_content("header")
    page.screenshot(path="/tmp/identity-saml-sv.png")
    context.close()


def test_process_owner_sets_up_sso_and_makes_a_token(new_page, live_server, testby):
    from tests.browser.conftest import login
    from tests.conftest import PASSWORD, make_user
    from tillit.org.models import RoleGrant

    RoleGrant.objects.create(organisation=testby, email="ada@testby.se", role="admin")
    make_user("ada@testby.se", name="Ada")
    requests.get(f"{live_server.url}/login/", timeout=60)  # the server's first page, warmed
    page = new_page(phone=True, language="da")
    login(page, "ada@testby.se", PASSWORD)
    page.goto("/o/testby/sso/")
    assert "/sso/testby/saml/metadata/" in page.text_content("main")
    assert_accessible(page)
    page.screenshot(path="/tmp/identity-sso-settings-da.png", full_page=True)
    page.goto("/o/testby/tokens/")
    page.fill("input[name=name]", "Intranät")
    page.check("input[value='org:read']")
    page.click("main form:not([action]) button[type=submit]")
    secret = page.text_content("#token-secret")
    assert secret.startswith("tlt_")
    assert_accessible(page)
    page.screenshot(path="/tmp/identity-tokens-da.png", full_page=True)
    # Nothing wider than a phone (WCAG 1.4.10): long addresses and the secret wrap.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, page.evaluate(
        """[...document.querySelectorAll('main *')]
           .filter(e => e.getBoundingClientRect().right > 391)
           .map(e => e.tagName + '.' + e.className).slice(0, 8).join(' ')"""
    )
    page.reload()  # shown once: not again
    assert page.locator("#token-secret").count() == 0
    assert page.locator("#tokens tbody tr").count() == 1
