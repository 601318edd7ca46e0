"""The bøvl inbox: anonymous and named reports, triage, the board, the reporter's view."""

import re
import uuid

import pytest
from django.db import connection

from tests.conftest import PASSWORD
from tillit.org.models import Person
from tillit.steering import actions
from tillit.steering.models import BovlReport, Decision, NamedReporter, Signal

pytestmark = pytest.mark.django_db


def login(client, user):
    assert client.login(username=user.email, password=PASSWORD)
    return client


def url(path=""):
    return f"/o/testby/steering/{path}"


def send(client, units, *, anonymous: bool, what="Dobbeltregistrering af fravær"):
    response = client.post(
        url("bovl/"),
        {
            "what": what,
            "unit": units["HEM"].pk,
            "minutes_per_week": "30",
            "hinders": "Tid med borgerne",
            "idea": "Én registrering",
            "anonymous": "on" if anonymous else "",
        },
    )
    assert response.status_code == 200
    code = re.search(r'id="receipt-code">([^<]+)<', response.content.decode()).group(1)
    return code


def colleagues(unit, n: int, *, active: bool = True) -> None:
    for _ in range(n):
        i = Person.objects.count()
        Person.objects.create(
            organisation=unit.organisation,
            email=f"colleague{i}@testby.se",
            name=f"Colleague {i}",
            unit=unit,
            active=active,
        )


def test_an_anonymous_report_is_filed_under_a_unit_of_at_least_k_text_people(
    client, employee_user, units
):
    """Anna's team has four active people (and six who left): her anonymous report goes to the
    förvaltning above it, which has ten; her named report stays with the team."""
    colleagues(units["HEM"], 3)
    colleagues(units["HEM"], 6, active=False)
    colleagues(units["SOC"], 6)
    assert units["HEM"].organisation.k_text == 10
    login(client, employee_user)
    client.cookies["tillit_language"] = "sv"
    response = client.post(
        url("bovl/"),
        {
            "what": "Dubbelregistrering",
            "unit": units["HEM"].pk,
            "minutes_per_week": "30",
            "anonymous": "on",
        },
    )
    page = response.content.decode()
    assert BovlReport.objects.get().unit == units["SOC"]
    assert 'id="widened"' in page and "Socialförvaltningen" in page and "Hemtjänst Norr" in page
    send(client, units, anonymous=False, what="Samma sak med namn")
    assert BovlReport.objects.get(what__startswith="Samma").unit == units["HEM"]
    # A team of ten keeps its own unit.
    colleagues(units["HEM"], 6)
    send(client, units, anonymous=True, what="Tredje")
    assert BovlReport.objects.get(what="Tredje").unit == units["HEM"]


def test_an_organisation_smaller_than_k_text_files_anonymous_reports_without_a_unit(
    client, employee_user, units
):
    login(client, employee_user)
    client.cookies["tillit_language"] = "da"
    response = client.post(
        url("bovl/"),
        {"what": "Bøvl", "unit": units["HEM"].pk, "minutes_per_week": "5", "anonymous": "on"},
    )
    assert BovlReport.objects.get().unit is None
    page = response.content.decode()
    assert 'id="widened"' in page and "uden en enhed" in page


def test_anonymous_report_holds_nothing_of_its_reporter_by_model():
    """Model introspection: no relation to an account or a person, no time finer than a day,
    a random primary key."""
    from tillit.core.models import User
    from tillit.org.models import Person

    fields = BovlReport._meta.get_fields()
    targets = {f.related_model for f in fields if f.is_relation and f.many_to_one}
    assert User not in targets and Person not in targets
    concrete = {f.name: f for f in BovlReport._meta.concrete_fields}
    assert (
        isinstance(concrete["id"], type(BovlReport._meta.pk))
        and concrete["id"].default is uuid.uuid4
    )
    from django.db import models

    assert not [f for f in concrete.values() if isinstance(f, models.DateTimeField)]
    assert not [f for f in concrete.values() if isinstance(f, models.GenericIPAddressField)]
    assert not any("email" in name or "user" in name or "person" in name for name in concrete)


