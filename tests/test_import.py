"""Importing units and people: reading files, every kind of error, re-imports and roles."""

import datetime as dt
import io
from pathlib import Path

import pytest
from django.utils import translation
from openpyxl import Workbook

from tillit.org.import_jobs import run_import
from tillit.org.models import Organisation, Person, RoleGrant, Unit, UnitChange
from tillit.org.tables import read_table

DATA = Path(__file__).parent / "data" / "import"


@pytest.fixture(autouse=True)
def _english():
    # Messages are asserted in English; the Swedish test below switches back.
    with translation.override("en"):
        yield


UNITS = "unit_id,parent_id,name\nK,,Testby kommun\nSOC,K,Socialförvaltningen\n"


def snapshot(org) -> tuple:
    """Everything an import may change, to prove a failed one changed nothing."""
    return (
        sorted(
            Unit.objects.filter(organisation=org).values_list(
                "external_id", "name", "parent_id", "path", "closed_at", "manager_email"
            )
        ),
        UnitChange.objects.filter(unit__organisation=org).count(),
        sorted(Person.objects.filter(organisation=org).values_list("email", "unit_id", "active")),
        sorted(RoleGrant.objects.filter(organisation=org).values_list("email", "role")),
    )


def units_import(org, text: str | bytes, filename: str = "units.csv"):
    content = text.encode() if isinstance(text, str) else text
    return run_import(org, "units", content, filename)


def people_import(org, text: str | bytes, filename: str = "people.csv"):
    content = text.encode() if isinstance(text, str) else text
    return run_import(org, "people", content, filename)


def tree(org) -> dict[str, tuple[str, str | None, bool]]:
    """external id -> (name, parent's external id, closed)."""
    return {
        u.external_id: (u.name, u.parent.external_id if u.parent else None, u.is_closed)
        for u in Unit.objects.filter(organisation=org).select_related("parent")
    }


