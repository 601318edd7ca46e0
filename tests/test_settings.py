"""Settings from the environment: database choice, password hashing, CSP and production security.

Anything that depends on environment variables read at import time runs in a fresh process, so
the settings of this test process stay as they are.
"""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from tests.conftest import make_user

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import json
import os

import django
from django.conf import settings

django.setup()
names = [
    "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "LANGUAGE_COOKIE_SECURE", "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_SSL_REDIRECT", "DEBUG", "ALLOWED_HOSTS",
]
out = {name: getattr(settings, name) for name in names}
out["ENGINE"] = settings.DATABASES["default"]["ENGINE"]
out["DB_NAME"] = str(settings.DATABASES["default"]["NAME"])
out["DB_HOST"] = settings.DATABASES["default"].get("HOST", "")
if os.environ["PROBE_REQUEST"]:
    from django.test import Client

    # Switching the language renders no template, so no collected static files are needed.
    response = Client().post(
        "/language/",
        {"language": "da", "next": "/login/"},
        secure=bool(os.environ["PROBE_SECURE"]),
        headers={"host": "tillit.example.org"},
    )
    out["status"] = response.status_code
    out["headers"] = dict(response.headers)
    out["cookies"] = {name: c.OutputString() for name, c in response.cookies.items()}
print(json.dumps(out))
"""


def settings_in(tmp_path: Path, *, request: bool = False, secure: bool = True, **env: str) -> dict:
    """Settings (and optionally one POST /language/) in a fresh process with ENV."""
    # Only this test's settings: none of the developer's, and not the async override that the
    # browser tests set for this process (deployment checks rightly reject it).
    skip = ("TILLIT_", "DATABASE_", "DJANGO_ALLOW_ASYNC_UNSAFE")
    environ = {k: v for k, v in os.environ.items() if not k.startswith(skip)}
    environ.update(TILLIT_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="tillit.settings", **env)
    environ.update(PROBE_REQUEST="1" if request else "", PROBE_SECURE="1" if secure else "")
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def production(**env: str) -> dict[str, str]:
    return {
        "TILLIT_ENV": "production",
        "TILLIT_SECRET_KEY": secrets.token_urlsafe(50),
        "TILLIT_ALLOWED_HOSTS": "tillit.example.org",
        **env,
    }


def test_sqlite_is_the_default_database(tmp_path):
    found = settings_in(tmp_path)
    assert found["ENGINE"] == "django.db.backends.sqlite3"
    assert found["DB_NAME"] == str(tmp_path / "tillit.sqlite3")


def test_database_url_selects_postgresql(tmp_path):
    found = settings_in(tmp_path, DATABASE_URL="postgres://tillit:pw@db.example.org:5433/tillit")
    assert found["ENGINE"] == "django.db.backends.postgresql"
    assert (found["DB_NAME"], found["DB_HOST"]) == ("tillit", "db.example.org")


def test_database_url_can_name_sqlite(tmp_path):
    found = settings_in(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path}/other.db")
    assert found["ENGINE"] == "django.db.backends.sqlite3"
    assert found["DB_NAME"] == f"{tmp_path}/other.db"


def test_development_defaults_are_local_and_not_secure_only(tmp_path):
    found = settings_in(tmp_path)
    assert found["DEBUG"] is True
    assert found["ALLOWED_HOSTS"] == ["127.0.0.1", "localhost"]
    assert found["SESSION_COOKIE_SECURE"] is False
    assert found["SECURE_HSTS_SECONDS"] == 0


def test_production_turns_on_secure_cookies_hsts_and_https(tmp_path):
    found = settings_in(tmp_path, **production())
    assert found["DEBUG"] is False
    assert found["ALLOWED_HOSTS"] == ["tillit.example.org"]
    assert found["SESSION_COOKIE_SECURE"] is True
    assert found["CSRF_COOKIE_SECURE"] is True
    assert found["LANGUAGE_COOKIE_SECURE"] is True
    assert found["SECURE_HSTS_SECONDS"] >= 365 * 24 * 3600
    assert found["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert found["SECURE_SSL_REDIRECT"] is True


def test_production_response_carries_hsts_and_secure_cookie(tmp_path):
    found = settings_in(tmp_path, request=True, **production())
    assert found["status"] == 302
    headers = found["headers"]
    assert "max-age=31536000" in headers["Strict-Transport-Security"]
    assert "includeSubDomains" in headers["Strict-Transport-Security"]
    cookie = found["cookies"]["tillit_language"]
    assert cookie.startswith("tillit_language=da;")
    assert "Secure" in cookie


def test_production_redirects_plain_http_to_https(tmp_path):
    found = settings_in(tmp_path, request=True, secure=False, **production())
    assert found["status"] == 301
    assert found["headers"]["Location"] == "https://tillit.example.org/language/"


@pytest.mark.real_password_hashing
def test_argon2_is_the_first_hasher():
    assert settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


@pytest.mark.django_db
@pytest.mark.real_password_hashing
def test_passwords_are_stored_with_argon2():
    user = make_user("hash@testby.se")
    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password("correct-horse-battery-9")


@pytest.mark.django_db
def test_csp_header_allows_only_own_scripts(client):
    response = client.get("/login/")
    assert response.status_code == 200
    policy = response.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    # The page keeps to it: no inline script or style attribute that the browser would block.
    html = response.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert " style=" not in html