def test_anonymous_report_database_scan(client, employee_user, units):
    """Scan every column of every row of the report's table for any value of the reporter."""
    login(client, employee_user)
    send(client, units, anonymous=True)
    assert NamedReporter.objects.count() == 0
    person = employee_user
    session_key = client.session.session_key
    from tillit.org.models import Person

    # Text that names the person is looked for inside every value; their ids as whole values.
    needles = {person.email, person.name, "anna", session_key}
    ids = {str(person.pk), str(Person.objects.get(email=person.email).pk)}
    table = BovlReport._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")  # noqa: S608
        columns = [c[0] for c in cursor.description]
        rows = cursor.fetchall()
    assert len(rows) == 1
    row = dict(zip(columns, rows[0], strict=True))
    for column, value in row.items():
        if column in {"unit_id", "organisation_id", "minutes_per_week"}:
            continue  # chosen by the reporter (where the bøvl is) or the tenant, not the person
        for needle in needles:
            assert needle.lower() not in str(value).lower(), (column, needle)
        assert str(value) not in ids, column
    # The day, never the time.
    assert str(row["submitted_on"])[:10] == str(BovlReport.objects.get().submitted_on)
    assert len(str(row["submitted_on"])) == 10


def test_named_reporter_seen_by_secretariat_only(
    client,
    employee_user,
    secretariat_user,
    board_user,
    manager_user,
    team_manager_user,
    units,
    signals,
):
    login(client, employee_user)
    send(client, units, anonymous=False)
    report = BovlReport.objects.get()
    assert report.reporter.user == employee_user
    client.logout()
    login(client, secretariat_user)
    page = client.get(url(f"inbox/{report.pk}/")).content.decode()
    assert "anna@testby.se" in page
    client.post(url(f"inbox/{report.pk}/"), {"remit": "own", "signal": signals["A"].pk})
    for user in (board_user, manager_user, team_manager_user):
        client.logout()
        login(client, user)
        assert client.get(url(f"inbox/{report.pk}/")).status_code == 403
        for path in (
            "board/",
            f"signals/{signals['A'].pk}/decide/",
            f"signals/{signals['A'].pk}/",
            "decisions/",
            "burden/",
        ):
            response = client.get(url(path))
            body = response.content.decode()
            assert "anna@testby.se" not in body and "Anna Andersson" not in body, (user, path)


def test_triage_links_board_decides_reporter_sees(
    client, employee_user, secretariat_user, board_user, units, signals
):
    colleagues(units["HEM"], 9)  # ten with Anna: the anonymous report keeps its unit
    login(client, employee_user)
    code = send(client, units, anonymous=True)
    send(client, units, anonymous=False, what="Samme fraværsregistrering igen")
    anonymous = BovlReport.objects.get(what__startswith="Dobbelt")
    named = BovlReport.objects.get(what__startswith="Samme")
    client.logout()
    login(client, secretariat_user)
    # Bad triage: neither a signal nor a merge for a report the board must see.
    response = client.post(url(f"inbox/{anonymous.pk}/"), {"remit": "own"})
    assert response.status_code == 200 and BovlReport.objects.get(pk=anonymous.pk).status == "new"
    client.post(
        url(f"inbox/{anonymous.pk}/"),
        {"remit": "own", "new_signal_title": "Fraværsregistrering", "new_signal_kind": "time"},
    )
    anonymous.refresh_from_db()
    signal = anonymous.signal
    assert signal.status == Signal.Status.UNDER_REVIEW and anonymous.status == "triaged"
    assert signal.hits.get().unit == units["HEM"]
    client.post(url(f"inbox/{named.pk}/"), {"remit": "own", "duplicate_of": anonymous.pk})
    named.refresh_from_db()
    assert named.status == "merged" and named.signal == signal
    client.logout()
    login(client, board_user)
    assert signal.title in client.get(url("board/")).content.decode()
    response = client.post(url(f"signals/{signal.pk}/decide/"), {"outcome": "remove", "reason": ""})
    assert response.status_code == 200 and not Decision.objects.exists()  # a reason is required
    client.post(
        url(f"signals/{signal.pk}/decide/"),
        {"outcome": "remove", "reason": "Registreres allerede i lønsystemet"},
    )
    signal.refresh_from_db()
    assert signal.status == Signal.Status.REMOVED
    assert "Registreres allerede" in client.get(url("decisions/")).content.decode()
    client.logout()
    login(client, employee_user)
    mine = client.get(url("bovl/mine/")).content.decode()
    assert "Registreres allerede" in mine and "Samme fravær" in mine and "Dobbelt" not in mine
    receipt = client.post(url("bovl/receipt/"), {"code": code}).content.decode()
    assert "Registreres allerede" in receipt
    assert "Dobbelt" in receipt
    wrong = client.post(url("bovl/receipt/"), {"code": "nope"}).content.decode()
    assert "Dobbelt" not in wrong and "Registreres allerede" not in wrong


