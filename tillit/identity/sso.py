"""The two protocols of single sign-on, each through its reference library.

OpenID Connect through Authlib's Django client (discovery, state, nonce, PKCE, ID-token
signature and claims); SAML 2.0 through pysaml2 (signature checked by xmlsec1, audience,
validity, replies only to requests this session made). Both end in `attributes`: a dict of
attribute name to list of values, which `actions.do_sso_login` maps to an account.
"""

from __future__ import annotations

import base64
import shutil
import time
from typing import Any

import requests
from authlib.integrations.django_client import DjangoOAuth2App
from authlib.integrations.django_client.integration import DjangoIntegration
from django.core.cache import cache
from django.http import HttpRequest
from django.urls import reverse
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.metadata import create_metadata_string
from saml2.samlp import response_from_string

from tillit.core.middleware import waiting_elsewhere
from tillit.identity.models import SingleSignOn

METADATA_TTL = 3600  # seconds a fetched IdP metadata document is reused
HTTP_TIMEOUT = 10
REQUEST_TTL = 600  # seconds a person has to log in at the IdP

_oidc_clients: dict[tuple[int, str], DjangoOAuth2App] = {}
_metadata: dict[str, tuple[float, str]] = {}


class SsoError(Exception):
    """Single sign-on failed; the message is for the person trying to log in."""


def _key(config: SingleSignOn) -> tuple[int, str]:
    # A saved configuration gets a new updated_at, so a changed one is never served stale.
    return (config.pk, config.updated_at.isoformat())


# ---------------------------------------------------------------- OpenID Connect


def oidc_client(config: SingleSignOn) -> DjangoOAuth2App:
    """The organisation's OpenID Connect client (its discovery document read once)."""
    key = _key(config)
    client = _oidc_clients.get(key)
    if client is None:
        name = f"tillit-{config.organisation_id}"
        client = DjangoOAuth2App(
            DjangoIntegration(name),
            name,
            client_id=config.client_id,
            client_secret=config.client_secret,
            server_metadata_url=config.issuer.rstrip("/") + "/.well-known/openid-configuration",
            client_kwargs={
                "scope": "openid email profile",
                "code_challenge_method": "S256",
                "timeout": HTTP_TIMEOUT,
            },
        )
        _oidc_clients[key] = client
    return client


def oidc_attributes(config: SingleSignOn, request: HttpRequest) -> dict[str, list[str]]:
    """Finish the code flow: the ID token's claims, completed by the userinfo endpoint."""
    client = oidc_client(config)
    request.session.keys()  # read now: the flow's state is in it, and no query runs below
    # The provider's answers can take seconds on a Monday morning: no request slot is held
    # meanwhile (`waiting_elsewhere`), or the organisation's logins would stop every page.
    with waiting_elsewhere():
        token = client.authorize_access_token(request)
        claims = dict(token.get("userinfo") or {})
        if not claims.get("sub"):
            raise SsoError("no ID token")
        if client.load_server_metadata().get("userinfo_endpoint"):
            extra = dict(client.userinfo(token=token))
            if extra.get("sub") == claims["sub"]:  # OIDC Core 5.3.2: ignore it otherwise
                claims = {**extra, **claims}
    request.session["sso_id_token"] = token.get("id_token", "")
    return {
        key: [str(v) for v in value] if isinstance(value, list) else [str(value)]
        for key, value in claims.items()
        if value is not None
    }


# ---------------------------------------------------------------- SAML 2.0


def _idp_metadata(config: SingleSignOn) -> str:
    if config.metadata_xml.strip():
        return config.metadata_xml
    cached = _metadata.get(config.metadata_url)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    with waiting_elsewhere():
        response = requests.get(config.metadata_url, timeout=HTTP_TIMEOUT)
    response.raise_for_status()
    _metadata[config.metadata_url] = (time.monotonic() + METADATA_TTL, response.text)
    return response.text