def xlsx(rows: list[list]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def only_error(result):
    assert not result.ok
    assert len(result.errors) == 1, result.errors
    return result.errors[0]


# ---------------------------------------------------------------- good files


@pytest.mark.django_db
def test_comma_utf8_units_file_builds_the_tree():
    org = Organisation.objects.create(slug="ny", name="Ny kommun")
    result = units_import(org, (DATA / "units.csv").read_bytes())
    assert result.ok, result.errors
    assert result.summary["created"] == 5
    assert tree(org)["HEM"] == ("Hemtjänst Norr", "SOC", False)
    hem = Unit.objects.get(organisation=org, external_id="HEM")
    soc = Unit.objects.get(organisation=org, external_id="SOC")
    assert hem.is_within(soc) and hem.depth == 2
    assert hem.manager_email == "chef.hem@testby.se" and hem.unit_type == "enhet"
    assert hem.cost_centre == "210"
    assert UnitChange.objects.filter(unit=hem, kind="created", source="import").exists()


@pytest.mark.django_db
def test_semicolon_cp1252_file_with_nordic_letters():
    org = Organisation.objects.create(slug="ny", name="Ny kommun")
    result = units_import(org, (DATA / "units_nordic_cp1252.csv").read_bytes())
    assert result.ok, result.errors
    names = {u.name for u in Unit.objects.filter(organisation=org)}
    assert {"Hemtjänst Åsa", "Børne- og ungeforvaltningen", "Øst skole ærø"} <= names
    assert Unit.objects.get(organisation=org, external_id="OST").unit_type == "avdelning"


@pytest.mark.django_db
def test_utf8_bom_and_tab_delimiter():
    org = Organisation.objects.create(slug="ny", name="Ny kommun")
    text = "unit_id\tparent_id\tname\r\nK\t\tÖrby kommun\r\nA\tK\tÄldreomsorg\r\n"
    result = units_import(org, "\ufeff".encode() + text.encode())
    assert result.ok, result.errors
    assert tree(org) == {"K": ("Örby kommun", None, False), "A": ("Äldreomsorg", "K", False)}


@pytest.mark.django_db
def test_xlsx_with_numbers_dates_and_declared_empty_rows(org, units):
    content = xlsx(
        [
            [" Email ", "UNIT_ID", "Name", "Start_date", "birth_year"],
            ["Eva@Testby.se", "HEM", "Eva Ek", dt.datetime(2020, 5, 17), 1988],  # noqa: DTZ001
            [None, None, None, None, None],
            ["fia@testby.se", "BUF", "Fia Fors", "31.12.2019", 1990.0],
        ]
    )
    result = people_import(org, content, "people.xlsx")
    assert result.ok, result.errors
    eva = Person.objects.get(organisation=org, email="eva@testby.se")
    assert (eva.start_date, eva.birth_year, eva.unit.external_id) == (
        dt.date(2020, 5, 17),
        1988,
        "HEM",
    )
    assert Person.objects.get(email="fia@testby.se").start_date == dt.date(2019, 12, 31)


def test_xlsx_stops_at_trailing_empty_rows_and_numbers_rows_as_excel():
    book = Workbook()
    sheet = book.active
    sheet.append(["unit_id", "parent_id", "name"])
    sheet.append([1001, None, "Kommun"])
    sheet.append([None, None, None])
    sheet.append([1002, 1001, "Förvaltning"])
    for row in range(5, 3000):  # styled but empty: Excel keeps them in the file
        sheet.cell(row=row, column=1).number_format = "0"
        sheet.cell(row=row, column=1).value = None
    sheet.cell(row=2999, column=2).value = ""
    out = io.BytesIO()
    book.save(out)
    table = read_table(out.getvalue(), "units.xlsx")
    assert table.columns == ["unit_id", "parent_id", "name"]
    assert [(n, [str(c) if c is not None else "" for c in cells]) for n, cells in table.rows] == [
        (2, ["1001", "", "Kommun"]),
        (4, ["1002", "1001", "Förvaltning"]),
    ]


# ---------------------------------------------------------------- bad files


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "row", "column", "words"),
    [
        ("unit_id,name\nK,Kommun\n", 1, "parent_id", ["parent_id"]),
        ("unit_id,parent_id,name\nK,,Kommun\nA,X,Avdelning\n", 3, "parent_id", ["X"]),
        ("unit_id,parent_id,name\nK,,Kommun\nA,K,Avd\nA,K,Avd 2\n", 4, "unit_id", ["A", "3"]),
        (
            "unit_id,parent_id,name\nK,,Kommun\nA,C,Avd A\nB,A,Avd B\nC,B,Avd C\n",
            3,
            "parent_id",
            ["A → C → B → A"],
        ),
        ("unit_id,parent_id,name\nK,,Kommun\nA,A,Avd\n", 3, "parent_id", ["A → A"]),
        ("unit_id,parent_id,name\nK,,Kommun\nK2,,Kommun två\n", 3, "parent_id", ["K2", "K"]),
        ("unit_id,parent_id,name\nK,,Kommun\nA,K,\n", 3, "name", ["name"]),
        (
            "unit_id,parent_id,name,manager_email\nK,,Kommun,chef(at)x.se\n",
            2,
            "manager_email",
            ["chef(at)x.se"],
        ),
        ("unit_id|parent_id|name\nK||Kommun\n", 1, "unit_id", ["unit_id"]),
    ],
    ids=[
        "missing-column",
        "missing-parent",
        "duplicate-id",
        "cycle",
        "own-parent",
        "two-roots",
        "empty-name",
        "bad-manager-email",
        "wrong-delimiter",
    ],
)
def test_bad_units_file_names_row_and_column_and_changes_nothing(org, content, row, column, words):
    before = snapshot(org)
    result = units_import(org, content)
    assert not result.ok
    matching = [e for e in result.errors if e.row == row and e.column == column]
    assert matching, result.errors
    for word in words:
        assert word in matching[0].message
    assert snapshot(org) == before