def test_receipt_of_another_organisation_is_not_found(
    client, employee_user, units, other_org, outsider_user
):
    login(client, employee_user)
    code = send(client, units, anonymous=True)
    client.logout()
    login(client, outsider_user)
    page = client.post("/o/annanstad/steering/bovl/receipt/", {"code": code}).content.decode()
    assert "Dobbelt" not in page


def test_measurement_shows_hours_freed(client, secretariat_user, signals, org):
    signal = signals["B"]
    login(client, secretariat_user)
    client.post(
        url(f"signals/{signal.pk}/measure/"),
        {
            "label": "Dokumentation",
            "minutes_before": "25",
            "minutes_after": "10",
            "people": "4",
            "days_per_year": "220",
        },
    )
    # (25 − 10) × 4 × 220 / 60 = 220 hours per year
    assert signal.measurements.get().hours_freed == 220
    page = client.get(url()).content.decode()
    assert "220" in page


def test_escalation_letter(client, board_user, signals, org):
    from tillit.steering.models import Signal as S

    S.objects.filter(pk=signals["C"].pk).update(status=S.Status.UNDER_REVIEW)
    decision = actions.do_decide(
        S.objects.get(pk=signals["C"].pk), "escalate", "Kræver lovændring", None, escalate_to="KL"
    )
    login(client, board_user)
    docx = client.get(url(f"decisions/{decision.pk}/letter.docx"))
    assert docx.status_code == 200 and docx.content.startswith(b"PK")
    assert client.get(url(f"decisions/{decision.pk}/letter.exe")).status_code == 404


def test_another_organisations_report_and_decision_are_not_found(
    client, employee_user, units, signals, other_org, outsider_user
):
    from tillit.steering.models import SteeringRole

    login(client, employee_user)
    send(client, units, anonymous=False)
    report = BovlReport.objects.get()
    signal = Signal.objects.get(pk=signals["C"].pk)
    Signal.objects.filter(pk=signal.pk).update(status="under_review")
    decision = actions.do_decide(
        Signal.objects.get(pk=signal.pk), "escalate", "Lag", None, escalate_to="SKR"
    )
    client.logout()
    # Secretariat and board of the other organisation: Testby's ids are not found there.
    for role in ("secretariat", "board"):
        SteeringRole.objects.create(organisation=other_org, email=outsider_user.email, role=role)
    login(client, outsider_user)
    other = "/o/annanstad/steering/"
    assert client.get(f"{other}inbox/{report.pk}/").status_code == 404
    assert client.get(f"{other}decisions/{decision.pk}/letter.pdf").status_code == 404
    assert client.get(f"{other}signals/{signal.pk}/").status_code == 404
    assert "Dobbelt" not in client.get(f"{other}inbox/").content.decode()
    assert client.get(f"/o/testby/steering/inbox/{report.pk}/").status_code == 404


def test_escalation_letter_pdf_names_the_signal(client, board_user, signals):
    import subprocess

    Signal.objects.filter(pk=signals["C"].pk).update(status="under_review")
    decision = actions.do_decide(
        Signal.objects.get(pk=signals["C"].pk),
        "escalate",
        "Kräver lagändring",
        None,
        escalate_to="SKR",
    )
    login(client, board_user)
    pdf = client.get(url(f"decisions/{decision.pk}/letter.pdf"))
    assert pdf.status_code == 200
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf.content, capture_output=True, check=True
    ).stdout.decode()
    assert "APT-protokoll" in text and "Kräver lagändring" in text and "SKR" in text
    assert "36" in text  # the hours per year it cost when decided
