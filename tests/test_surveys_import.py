"""`tillit import-responses`: a closed campaign from raw answers, all or nothing."""

import datetime as dt
import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from tillit.instruments.shipped import install_shipped
from tillit.surveys.models import Answer, Campaign, Response

pytestmark = pytest.mark.django_db

GOOD_CSV = """unit_id;age;tenure;mot1;mot2;mot3;led1;led2;led3;sty1;sty2;sty3
HEM;30-39;2-5;4;5;3;4;4;5;3;3;4
HEM;;;5;5;5;5;5;5;5;5;5
BUF;60-;>10;2;;3;3;2;;2;3;1
"""


@pytest.fixture
def shipped(db):
    install_shipped()


def run(tmp_path, content, name="svar.csv", **options):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "import_responses",
        str(path),
        org="testby",
        instrument="hme",
        name="HME 2025",
        stdout=out,
        stderr=err,
        **options,
    )
    return out.getvalue()


def test_good_csv_makes_a_closed_campaign(tmp_path, org, units, shipped):
    output = run(tmp_path, GOOD_CSV, closed_on=dt.date(2025, 11, 30))
    assert "3" in output
    campaign = Campaign.objects.get(name="HME 2025")
    assert campaign.status == "closed" and campaign.imported
    assert campaign.closes_on == dt.date(2025, 11, 30)
    assert campaign.versions()[0].instrument.slug == "hme"
    responses = Response.objects.filter(campaign=campaign)
    assert responses.count() == 3
    assert {r.submitted_on for r in responses} == {dt.date(2025, 11, 30)}
    assert sorted(r.unit.external_id for r in responses) == ["BUF", "HEM", "HEM"]
    buf = responses.get(unit=units["BUF"])
    assert buf.background == {"age": "60-", "tenure": ">10"}
    assert Answer.objects.filter(response=buf).count() == 7  # two blanks: not answered
    assert Answer.objects.filter(campaign=campaign, item_id="mot1", value=5).count() == 1


def test_xlsx_is_read_too(tmp_path, org, units, shipped):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["unit_id", "mot1", "led1"])
    sheet.append(["SOC", 4, 3])
    sheet.append(["HEM", 1, None])
    data = io.BytesIO()
    book.save(data)
    run(tmp_path, data.getvalue(), name="svar.xlsx")
    assert Response.objects.count() == 2
    assert sorted(Answer.objects.values_list("value", flat=True)) == [1.0, 3.0, 4.0]


@pytest.mark.parametrize(
    ("csv", "where"),
    [
        ("unit_id;mot1\nHEM;4\nHEM;7\n", "row 3, column mot1"),
        ("unit_id;mot1\nHEM;4\nNOPE;3\n", "row 3, column unit_id"),
        ("unit_id;mot1;bogus\nHEM;4;1\n", "row 1, column bogus"),
        ("unit_id;age;mot1\nHEM;31;4\n", "row 2, column age"),
        ("mot1\n4\n", "column unit_id"),
        ("unit_id;mot1\nHEM;fyra\n", "row 2, column mot1"),
    ],
)
def test_a_bad_row_names_row_and_column_and_imports_nothing(
    tmp_path, org, units, shipped, csv, where, capsys
):
    path = tmp_path / "bad.csv"
    path.write_text(csv, encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command(
            "import_responses", str(path), org="testby", instrument="hme", name="X", stderr=err
        )
    assert where in err.getvalue()
    assert not Campaign.objects.exists() and not Response.objects.exists()


def test_unknown_instrument_or_org(tmp_path, org, shipped):
    path = tmp_path / "x.csv"
    path.write_text(GOOD_CSV, encoding="utf-8")
    with pytest.raises(CommandError, match="instrument"):
        call_command("import_responses", str(path), org="testby", instrument="nope", name="X")
    with pytest.raises(CommandError, match="organisation"):
        call_command("import_responses", str(path), org="nope", instrument="hme", name="X")