@pytest.mark.django_db
def test_every_error_is_listed_not_just_the_first(org):
    content = "unit_id,parent_id,name\nK,,Kommun\nA,X,Avd\nB,Y,Avd\nA,K,Avd\n"
    result = units_import(org, content)
    assert [(e.row, e.column) for e in result.errors] == [
        (3, "parent_id"),
        (4, "parent_id"),
        (5, "unit_id"),
    ]
    assert "row 3, column parent_id:" in str(result.errors[0])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("line", "column", "words"),
    [
        ("eva@testby.se,NOPE,Eva", "unit_id", ["NOPE"]),
        ("eva(at)testby.se,HEM,Eva", "email", ["eva(at)testby.se"]),
        ("eva@testby.se,HEM,Eva,chef", "role", ["chef", "medarbetare", "skyddsombud"]),
        ("eva@testby.se,HEM,Eva,,fi", "language", ["fi"]),
        ("eva@testby.se,HEM,Eva,,,1850", "birth_year", ["1850"]),
        ("eva@testby.se,HEM,Eva,,,,2021-02-30", "start_date", ["2021-02-30"]),
        ("eva@testby.se,HEM,Eva,,,,next monday", "start_date", ["next monday"]),
        ("eva@testby.se,HEM,", "name", ["name"]),
        ("eva@testby.se,HEM,Eva\nEVA@testby.se,BUF,Eva B", "email", ["eva@testby.se", "row 3"]),
    ],
    ids=[
        "unknown-unit",
        "bad-email",
        "bad-role",
        "bad-language",
        "bad-year",
        "bad-date",
        "not-a-date",
        "empty-name",
        "duplicate-email",
    ],
)
def test_bad_people_file_names_row_and_column_and_changes_nothing(
    org, employee_user, line, column, words
):
    header = "email,unit_id,name,role,language,birth_year,start_date\n"
    before = snapshot(org)
    content = header + "ok@testby.se,HEM,Ok Person\n" + line + "\n"
    result = people_import(org, content)
    error = only_error(result)
    assert error.column == column
    assert error.row == 3 + line.count("\n")
    for word in words:
        assert word in error.message
    assert snapshot(org) == before


@pytest.mark.django_db
def test_person_in_a_closed_unit_is_an_error(org, units):
    Unit.objects.filter(pk=units["BUF"].pk).update(closed_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    error = only_error(people_import(org, "email,unit_id,name\neva@testby.se,BUF,Eva\n"))
    assert (error.row, error.column) == (2, "unit_id")
    assert not Person.objects.filter(email="eva@testby.se").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "content",
    [
        bytes(range(256)) * 20,
        "unit_id,parent_id,name\nK,,Kommun\n".encode("utf-16-le"),
        b"%PDF-1.4\n\x00\x01\x02binary",
        b"PK\x03\x04 not really a zip",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 old xls",
    ],
    ids=["binary", "utf16-without-bom", "pdf", "broken-xlsx", "old-xls"],
)
def test_binary_or_unreadable_file_gives_a_clear_error(org, content):
    before = snapshot(org)
    error = only_error(units_import(org, content))
    assert error.row >= 1
    assert error.column == ""
    assert ".xlsx" in error.message
    assert snapshot(org) == before


@pytest.mark.django_db
def test_utf16_with_bom_is_read(org):
    content = "\ufeffunit_id\tparent_id\tname\r\nK\t\tKommun Å\r\n".encode("utf-16")
    assert units_import(org, content).ok


# ---------------------------------------------------------------- re-imports


