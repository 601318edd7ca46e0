"""Real protocol peers for the single sign-on tests, served on 127.0.0.1 in a thread.

An OpenID provider built on pyop (the OP library SATOSA uses) and a SAML 2.0 identity
provider built on pysaml2's `Server`, each with a login form that asks only for a user
name – what a real IdP asks after the password is its own business.
"""

from __future__ import annotations

import datetime as dt
import html
import ipaddress
import json
import shutil
import ssl
import tempfile
import threading
from pathlib import Path
from socketserver import ThreadingMixIn
from urllib.parse import parse_qs, urlencode
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args) -> None:
        pass


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


def _form(action: str, hidden: dict[str, str], title: str) -> bytes:
    fields = "".join(
        f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
        for k, v in hidden.items()
    )
    return (
        f'<!doctype html><html lang="en"><title>{title}</title><main><h1>{title}</h1>'
        f'<form method="post" action="{action}">{fields}'
        '<label>User name <input name="username" autofocus></label>'
        '<button type="submit">Sign in</button></form></main></html>'
    ).encode()


class Peer:
    """A WSGI app served in a daemon thread; `url` is its base address."""

    def __init__(self, *, tls_directory: Path | None = None) -> None:
        self.server = make_server(
            "127.0.0.1", 0, self.app, server_class=_ThreadingServer, handler_class=_Quiet
        )
        scheme = "http"
        if tls_directory is not None:
            # OpenID providers must be HTTPS (pyop refuses anything else); clients trust
            # this certificate through `ca_file`.
            key_file, self.ca_file = self_signed(tls_directory, "tls")
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(self.ca_file, key_file)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
            scheme = "https"
        self.url = f"{scheme}://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> Peer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def app(self, environ, start_response):
        method = environ["REQUEST_METHOD"]
        path = environ["PATH_INFO"]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length).decode() if length else ""
        headers = {
            k[5:].replace("_", "-").title(): v for k, v in environ.items() if k.startswith("HTTP_")
        }
        status, extra, content = self.handle(
            method, path, environ.get("QUERY_STRING", ""), body, headers
        )
        start_response(status, extra)
        return [content]

    def handle(self, method, path, query, body, headers):
        raise NotImplementedError


# ---------------------------------------------------------------- OpenID Connect


class OpenIDProvider(Peer):
    """pyop's Provider behind authorize, token, userinfo, JWKS, discovery and end-session."""

    CLIENT_ID = "tillit"
    CLIENT_SECRET = "op-secret-for-tests"

    def __init__(self, users: dict[str, dict]) -> None:
        super().__init__(tls_directory=Path(tempfile.mkdtemp(prefix="tillit-op-")))
        from Cryptodome.PublicKey import RSA
        from jwkest.jwk import RSAKey
        from pyop.authz_state import AuthorizationState
        from pyop.provider import Provider
        from pyop.subject_identifier import HashBasedSubjectIdentifierFactory
        from pyop.userinfo import Userinfo

        self.users = users
        self.logouts: list[dict] = []
        base = self.url
        configuration = {
            "issuer": base,
            "authorization_endpoint": base + "/authorize",
            "token_endpoint": base + "/token",
            "userinfo_endpoint": base + "/userinfo",
            "jwks_uri": base + "/jwks",
            "end_session_endpoint": base + "/logout",
            "scopes_supported": ["openid", "email", "profile"],
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "claims_supported": ["sub", "email", "name", "department"],
            "code_challenge_methods_supported": ["S256"],
        }
        self.clients = {
            self.CLIENT_ID: {
                "client_secret": self.CLIENT_SECRET,
                "redirect_uris": [],
                "response_types": ["code"],
                "token_endpoint_auth_method": "client_secret_basic",
            }
        }
        self.provider = Provider(
            RSAKey(key=RSA.generate(2048), alg="RS256", kid="op-key"),
            configuration,
            AuthorizationState(HashBasedSubjectIdentifierFactory("test-salt")),
            self.clients,
            Userinfo(users),
        )
        # pyop releases the scopes' standard claims; "department" comes with "profile" here.
        from oic.oic import message

        message.SCOPE2CLAIMS.setdefault("profile", [])
        if "department" not in message.SCOPE2CLAIMS["profile"]:
            message.SCOPE2CLAIMS["profile"] = [*message.SCOPE2CLAIMS["profile"], "department"]

    def allow_redirect(self, uri: str) -> None:
        uris = self.clients[self.CLIENT_ID]["redirect_uris"]
        if uri not in uris:
            uris.append(uri)

    def handle(self, method, path, query, body, headers):
        provider = self.provider
        json_type = [("Content-Type", "application/json")]
        if path == "/.well-known/openid-configuration":
            return "200 OK", json_type, provider.provider_configuration.to_json().encode()
        if path == "/jwks":
            return "200 OK", json_type, json.dumps(provider.jwks).encode()
        if path == "/authorize" and method == "GET":
            page = _form("/authorize", {"query": query}, "Test OpenID provider")
            return "200 OK", [("Content-Type", "text/html")], page
        if path == "/authorize" and method == "POST":
            form = {k: v[0] for k, v in parse_qs(body).items()}
            request = provider.parse_authentication_request(form["query"])
            if form.get("username") not in self.users:
                return "403 Forbidden", [("Content-Type", "text/plain")], b"unknown user"
            response = provider.authorize(request, form["username"])
            location = response.request(request["redirect_uri"], False)
            return "303 See Other", [("Location", location)], b""
        if path == "/token":
            response = provider.handle_token_request(body, headers)
            return "200 OK", json_type, response.to_json().encode()
        if path == "/userinfo":
            response = provider.handle_userinfo_request(body or query, headers)
            return "200 OK", json_type, response.to_json().encode()
        if path == "/logout":
            params = {k: v[0] for k, v in parse_qs(query).items()}
            self.logouts.append(params)
            target = params.get("post_logout_redirect_uri", "/")
            return "303 See Other", [("Location", target)], b""
        return "404 Not Found", [("Content-Type", "text/plain")], b"not found"


