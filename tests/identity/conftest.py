"""Protocol peers started once per test session, and an organisation connected to them."""

import os

import pytest

from tests.identity.peers import OpenIDProvider, SamlIdentityProvider
from tillit.identity.models import SingleSignOn

OIDC_USERS = {
    "anna": {"email": "anna@testby.se", "name": "Anna Andersson"},
    "nils": {"email": "Nils.Ny@testby.se", "name": "Nils Ny", "department": "HEM"},
    "otto": {"email": "admin@annanstad.se", "name": "Otto Outsider"},
}
SAML_USERS = {
    "anna": {"email": ["anna@testby.se"], "displayName": ["Anna Andersson"]},
    "nils": {"email": ["nils.ny@testby.se"], "displayName": ["Nils Ny"], "ou": ["HEM"]},
    "otto": {"email": ["admin@annanstad.se"], "displayName": ["Otto Outsider"]},
}


@pytest.fixture(scope="session")
def openid_provider():
    peer = OpenIDProvider(OIDC_USERS).start()
    # Tillit's HTTP client (requests, under Authlib) trusts the provider's own certificate.
    before = os.environ.get("REQUESTS_CA_BUNDLE")
    os.environ["REQUESTS_CA_BUNDLE"] = peer.ca_file
    yield peer
    peer.stop()
    if before is None:
        os.environ.pop("REQUESTS_CA_BUNDLE", None)
    else:
        os.environ["REQUESTS_CA_BUNDLE"] = before


@pytest.fixture(scope="session")
def saml_idp():
    peer = SamlIdentityProvider(SAML_USERS).start()
    yield peer
    peer.stop()


@pytest.fixture
def oidc_sso(org, openid_provider) -> SingleSignOn:
    return SingleSignOn.objects.create(
        organisation=org,
        protocol=SingleSignOn.Protocol.OIDC,
        enabled=True,
        issuer=openid_provider.url,
        client_id=OpenIDProvider.CLIENT_ID,
        client_secret=OpenIDProvider.CLIENT_SECRET,
        unit_attribute="department",
    )


@pytest.fixture
def saml_sso(org, saml_idp) -> SingleSignOn:
    return SingleSignOn.objects.create(
        organisation=org,
        protocol=SingleSignOn.Protocol.SAML,
        enabled=True,
        metadata_url=saml_idp.url + "/metadata",
        email_attribute="mail",
        name_attribute="displayName",
        unit_attribute="ou",
    )