@pytest.mark.django_db
def test_reimport_renames_moves_adds_closes_and_reopens(org, units):
    hem, soc = units["HEM"], units["SOC"]
    Person.objects.create(organisation=org, email="p@testby.se", name="P", unit=hem)
    first = units_import(
        org,
        "unit_id,parent_id,name,manager_email\n"
        "K,,Testby kommun,\n"
        "SOC,BUF,Socialtjänsten,chef.soc@testby.se\n"  # renamed and moved below BUF
        "HEM,SOC,Hemtjänst Norr,chef.hem@testby.se\n"
        "BUF,K,Barn- och utbildning,\n"
        "NY,K,Nya enheten,\n",  # new
    )
    assert first.ok, first.errors
    s = first.summary
    assert (s["created"], s["moved"], s["renamed"], s["closed"]) == (1, 1, 1, 0)
    assert (s["updated"], s["unchanged"]) == (1, 3)
    soc.refresh_from_db()
    hem.refresh_from_db()
    assert soc.name == "Socialtjänsten"
    # The subtree moved along: HEM's path runs through BUF now.
    assert hem.path == f"{units['K'].path}{units['BUF'].pk}/{soc.pk}/{hem.pk}/"
    assert hem.depth == 3
    assert {c.kind for c in soc.changes.filter(source="import")} == {"renamed", "moved"}

    second = units_import(
        org, "unit_id,parent_id,name\nK,,Testby kommun\nBUF,K,Barn- och utbildning\nNY,K,Ny\n"
    )
    assert second.ok, second.errors
    assert second.summary["closed"] == 2
    assert second.summary["people_in_closed_units"] == 1
    hem.refresh_from_db()
    assert hem.closed_at is not None  # still there, for old results
    assert hem.changes.filter(kind="closed", source="import").exists()
    assert Person.objects.get(email="p@testby.se").unit == hem

    third = units_import(
        org,
        "unit_id,parent_id,name\nK,,Testby kommun\nBUF,K,Barn- och utbildning\nNY,K,Ny\n"
        "SOC,K,Socialtjänsten\n",
    )
    assert third.ok, third.errors
    assert third.summary["reopened"] == 1
    soc.refresh_from_db()
    assert soc.closed_at is None and soc.parent_id == units["K"].pk
    assert soc.changes.filter(kind="reopened", source="import").exists()
    assert tree(org)["HEM"][2] is True  # still closed: it was not in the file


@pytest.mark.django_db
def test_reimport_can_swap_parent_and_child(org, units):
    result = units_import(
        org,
        "unit_id,parent_id,name\nK,,Testby kommun\nHEM,K,Hemtjänst Norr\n"
        "SOC,HEM,Socialförvaltningen\nBUF,K,Barn- och utbildning\n",
    )
    assert result.ok, result.errors
    soc = Unit.objects.get(pk=units["SOC"].pk)
    hem = Unit.objects.get(pk=units["HEM"].pk)
    assert soc.is_within(hem) and not hem.is_within(soc)
    assert soc.path == f"{units['K'].path}{hem.pk}/{soc.pk}/"


@pytest.mark.django_db
def test_same_file_twice_changes_nothing_the_second_time():
    org = Organisation.objects.create(slug="ny", name="Ny")
    content = (DATA / "units.csv").read_bytes()
    assert units_import(org, content).ok
    n_changes = UnitChange.objects.count()
    again = units_import(org, content)
    assert again.summary["unchanged"] == 5 and again.summary["updated"] == 0
    assert UnitChange.objects.count() == n_changes


@pytest.mark.django_db
def test_people_import_creates_updates_deactivates_and_reactivates(org, units, employee_user):
    gone = Person.objects.create(
        organisation=org, email="gone@testby.se", name="Gone", unit=units["BUF"]
    )
    result = people_import(org, (DATA / "people.csv").read_bytes())
    assert result.ok, result.errors
    s = result.summary
    assert (s["created"], s["updated"], s["deactivated"]) == (3, 1, 1)
    anna = Person.objects.get(organisation=org, email="anna@testby.se")
    assert (anna.language, anna.birth_year, anna.start_date, anna.gender) == (
        "sv",
        1980,
        dt.date(2015, 8, 1),
        "K",
    )
    bo = Person.objects.get(email="bo@testby.se")
    assert bo.start_date == dt.date(2019, 2, 1) and bo.unit == units["HEM"]
    gone.refresh_from_db()
    assert gone.active is False and gone.left_at is not None

    back = people_import(org, "email,unit_id,name\ngone@testby.se,HEM,Gone Again\n")
    assert back.ok
    assert back.summary["reactivated"] == 1 and back.summary["deactivated"] == 4
    gone.refresh_from_db()
    assert gone.active and gone.left_at is None and gone.unit == units["HEM"]


