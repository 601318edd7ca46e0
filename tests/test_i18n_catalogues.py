"""The apps' catalogues agree wherever they translate the same message.

Django merges the catalogues of all installed apps into one per language, and for a message
(msgid with its context) that several apps translate, one app's translation is used on every
page. Where two usages mean different things ("Change" as a button and as the difference since
last time), they must carry a translation context; where they mean the same, the wording must be
the same in every app.
"""

import gettext
import subprocess
from collections import defaultdict
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
LANGS = [code for code, _name in settings.LANGUAGES]


@pytest.fixture(scope="module")
def catalogues(tmp_path_factory) -> dict[str, dict[str, dict]]:
    """Every app's catalogue per language as Django reads it, compiled by msgfmt (so without
    fuzzy entries): {lang: {app: {key: msgstr}}}, the key being the msgid or "context\\x04msgid",
    for plurals (msgid, index).
    """
    out = tmp_path_factory.mktemp("mo")
    jobs = []
    for i, po in enumerate(sorted(ROOT.glob("tillit/*/locale/*/LC_MESSAGES/django.po"))):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            jobs.append((po, mo, None))  # `make messages` compiled this version
        else:  # compile a copy, all at once: each msgfmt is mostly process start-up
            mo = out / f"{i}.mo"
            jobs.append((po, mo, subprocess.Popen(["msgfmt", "-o", str(mo), str(po)])))
    result: dict[str, dict[str, dict]] = defaultdict(dict)
    for po, mo, job in jobs:
        assert job is None or job.wait() == 0, f"msgfmt rejects {po}"
        with mo.open("rb") as f:
            catalogue = gettext.GNUTranslations(f)._catalog
        catalogue.pop("", None)  # the header
        result[po.parents[1].name][po.parents[3].name] = catalogue
    return result


def describe(key: str | tuple[str, int]) -> str:
    """A catalogue key as a reader would name it."""
    msgid, form = (key, None) if isinstance(key, str) else key
    context, _sep, msgid = msgid.rpartition("\x04")
    text = repr(msgid)
    if context:
        text += f" (context {context!r})"
    if form is not None:
        text += f" (plural form {form})"
    return text


@pytest.mark.parametrize("lang", LANGS)
def test_apps_translate_a_shared_message_alike(lang, catalogues):
    by_app = catalogues[lang]
    assert len(by_app) > 1, f"{lang}: fewer than two app catalogues found"
    translations: dict[object, dict[str, str]] = defaultdict(dict)
    for app, catalogue in by_app.items():
        for key, text in catalogue.items():
            if text:
                translations[key][app] = text
    clashes = [
        f"{lang} {describe(key)}: "
        + ", ".join(f"{app} {text!r}" for app, text in sorted(apps.items()))
        for key, apps in translations.items()
        if len(set(apps.values())) > 1
    ]
    assert not clashes, (
        "Apps translate the same message differently, and the merged catalogue shows one of "
        "them everywhere. Add a translation context where the meanings differ, else use one "
        "wording:\n" + "\n".join(sorted(clashes))
    )
