"""Importing the register: every error with row and column, and a bad file changes nothing."""

import io

import pytest
from openpyxl import Workbook

from tillit.org.tables import FileErrors
from tillit.steering.importing import import_signals
from tillit.steering.models import Signal, SignalChange

pytestmark = pytest.mark.django_db

HEADER = (
    "title;type;issuer_level;units;frequency;minutes;people_per_unit;share_of_staff;"
    "review_date;self_imposed\n"
)


def csv(*rows: str) -> bytes:
    return (HEADER + "\n".join(rows) + "\n").encode("utf-8")


def errors_of(org, content, name="register.csv"):
    with pytest.raises(FileErrors) as caught:
        import_signals(org, content, name, None)
    return {(e.row, e.column): e.message for e in caught.value.errors}


def test_good_file_in_any_language_imports(org, staffed):
    content = csv(
        "Månadsrapport;report;administration;SOC;12;30;1;;2027-06-30;ja",
        # Danish labels, a decimal comma and a per cent sign are all understood.
        "Tidregistrering;Tidsregistrering;Regionsråd eller kommunalbestyrelse;"
        "HEM BUF;220;10,5;;50 %;;nej",
    )
    summary = import_signals(org, content, "register.csv", None)
    assert (summary.created, summary.updated) == (2, 0)
    time = Signal.objects.get(title="Tidregistrering")
    assert (time.kind, time.performers_kind, float(time.performers), float(time.minutes)) == (
        "time",
        "share",
        50.0,
        10.5,
    )
    assert {h.unit.external_id for h in time.hits.all()} == {"HEM", "BUF"}
    assert SignalChange.objects.filter(field="created", source="import").count() == 2


def test_bad_rows_name_row_column_and_value_and_change_nothing(org, staffed):
    content = csv(
        "Bra rad;report;state;SOC;12;30;1;;;",
        ";bogus;state;NOPE;many;30;1;50;31.02.2026;maybe",
        "Tredje;rule;planet;K;-1;30;;;;no",
    )
    errors = errors_of(org, content)
    assert "title" in errors[(3, "title")]
    assert "bogus" in errors[(3, "type")]
    assert "NOPE" in errors[(3, "units")]
    assert "many" in errors[(3, "frequency")]
    assert (3, "people_per_unit") in errors  # both given
    assert "31.02.2026" in errors[(3, "review_date")]
    assert "maybe" in errors[(3, "self_imposed")]
    assert "planet" in errors[(4, "issuer_level")]
    assert "-1" in errors[(4, "frequency")]
    assert (4, "people_per_unit") in errors  # neither given
    assert Signal.objects.count() == 0


def test_missing_column_and_unknown_signal_id(org, staffed):
    errors = errors_of(org, b"title;type\nA;report\n")
    assert (1, "units") in errors and (1, "minutes") in errors
    content = (HEADER.strip() + ";signal_id\n" + "A;report;state;K;1;1;1;;;;999\n").encode()
    assert "999" in errors_of(org, content)[(2, "signal_id")]


def test_reimport_updates_with_history_and_a_bad_row_rolls_back(org, staffed):
    import_signals(org, csv("Månadsrapport;report;state;SOC;12;30;1;;;"), "a.csv", None)
    signal = Signal.objects.get()
    header = HEADER.strip() + ";signal_id\n"
    good = f"Månadsrapport;report;state;SOC;12;45;1;;;;{signal.pk}"
    import_signals(org, (header + good + "\n").encode(), "b.csv", None)
    signal.refresh_from_db()
    assert signal.minutes == 45 and signal.version == 2
    assert SignalChange.objects.filter(signal=signal, field="minutes", source="import").exists()
    bad = f"Månadsrapport;report;state;SOC;12;60;1;;;;{signal.pk}\nNy;report;state;NOPE;1;1;1;;;"
    errors_of(org, (header + bad + "\n").encode())
    signal.refresh_from_db()
    assert signal.minutes == 45 and Signal.objects.count() == 1


def test_xlsx_and_other_organisations_units(org, staffed, other_org):
    book = Workbook()
    sheet = book.active
    sheet.append(
        ["title", "type", "issuer_level", "units", "frequency", "minutes", "people_per_unit"]
    )
    sheet.append(["Möte", "meeting", "unit", "K", 46, 60, 2])
    out = io.BytesIO()
    book.save(out)
    assert import_signals(org, out.getvalue(), "r.xlsx", None).created == 1
    # "K" is also Annanstad's root id, but Testby's file names Testby's units only.
    assert Signal.objects.get().hits.get().unit.organisation == org
    assert "K" not in errors_of(other_org, csv("X;report;state;SOC;1;1;1;;;"))[(2, "units")][:3]


def test_import_view_shows_errors_with_400(client, org, staffed, admin_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.conftest import PASSWORD

    client.login(username=admin_user.email, password=PASSWORD)
    upload = SimpleUploadedFile("r.csv", csv("X;report;state;NOPE;1;1;1;;;"))
    response = client.post("/o/testby/steering/import/", {"file": upload})
    assert response.status_code == 400
    assert "NOPE" in response.content.decode() and Signal.objects.count() == 0