@pytest.mark.django_db
def test_people_roles_become_grants_and_are_taken_back_when_gone(org, units, admin_user):
    from tillit.org.models import ImportJob

    result = people_import(org, (DATA / "people.csv").read_bytes())
    assert result.ok, result.errors
    grants = set(
        RoleGrant.objects.filter(organisation=org).values_list("email", "role", "unit__external_id")
    )
    assert grants == {
        ("admin@testby.se", "admin", None),  # given by hand: kept
        ("cia@testby.se", "med", "BUF"),
        ("dan@testby.se", "admin", None),
    }
    # The commands and the task record each import; the grants it made are in the summary.
    ImportJob.objects.create(organisation=org, kind="people", status="done", summary=result.summary)
    content = (DATA / "people.csv").read_text().replace("skyddsombud", "employee")
    second = people_import(org, content)
    assert second.ok and second.summary["grants_removed"] == 1
    assert not RoleGrant.objects.filter(email="cia@testby.se").exists()
    assert RoleGrant.objects.filter(email="admin@testby.se", role="admin").exists()


@pytest.mark.django_db
def test_a_file_may_not_take_away_every_admin(org, units):
    from tillit.org.models import ImportJob

    first = people_import(org, "email,unit_id,name,role\ndan@testby.se,BUF,Dan,admin\n")
    ImportJob.objects.create(organisation=org, kind="people", status="done", summary=first.summary)
    before = snapshot(org)
    error = only_error(people_import(org, "email,unit_id,name,role\ndan@testby.se,BUF,Dan,\n"))
    assert (error.row, error.column) == (1, "role")
    assert snapshot(org) == before


@pytest.mark.django_db
def test_role_synonyms_in_four_languages(org, units):
    content = (
        "email,unit_id,name,role\n"
        "a@x.se,HEM,A,Tillitsvald\nb@x.se,HEM,B,tillidsrepræsentant\nc@x.se,HEM,C,tillitsvalgt\n"
        "d@x.se,HEM,D,Union rep\ne@x.se,HEM,E,procesejer\nf@x.se,HEM,F,medarbejder\n"
        "g@x.se,HEM,G,medarbeider\n"
    )
    result = people_import(org, content)
    assert result.ok, result.errors
    roles = dict(RoleGrant.objects.filter(organisation=org).values_list("email", "role"))
    assert roles == {"a@x.se": "med", "b@x.se": "med", "c@x.se": "med", "d@x.se": "med"} | {
        "e@x.se": "admin"
    }


@pytest.mark.django_db
def test_progress_is_reported(org, units):
    rows = "".join(f"p{i}@testby.se,HEM,Person {i}\n" for i in range(1200))
    calls = []
    result = run_import(
        org,
        "people",
        ("email,unit_id,name\n" + rows).encode(),
        progress=lambda d, t: calls.append((d, t)),
    )
    assert result.ok
    assert calls[-1] == (2400, 2400)
    assert len(calls) >= 4
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    assert Person.objects.filter(organisation=org).count() == 1200


@pytest.mark.django_db
def test_one_person_can_hold_several_roles(org, units):
    result = people_import(org, 'email,unit_id,name,role\nh@x.se,HEM,H,"Admin, MED"\n')
    assert result.ok, result.errors
    assert set(RoleGrant.objects.filter(email="h@x.se").values_list("role", "unit")) == {
        ("admin", None),
        ("med", units["HEM"].pk),
    }


@pytest.mark.django_db
def test_units_of_another_organisation_are_unknown(org, units, other_org):
    Unit.objects.create(organisation=other_org, external_id="ZZ", name="Annan enhet")
    error = only_error(people_import(org, "email,unit_id,name\neva@testby.se,ZZ,Eva\n"))
    assert (error.row, error.column) == (2, "unit_id")
    assert not Person.objects.exists()
    # And a units file for one organisation never touches the other's tree.
    before = snapshot(other_org)
    assert units_import(org, UNITS).ok
    assert snapshot(other_org) == before


@pytest.mark.django_db
def test_errors_are_written_in_the_active_language(org):
    with translation.override("sv"):
        error = only_error(units_import(org, "unit_id,name\nK,Kommun\n"))
    assert (error.row, error.column) == (1, "parent_id")
    assert "parent_id" in error.message and "missing" not in error.message