def sp_urls(request: HttpRequest, config: SingleSignOn) -> dict[str, str]:
    """This service provider's entity id and assertion consumer service address."""
    slug = config.organisation.slug
    return {
        "entityid": request.build_absolute_uri(reverse("identity:saml_metadata", args=[slug])),
        "acs": request.build_absolute_uri(reverse("identity:saml_acs", args=[slug])),
    }


def saml_config(request: HttpRequest, config: SingleSignOn, *, with_idp: bool = True) -> SPConfig:
    """pysaml2's service-provider configuration for this organisation."""
    urls = sp_urls(request, config)
    settings: dict[str, Any] = {
        "entityid": urls["entityid"],
        "service": {
            "sp": {
                "name": config.organisation.name,
                "endpoints": {"assertion_consumer_service": [(urls["acs"], BINDING_HTTP_POST)]},
                "allow_unsolicited": False,
                "authn_requests_signed": False,
                "want_assertions_signed": True,
                "want_response_signed": False,
            }
        },
        "xmlsec_binary": shutil.which("xmlsec1"),
        "allow_unknown_attributes": True,
    }
    if with_idp:
        settings["metadata"] = {"inline": [_idp_metadata(config)]}
    sp_config = SPConfig()
    sp_config.load(settings)
    return sp_config


def saml_metadata(request: HttpRequest, config: SingleSignOn) -> str:
    """The SP metadata an IdP administrator imports (Entra ID, AD FS, OS2faktor)."""
    return create_metadata_string(None, saml_config(request, config, with_idp=False)).decode()


def _request_key(request_id: str) -> str:
    return f"tillit-saml-request:{request_id}"


def saml_redirect(request: HttpRequest, config: SingleSignOn, next_url: str) -> str:
    """The address of the IdP's login with a fresh AuthnRequest.

    The request's id is kept server-side (the shared cache), not in the session: the IdP's
    answer is a cross-site POST, which browsers send without the SameSite=Lax session cookie.
    """
    client = Saml2Client(config=saml_config(request, config))
    request_id, info = client.prepare_for_authenticate(
        relay_state=config.organisation.slug, binding=BINDING_HTTP_REDIRECT
    )
    cache.set(
        _request_key(request_id),
        {"organisation": config.organisation_id, "next": next_url},
        REQUEST_TTL,
    )
    return dict(info["headers"])["Location"]


def _claim_request(config: SingleSignOn, saml_response: str) -> tuple[str, str]:
    """The id and next address of the request this response answers, used up now (so a
    replayed response finds nothing); ("", "") when it answers none of ours."""
    try:
        xml = base64.b64decode(saml_response, validate=False)
        request_id = response_from_string(xml).in_response_to or ""
    except Exception:  # not even a SAML response
        return "", ""
    key = _request_key(request_id)
    data = cache.get(key)
    if not request_id or not data or data["organisation"] != config.organisation_id:
        return "", ""
    if not cache.delete(key):  # another request claimed it first
        return "", ""
    return request_id, data["next"]


def saml_attributes(request: HttpRequest, config: SingleSignOn) -> tuple[dict[str, list[str]], str]:
    """Check the IdP's signed response to one of our requests: its attributes and NameID,
    and the address the person was going to."""
    saml_response = request.POST.get("SAMLResponse", "")
    request_id, next_url = _claim_request(config, saml_response)
    if not request_id:
        raise SsoError("unsolicited or replayed response")
    client = Saml2Client(config=saml_config(request, config))
    try:
        response = client.parse_authn_request_response(
            saml_response, BINDING_HTTP_POST, {request_id: next_url}
        )
    except Exception as error:  # pysaml2 raises a dozen kinds; all mean "not accepted"
        raise SsoError(type(error).__name__) from error
    if response is None:
        raise SsoError("no response")
    attributes = {k: [str(v) for v in vs] for k, vs in response.get_identity().items()}
    subject = response.get_subject()
    attributes.setdefault("nameid", [subject.text.strip()] if subject is not None else [])
    return attributes, next_url
