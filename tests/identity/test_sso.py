"""Single sign-on against real peers: pyop's OpenID provider and pysaml2's identity provider."""

import base64
from urllib.parse import parse_qs, urlsplit

import requests
from django.conf import settings

from tests.identity.peers import post_form
from tillit.core.models import User
from tillit.identity.middleware import SESSION_KEY
from tillit.org.models import Person


def _oidc_login(client, provider, username: str, next_url: str = "/o/testby/"):
    """Start at Tillit, sign in at the provider's form, come back with the code."""
    start = client.get(f"/sso/testby/login/?next={next_url}")
    assert start.status_code == 302
    authorize = start["Location"]
    assert authorize.startswith(provider.url + "/authorize?")
    query = urlsplit(authorize).query
    provider.allow_redirect(parse_qs(query)["redirect_uri"][0])
    assert "code_challenge" in parse_qs(query) and "nonce" in parse_qs(query)
    answer = requests.post(
        provider.url + "/authorize",
        data={"query": query, "username": username},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 303, answer.text
    back = urlsplit(answer.headers["Location"])
    return client.get(f"{back.path}?{back.query}")


def _saml_answer(client, idp, username: str, next_url: str = "/o/testby/") -> dict:
    """Start at Tillit and sign in at the IdP: the fields its form would post to Tillit."""
    idp.trust_sp(client.get("/sso/testby/saml/metadata/").content.decode())
    start = client.get(f"/sso/testby/login/?next={next_url}")
    assert start.status_code == 302
    assert start["Location"].startswith(idp.url + "/sso/redirect?")
    form_page = requests.get(start["Location"], timeout=10).text
    _action, fields = post_form(form_page)
    answer = requests.post(
        idp.url + "/sso/login", data={**fields, "username": username}, timeout=10
    )
    assert answer.status_code == 200, answer.text
    action, fields = post_form(answer.text)
    assert urlsplit(action).path == "/sso/testby/saml/acs/"
    return fields


def _saml_login(client, idp, username: str, next_url: str = "/o/testby/"):
    fields = _saml_answer(client, idp, username, next_url)
    # The IdP's page posts across sites: browsers leave the SameSite=Lax session cookie out.
    client.cookies.pop(settings.SESSION_COOKIE_NAME, None)
    return client.post("/sso/testby/saml/acs/", fields), fields


def test_oidc_first_login_creates_the_account_and_places_the_person(
    client, units, oidc_sso, openid_provider
):
    response = _oidc_login(client, openid_provider, "nils")
    assert response.status_code == 302 and response["Location"] == "/o/testby/"
    user = User.objects.get(email="nils.ny@testby.se")
    assert user.name == "Nils Ny" and not user.has_usable_password()
    person = Person.objects.get(email="nils.ny@testby.se")
    assert person.unit == units["HEM"] and person.name == "Nils Ny"
    assert client.session[SESSION_KEY] == oidc_sso.organisation_id
    assert client.get("/o/testby/").status_code == 200
    from tillit.audit.models import AuditEntry

    entry = AuditEntry.objects.get(kind=AuditEntry.Kind.LOGIN_SSO)
    assert (entry.organisation, entry.actor, entry.detail) == (
        oidc_sso.organisation,
        user,
        {"kind": "OpenID Connect"},
    )


def test_oidc_existing_person_logs_in_to_the_same_account(
    client, employee_user, oidc_sso, openid_provider
):
    response = _oidc_login(client, openid_provider, "anna")
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == employee_user.pk


def test_oidc_refuses_a_user_of_another_organisation(
    client, org, outsider_user, oidc_sso, openid_provider
):
    response = _oidc_login(client, openid_provider, "otto")
    assert response.status_code == 403
    assert b"has no place in Testby kommun" in response.content
    assert "_auth_user_id" not in client.session
    from tillit.audit.models import AuditEntry

    assert not AuditEntry.objects.exists()  # a refused login is rolled back, its entry too


def test_oidc_wrong_state_is_refused(client, org, oidc_sso, openid_provider):
    client.get("/sso/testby/login/")
    response = client.get("/sso/testby/oidc/callback/?code=forged&state=forged")
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_logout_ends_the_session_here_and_at_the_provider(
    client, employee_user, oidc_sso, openid_provider
):
    _oidc_login(client, openid_provider, "anna")
    response = client.post("/logout/")
    # A page that goes on to the provider (a redirect there would break the CSP's form-action).
    assert response.status_code == 200
    assert response.context["url"].startswith(openid_provider.url + "/logout?")
    assert "id_token_hint" in parse_qs(urlsplit(response.context["url"]).query)
    assert "_auth_user_id" not in client.session
    assert client.get("/o/testby/")["Location"].startswith("/login/")


def test_saml_first_login_creates_the_account_and_maps_attributes(
    client, units, saml_sso, saml_idp
):
    response, _fields = _saml_login(client, saml_idp, "nils")
    assert response.status_code == 302 and response["Location"] == "/o/testby/"
    user = User.objects.get(email="nils.ny@testby.se")
    assert user.name == "Nils Ny"
    assert Person.objects.get(email="nils.ny@testby.se").unit == units["HEM"]
    from tillit.audit.models import AuditEntry

    assert AuditEntry.objects.get(kind=AuditEntry.Kind.LOGIN_SSO).detail == {"kind": "SAML 2.0"}


def test_saml_refuses_another_organisations_user_a_replay_and_a_forgery(
    client, org, outsider_user, employee_user, saml_sso, saml_idp
):
    response, _fields = _saml_login(client, saml_idp, "otto")
    assert response.status_code == 403 and b"has no place" in response.content
    response, fields = _saml_login(client, saml_idp, "anna")
    assert response.status_code == 302
    client.post("/logout/")
    # The same signed response again: its request is no longer outstanding.
    assert client.post("/sso/testby/saml/acs/", fields).status_code == 403
    # A changed assertion no longer matches its signature.
    fields = _saml_answer(client, saml_idp, "anna")
    xml = base64.b64decode(fields["SAMLResponse"]).decode()
    forged = xml.replace("anna@testby.se", "admin@testby.se")
    assert forged != xml
    forged_fields = {**fields, "SAMLResponse": base64.b64encode(forged.encode()).decode()}
    assert client.post("/sso/testby/saml/acs/", forged_fields).status_code == 403
    assert "_auth_user_id" not in client.session


def test_a_session_is_valid_only_for_the_organisation_that_vouched_for_it(
    client, employee_user, other_org, oidc_sso, openid_provider
):
    _oidc_login(client, openid_provider, "anna")
    Person.objects.create(
        organisation=other_org, email="anna@testby.se", name="Anna", unit=other_org.units.get()
    )
    response = client.get("/o/annanstad/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert "_auth_user_id" not in client.session


def test_password_login_switched_off_sends_password_sessions_to_the_idp(
    client, employee_user, oidc_sso
):
    assert client.login(username="anna@testby.se", password="correct-horse-battery-9")
    assert client.get("/o/testby/").status_code == 200
    oidc_sso.password_login = False
    oidc_sso.save()
    response = client.get("/o/testby/units/")
    assert response.status_code == 302
    assert response["Location"].startswith("/sso/testby/login/?next=")


def test_disabled_or_unknown_sso_is_not_found(client, oidc_sso):
    oidc_sso.enabled = False
    oidc_sso.save()
    assert client.get("/sso/testby/login/").status_code == 404
    assert client.get("/sso/nowhere/login/").status_code == 404


def test_admin_configures_sso_and_non_admins_cannot(client, admin_user, employee_user):
    client.force_login(employee_user)
    assert client.get("/o/testby/sso/").status_code == 403
    client.force_login(admin_user)
    page = client.get("/o/testby/sso/")
    assert page.status_code == 200 and b"/sso/testby/oidc/callback/" in page.content
    response = client.post(
        "/o/testby/sso/",
        {"protocol": "saml", "enabled": "on", "email_attribute": "mail", "name_attribute": "cn"},
    )
    assert response.status_code == 200 and b"metadata address or file" in response.content
    response = client.post(
        "/o/testby/sso/",
        {
            "protocol": "saml",
            "enabled": "on",
            "password_login": "on",
            "metadata_url": "https://idp.testby.se/metadata",
            "email_attribute": "mail",
            "name_attribute": "cn",
        },
    )
    assert response.status_code == 302
    from tillit.audit.models import AuditEntry

    entry = AuditEntry.objects.get(kind=AuditEntry.Kind.SSO_CHANGED)  # who changed what
    assert entry.actor == admin_user and "metadata_url" in entry.detail["setting"]
    assert entry.detail["new"]["metadata_url"] == "https://idp.testby.se/metadata"
    client.logout()  # which forgets every cookie, the language's too
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    login_page = client.get("/login/?next=/o/testby/")
    assert b'href="/sso/?next=%2Fo%2Ftestby%2F"' in login_page.content
    chosen = client.get("/sso/", {"organisation": "testby", "next": "/o/testby/"})
    assert chosen.context["url"] == "/sso/testby/login/?next=%2Fo%2Ftestby%2F"
    unknown = client.get("/sso/", {"organisation": "annanstad"})
    assert b"No organisation with this short name" in unknown.content


def test_the_operator_configures_sso_from_the_command_line(org, tmp_path):
    from django.core.management import CommandError, call_command

    from tillit.identity.models import SingleSignOn

    metadata = tmp_path / "idp.xml"
    metadata.write_text("<EntityDescriptor/>", encoding="utf-8")
    call_command(
        "configure-sso",
        "--org=testby",
        "--protocol=saml",
        f"--metadata-file={metadata}",
        "--email-attribute=mail",
        "--enable",
    )
    config = SingleSignOn.objects.get(organisation=org)
    assert config.enabled and config.password_login and config.metadata_xml == "<EntityDescriptor/>"
    call_command("configure-sso", "--org=testby", "--password-login=off")
    config.refresh_from_db()
    assert config.enabled and not config.password_login
    try:
        call_command("configure-sso", "--org=testby", "--disable")
    except CommandError as error:
        assert "password login must stay on" in str(error)
    else:
        raise AssertionError("single sign-on off with password login off was accepted")


def test_a_login_does_not_bring_back_a_person_hr_deactivated(
    client, units, oidc_sso, openid_provider
):
    Person.objects.create(
        organisation=units["K"].organisation,
        email="nils.ny@testby.se",
        name="Nils Ny",
        unit=units["SOC"],
        active=False,
    )
    response = _oidc_login(client, openid_provider, "nils")  # the IdP sends department HEM
    assert response.status_code == 403
    person = Person.objects.get(email="nils.ny@testby.se")
    assert not person.active and person.unit == units["SOC"]
