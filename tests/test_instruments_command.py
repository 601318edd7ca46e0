"""`tillit import-instrument` and `tillit install-instruments`: output, exit status, atomicity."""

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from tests.test_instruments_xlsform import workbook
from tillit.instruments.models import Instrument, InstrumentVersion
from tillit.instruments.shipped import DATA_DIR


@pytest.fixture(autouse=True)
def _english():
    # Messages are asserted in English; the default language (Swedish) is tested on its own.
    with translation.override("en"):
        yield


ROOT = Path(__file__).parent.parent
SMALL = Path(__file__).parent / "data" / "instruments" / "small.yaml"


def run(*args) -> tuple[str, str]:
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_import_prints_installed_then_unchanged_then_new_version(tmp_path):
    assert run("import_instrument", str(DATA_DIR / "hme.yaml"))[0] == "installed hme version 1\n"
    assert run("import_instrument", str(DATA_DIR / "hme.yaml"))[0] == "unchanged: hme version 1\n"
    raw = yaml.safe_load((DATA_DIR / "hme.yaml").read_text(encoding="utf-8"))
    raw["title"]["en"] = "HME"
    changed = tmp_path / "hme.yaml"
    changed.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    assert run("import_instrument", str(changed))[0] == "installed hme version 2\n"
    assert list(InstrumentVersion.objects.values_list("number", flat=True)) == [1, 2]


@pytest.mark.django_db
def test_import_for_an_organisation(org, tmp_path):
    path = tmp_path / "form.xlsx"
    path.write_bytes(workbook())
    assert run("import_instrument", str(path), "--org", org.slug)[0] == (
        "installed arbetsmiljo version 1\n"
    )
    assert Instrument.objects.get().organisation == org
    with pytest.raises(CommandError, match="no organisation with the short name 'nope'"):
        run("import_instrument", str(path), "--org", "nope")


@pytest.mark.django_db
def test_a_bad_file_prints_every_error_and_installs_nothing(tmp_path):
    raw = yaml.safe_load(SMALL.read_text(encoding="utf-8"))
    raw["sections"][0]["items"][1]["scale"] = "agree7"
    del raw["sections"][1]["items"][0]["text"]["en"]
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CommandError) as info:
        run("import_instrument", str(bad))
    assert info.value.returncode == 1
    assert str(info.value) == "2 error(s) in bad.yaml; nothing was installed"
    assert InstrumentVersion.objects.count() == 0 and Instrument.objects.count() == 0


def test_the_real_command_exits_1_and_prints_paths(tmp_path):
    bad = tmp_path / "bad.yaml"
    text = SMALL.read_text(encoding="utf-8")
    bad.write_text(
        text.replace(
            "scale: agree5\n        text: {sv: Jag lär", "scale: agree7\n        text: {sv: Jag lär"
        ),
        encoding="utf-8",
    )
    environment = {
        "PATH": "/usr/bin:/bin",
        "TILLIT_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
    }
    other = tmp_path / "notes.txt"
    other.write_text("hello", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "tillit", "import-instrument", str(bad)],
        capture_output=True,
        text=True,
        check=False,
        env=environment,
        cwd=ROOT,
    )
    assert result.returncode == 1, result.stderr
    assert "bad.yaml: sections[0].items[1].scale: unknown scale 'agree7'" in result.stderr
    assert result.stdout == ""
    result = subprocess.run(
        [sys.executable, "-m", "tillit", "import-instrument", str(other)],
        capture_output=True,
        text=True,
        check=False,
        env=environment,
        cwd=ROOT,
    )
    assert result.returncode == 1
    assert "unknown file type '.txt' (use .yaml, .yml or .xlsx)" in result.stderr


@pytest.mark.django_db
def test_install_instruments_is_idempotent():
    assert run("install_instruments")[0] == (
        "installed hme version 1\ninstalled tillitsindex version 1\n"
        "installed goda-exempel version 1\n"
    )
    assert run("install_instruments")[0] == (
        "unchanged: hme version 1\nunchanged: tillitsindex version 1\n"
        "unchanged: goda-exempel version 1\n"
    )
