"""Every string in Swedish, Danish, Norwegian bokmål and English; Swedish is the default."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = sorted(ROOT.glob("tillit/*/locale/*/LC_MESSAGES/django.po"))
# Every app has strings for its users, so every app has its own four catalogues.
APPS_WITH_CATALOGUES = sorted(p.parent for p in ROOT.glob("tillit/*/apps.py"))
LANGS = [code for code, _ in settings.LANGUAGES]


def msgids(po: Path) -> set[str]:
    """The message ids of a catalogue (plural forms by their singular id)."""
    text = po.read_text(encoding="utf-8")
    ids = set()
    for block in text.split("\n\n"):
        if "#~" in block:
            continue  # obsolete entries
        m = re.search(r'^msgid ((?:".*"\n?)+)', block, re.M)
        if m:
            ids.add("".join(re.findall(r'"(.*)"', m.group(1))))
    ids.discard("")
    return ids


def test_every_app_with_strings_has_all_four_catalogues():
    assert APPS_WITH_CATALOGUES, "no catalogues found"
    for app in APPS_WITH_CATALOGUES:
        for lang in LANGS:
            assert (app / "locale" / lang / "LC_MESSAGES" / "django.po").exists(), (app, lang)


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_catalogue_is_complete(po):
    """No untranslated or fuzzy entries, and msgfmt accepts the file."""
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(po)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr, result.stderr
    assert "fuzzy" not in result.stderr, result.stderr
    # A fuzzy header is left out of the compiled file, and with it the UTF-8 charset.
    assert not re.search(r'#, fuzzy\nmsgid ""\nmsgstr ""', po.read_text(encoding="utf-8"))


@pytest.mark.parametrize("app", APPS_WITH_CATALOGUES, ids=lambda p: p.name)
def test_catalogue_holds_every_marked_string(app, tmp_path):
    """makemessages on a copy finds no string the committed Swedish catalogue lacks."""
    copy = tmp_path / app.name
    shutil.copytree(app, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    subprocess.run(
        [
            str(ROOT / ".venv" / "bin" / "django-admin"),
            "makemessages",
            "-l",
            "sv",
            "--no-obsolete",
            "--no-location",
        ],
        cwd=copy,
        env={
            "DJANGO_SETTINGS_MODULE": "tillit.settings",
            "PYTHONPATH": str(ROOT),
            "PATH": "/usr/bin:/bin",
        },
        check=True,
        capture_output=True,
    )
    fresh = msgids(copy / "locale" / "sv" / "LC_MESSAGES" / "django.po")
    committed = msgids(app / "locale" / "sv" / "LC_MESSAGES" / "django.po")
    missing = fresh - committed
    assert not missing, f"{app.name}: run makemessages and translate: {sorted(missing)[:10]}"


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("sv", "Logga in"), ("da", "Log ind"), ("nb", "Logg inn"), ("en", "Log in")],
)
def test_login_page_speaks_each_language(client, db, lang, expected):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    html = client.get(reverse("login")).content.decode()
    assert f'<html lang="{lang}">' in html
    assert f"<h1>{expected}</h1>" in html


def test_swedish_is_the_default(client, db):
    client.cookies.clear()
    html = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="").content.decode()
    assert '<html lang="sv">' in html
    assert "<h1>Logga in</h1>" in html


@pytest.mark.parametrize("lang", ["sv", "da", "nb"])
def test_core_strings_are_translated(lang):
    with translation.override(lang):
        for english in ["Log in", "Log out", "Language", "Units", "People", "Overview"]:
            assert translation.gettext(english) != english, (lang, english)


def test_language_choice_is_kept_on_the_account(client, admin_user, org):
    client.force_login(admin_user)
    response = client.post(reverse("set_language"), {"language": "da", "next": "/o/testby/"})
    assert response.status_code == 302
    assert response["Location"] == "/o/testby/"
    admin_user.refresh_from_db()
    assert admin_user.language == "da"
    # A new device without the cookie still gets Danish after login.
    client.logout()
    client.cookies.clear()
    client.post(reverse("login"), {"username": admin_user.email, "password": PASSWORD})
    html = client.get("/o/testby/").content.decode()
    assert '<html lang="da">' in html


def test_unknown_language_and_foreign_redirect_are_ignored(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("set_language"), {"language": "xx", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"
    admin_user.refresh_from_db()
    assert admin_user.language == ""