# ---------------------------------------------------------------- SAML 2.0


def self_signed(directory: Path, name: str) -> tuple[str, str]:
    """A key and a self-signed certificate as PEM files (what an IdP signs with)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    key_file, cert_file = directory / f"{name}.key", directory / f"{name}.crt"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return str(key_file), str(cert_file)


class SamlIdentityProvider(Peer):
    """pysaml2's IdP `Server`: HTTP-Redirect AuthnRequests in, signed HTTP-POST responses out."""

    def __init__(self, users: dict[str, dict[str, list[str]]]) -> None:
        super().__init__()
        self.users = users
        self.directory = Path(tempfile.mkdtemp(prefix="tillit-idp-"))
        self.key_file, self.cert_file = self_signed(self.directory, "idp")
        self.sp_metadata: list[str] = []
        self._build()

    def _config(self):
        from saml2 import BINDING_HTTP_REDIRECT
        from saml2.config import IdPConfig
        from saml2.saml import NAME_FORMAT_URI

        config = IdPConfig()
        config.load(
            {
                "entityid": self.url + "/metadata",
                "service": {
                    "idp": {
                        "name": "Test IdP",
                        "endpoints": {
                            "single_sign_on_service": [
                                (self.url + "/sso/redirect", BINDING_HTTP_REDIRECT)
                            ]
                        },
                        "policy": {
                            "default": {
                                "lifetime": {"minutes": 15},
                                "attribute_restrictions": None,
                                "name_form": NAME_FORMAT_URI,
                            }
                        },
                    }
                },
                "key_file": self.key_file,
                "cert_file": self.cert_file,
                "metadata": {"inline": self.sp_metadata} if self.sp_metadata else {},
                "xmlsec_binary": shutil.which("xmlsec1"),
            }
        )
        return config

    def _build(self) -> None:
        from saml2.server import Server

        self.server_ = Server(config=self._config())

    def trust_sp(self, metadata: str) -> None:
        """Load a service provider's metadata (as an IdP administrator would)."""
        if metadata not in self.sp_metadata:
            self.sp_metadata.append(metadata)
            self._build()

    def metadata(self) -> str:
        from saml2.metadata import create_metadata_string

        return create_metadata_string(None, self._config()).decode()

    def handle(self, method, path, query, body, headers):
        from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
        from saml2.saml import NAMEID_FORMAT_EMAILADDRESS, NameID

        PASSWORD_PROTECTED = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"

        if path == "/metadata":
            return "200 OK", [("Content-Type", "application/xml")], self.metadata().encode()
        if path == "/sso/redirect":
            params = {k: v[0] for k, v in parse_qs(query).items()}
            hidden = {
                "SAMLRequest": params["SAMLRequest"],
                "RelayState": params.get("RelayState", ""),
            }
            return (
                "200 OK",
                [("Content-Type", "text/html")],
                _form("/sso/login", hidden, "Test SAML IdP"),
            )
        if path == "/sso/login" and method == "POST":
            form = {k: v[0] for k, v in parse_qs(body).items()}
            identity = self.users.get(form.get("username", ""))
            if identity is None:
                return "403 Forbidden", [("Content-Type", "text/plain")], b"unknown user"
            request = self.server_.parse_authn_request(form["SAMLRequest"], BINDING_HTTP_REDIRECT)
            args = self.server_.response_args(request.message, [BINDING_HTTP_POST])
            email = identity["email"][0]
            response = self.server_.create_authn_response(
                {k: v for k, v in identity.items() if k != "email"},
                userid=email,
                name_id=NameID(format=NAMEID_FORMAT_EMAILADDRESS, text=email),
                sign_assertion=True,
                authn={"class_ref": PASSWORD_PROTECTED},
                **args,
            )
            self.last_response = str(response)
            http = self.server_.apply_binding(
                BINDING_HTTP_POST,
                str(response),
                destination=args["destination"],
                relay_state=form.get("RelayState", ""),
                response=True,
            )
            return (
                "200 OK",
                [("Content-Type", "text/html")],
                "".join(http["data"]).encode()
                if isinstance(http["data"], list)
                else http["data"].encode(),
            )
        return "404 Not Found", [("Content-Type", "text/plain")], b"not found"


def post_form(page: str) -> tuple[str, dict[str, str]]:
    """The action and fields of the (auto-submitting) form an IdP answers with."""
    import re

    action = html.unescape(re.search(r'action="([^"]+)"', page).group(1))
    fields = {
        html.unescape(name): html.unescape(value)
        for name, value in re.findall(r'name="([^"]+)" value="([^"]*)"', page)
    }
    return action, fields


__all__ = ["OpenIDProvider", "SamlIdentityProvider", "post_form", "urlencode"]
