"""Import limits: too many rows or cells, and zip bombs, are refused with a row-and-column
message before they cost memory; the peak memory of hostile files is measured in a fresh
process (docs/performance.md has the figures)."""

import io
import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import Workbook

from tillit.org.import_jobs import run_import
from tillit.org.models import ImportJob, Person, Unit
from tillit.org.tables import read_table

ROOT = Path(__file__).resolve().parent.parent
MEMORY_BOUND_MB = 500


def measure(mode: str, size: int) -> dict:
    """Run one import in a fresh process (tests/import_memory.py), its address space capped
    so a regression fails here instead of swamping the machine."""

    def cap() -> None:
        limit = 3 * 1024**3
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tillit.settings", "PYTHONPATH": str(ROOT)}
    env.pop("DATABASE_URL", None)  # these modes touch no database
    done = subprocess.run(
        [sys.executable, "-m", "tests.import_memory", mode, str(size)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=cap,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def csv_of(rows: int) -> bytes:
    lines = ["unit_id,parent_id,name", "K,,Kommun"] + [f"U{n},K,Enhet {n}" for n in range(rows)]
    return "\n".join(lines).encode()


@pytest.mark.django_db
def test_a_file_over_the_row_limit_is_refused_and_changes_nothing(org, settings):
    settings.IMPORT_MAX_ROWS = 10
    before = list(Unit.objects.values_list("pk", "name", "path"))
    result = run_import(org, ImportJob.Kind.UNITS, csv_of(10))
    assert not result.ok
    assert result.errors[0].row == 12  # the header is row 1: row 12 is the eleventh data row
    assert "more than 10 rows" in result.errors[0].message
    assert list(Unit.objects.values_list("pk", "name", "path")) == before
    assert run_import(org, ImportJob.Kind.UNITS, csv_of(9)).ok


def test_the_row_limit_holds_for_workbooks_too(settings):
    settings.IMPORT_MAX_ROWS = 5
    workbook = Workbook()
    workbook.active.append(["email", "unit_id", "name"])
    for n in range(6):
        workbook.active.append([f"p{n}@x.se", "K", f"P {n}"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(Exception, match="more than 5 rows") as refused:
        read_table(buffer.getvalue(), "people.xlsx")
    assert refused.value.errors[0].row == 7


def test_a_file_over_the_cell_budget_is_refused(settings):
    settings.IMPORT_MAX_CELLS = 30
    wide = "email,unit_id,name," + ",".join(f"x{n}" for n in range(7)) + "\n"
    wide += ("a@b.se,K,A," + ",".join("1" * 7) + "\n") * 4
    with pytest.raises(Exception, match="more than 30 cells") as refused:
        read_table(wide.encode())
    assert refused.value.errors[0].row == 5


@pytest.mark.django_db
def test_errors_are_listed_up_to_a_limit_then_counted(org):
    lines = ["email,unit_id,name"] + [f"not-an-address-{n},K,P" for n in range(1_500)]
    result = run_import(org, ImportJob.Kind.PEOPLE, "\n".join(lines).encode())
    assert len(result.errors) == 1_001
    assert "500 more errors" in result.errors[-1].message
    assert not Person.objects.exists()


def test_a_zip_bomb_is_refused_before_it_is_unpacked():
    """A workbook of ~8 MB whose sheet unpacks to 2.8 GB of XML (the issue's bomb)."""
    result = measure("bomb", 2_800_000_000)
    assert result["errors"] == 1
    assert "unpacks to 2799 MB" in result["first"] and "row 1" in result["first"]
    assert result["peak_mb"] < MEMORY_BOUND_MB, result
    assert result["seconds"] < 5, result


def test_a_csv_of_millions_of_rows_is_refused_in_bounded_memory():
    """4.7 million rows in 52 MB (the issue's file had 4.8 million): refused at the limit."""
    result = measure("rows", 4_700_000)
    assert result["errors"] == 1
    assert "row 250002" in result["first"] and "more than 250000 rows" in result["first"]
    assert result["peak_mb"] < MEMORY_BOUND_MB, result
    assert result["seconds"] < 15, result


def test_the_widest_file_within_the_limits_stays_under_the_bound():
    """Every cell a distinct text, as many as the cell budget allows, each row wrong twice."""
    result = measure("wide", 2_990_000)
    assert result["errors"] == 1_001
    assert result["peak_mb"] < MEMORY_BOUND_MB, result
