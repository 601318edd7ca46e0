"""Register pages: who may do what, cross-organisation isolation, stale edits and history."""

import io

import pytest
from openpyxl import load_workbook

from tests.conftest import PASSWORD
from tillit.steering.models import Signal, SignalChange

pytestmark = pytest.mark.django_db


def login(client, user):
    assert client.login(username=user.email, password=PASSWORD)
    return client


def url(path=""):
    return f"/o/testby/steering/{path}"


def edit_data(signal, **changes):
    data = {
        "title": signal.title,
        "description": signal.description,
        "kind": signal.kind,
        "issuer_level": signal.issuer_level,
        "owner_email": signal.owner_email,
        "frequency": str(signal.frequency),
        "minutes": str(signal.minutes),
        "performers_kind": signal.performers_kind,
        "performers": str(signal.performers),
        "status": signal.status,
        "units": [h.unit_id for h in signal.hits.all()],
        "version": signal.version,
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("persona", "register", "edit", "burden", "inbox", "board", "roles"),
    [
        ("admin_user", 200, 200, 200, 403, 403, 200),
        ("secretariat_user", 200, 200, 200, 200, 403, 403),
        ("board_user", 200, 403, 200, 403, 200, 403),
        ("manager_user", 200, 403, 200, 403, 403, 403),
        ("med_user", 200, 403, 200, 403, 403, 403),
        ("employee_user", 200, 403, 403, 403, 403, 403),
        ("outsider_user", 404, 404, 404, 404, 404, 404),
    ],
)
def test_each_role(request, client, signals, persona, register, edit, burden, inbox, board, roles):
    # The board and secretariat fixtures are no people of the organisation: the role alone
    # lets them in (a politician on the board is no employee).
    login(client, request.getfixturevalue(persona))
    pk = signals["A"].pk
    assert client.get(url()).status_code == register
    assert client.get(url(f"signals/{pk}/")).status_code == register
    assert client.get(url(f"signals/{pk}/edit/")).status_code == edit
    assert client.get(url("signals/new/")).status_code == edit
    assert client.get(url("import/")).status_code == edit
    assert client.get(url("burden/")).status_code == burden
    assert client.get(url("inbox/")).status_code == inbox
    assert client.get(url("board/")).status_code == board
    assert client.get(url("roles/")).status_code == roles
    assert client.get(url("bovl/")).status_code == register
    assert client.get(url("decisions/")).status_code == register


def test_another_organisations_signal_is_not_found(client, signals, outsider_user, other_org):
    from tillit.steering.models import SteeringRole

    # The outsider keeps the other organisation's register, yet Testby's ids are not found there.
    SteeringRole.objects.create(organisation=other_org, email=outsider_user.email, role="board")
    login(client, outsider_user)
    pk = signals["A"].pk
    assert client.get(f"/o/annanstad/steering/signals/{pk}/").status_code == 404
    assert client.get(f"/o/annanstad/steering/signals/{pk}/edit/").status_code == 404
    assert client.get(f"/o/annanstad/steering/signals/{pk}/decide/").status_code == 404


def test_edit_saves_with_history(client, signals, admin_user):
    login(client, admin_user)
    signal = signals["A"]
    response = client.post(url(f"signals/{signal.pk}/edit/"), edit_data(signal, minutes="45"))
    assert response.status_code == 302
    signal.refresh_from_db()
    assert signal.minutes == 45 and signal.version == 2
    change = SignalChange.objects.get(signal=signal, field="minutes")
    assert (change.old_value, change.new_value, change.changed_by) == ("30", "45", admin_user)
    page = client.get(url(f"signals/{signal.pk}/")).content.decode()
    assert "30 → 45" in page
    assert "18" in page  # 1 × 12 × 45 / 60 = 9 h in each of two units


def test_stale_edit_gets_409_and_writes_nothing(client, signals, admin_user, secretariat_user):
    signal = signals["A"]
    stale = edit_data(signal, title="Mine")
    login(client, secretariat_user)
    assert (
        client.post(
            url(f"signals/{signal.pk}/edit/"), edit_data(signal, title="Theirs")
        ).status_code
        == 302
    )
    client.logout()
    login(client, admin_user)
    response = client.post(url(f"signals/{signal.pk}/edit/"), stale)
    assert response.status_code == 409
    signal.refresh_from_db()
    assert signal.title == "Theirs"
    assert "Theirs" in response.content.decode()  # the form shows the saved version


def test_units_change_is_history_and_moves_hours(client, signals, admin_user, units):
    login(client, admin_user)
    signal = signals["A"]
    client.post(url(f"signals/{signal.pk}/edit/"), edit_data(signal, units=[units["BUF"].pk]))
    change = SignalChange.objects.get(signal=signal, field="units")
    assert change.old_value == "Socialförvaltningen" and change.new_value == "Barn- och utbildning"


def test_edit_rejects_units_of_another_organisation(client, signals, admin_user, other_org):
    login(client, admin_user)
    signal = signals["A"]
    foreign = other_org.units.first()
    response = client.post(url(f"signals/{signal.pk}/edit/"), edit_data(signal, units=[foreign.pk]))
    assert response.status_code == 200  # the form says the choice is not valid
    assert signal.hits.get().unit.external_id == "SOC"


def test_register_export_imports_again(client, signals, admin_user):
    login(client, admin_user)
    response = client.get(url("register.xlsx"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    by_title = {r[0]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    assert by_title["APT-protokoll"]["hours_per_year"] == 36
    assert by_title["Tidregistrering"]["share_of_staff"] == 50
    assert set(by_title["APT-protokoll"]["units"].split()) == {"K", "SOC"}
    # The same file, imported, updates the same three signals and creates none.
    out = io.BytesIO(response.content)
    response = client.post(url("import/"), {"file": _named(out.getvalue(), "register.xlsx")})
    assert response.status_code == 302
    assert Signal.objects.count() == 3


def _named(content: bytes, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def test_manager_sees_only_their_subtree(client, signals, team_manager_user, units):
    login(client, team_manager_user)
    page = client.get(url("burden/"))
    assert page.status_code == 200
    assert page.context["root"] == units["HEM"]
    assert client.get(url(f"burden/?unit={units['SOC'].pk}")).status_code == 404
    assert client.get(url(f"burden/?unit={units['BUF'].pk}")).status_code == 404
    assert client.get(url(f"burden.xlsx?unit={units['BUF'].pk}")).status_code == 404
    xlsx = client.get(url(f"burden.xlsx?unit={units['HEM'].pk}"))
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content))["Hours per employee"]
    assert [r[1] for r in sheet.iter_rows(min_row=2, values_only=True)] == ["Hemtjänst Norr"]


def test_burden_page_has_svg_and_table(client, signals, admin_user, units):
    login(client, admin_user)
    page = client.get(url(f"burden/?unit={units['SOC'].pk}")).content.decode()
    assert "<svg" in page and 'role="img"' in page
    assert "Hemtjänst Norr" in page
    assert "18.3" in page  # HEM: 73.33 hours of time registration / 4 people


def test_propose_goes_to_board_and_costs_nothing_until_approved(
    client, signals, employee_user, board_user, units
):
    from tillit.steering import burden

    login(client, employee_user)
    data = {
        "title": "Ny kvalitetsindikator",
        "kind": "indicator",
        "issuer_level": "committee",
        "purpose": "Följa upp kvaliteten",
        "decision_fed": "Nämndens budget",
        "output_users": "Nämnden",
        "frequency": "12",
        "minutes": "20",
        "performers_kind": "people",
        "performers": "1",
        "units": [units["HEM"].pk],
        "review_date": "2027-12-31",
    }
    estimate = client.get(url("propose/estimate/"), data)
    assert b"4</span>" in estimate.content  # 1 × 12 × 20 / 60 = 4 hours
    assert client.post(url("propose/"), data).status_code == 302
    proposal = Signal.objects.get(title="Ny kvalitetsindikator")
    assert proposal.status == Signal.Status.PROPOSED
    assert proposal.pk not in burden.totals(proposal.organisation)
    assert client.get(url(f"signals/{proposal.pk}/decide/")).status_code == 403
    client.logout()
    login(client, board_user)
    response = client.post(
        url(f"signals/{proposal.pk}/decide/"), {"outcome": "remove", "reason": "x"}
    )
    assert response.status_code == 200  # a proposal is introduced or not, never "removed"
    response = client.post(
        url(f"signals/{proposal.pk}/decide/"), {"outcome": "approve", "reason": "Behövs"}
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == Signal.Status.ACTIVE
    assert burden.totals(proposal.organisation)[proposal.pk] == pytest.approx(4)


def test_search_finds_existing_signal(client, signals, employee_user):
    login(client, employee_user)
    response = client.get(url("propose/search/"), {"title": "ny tidregistrering"})
    assert "Tidregistrering" in response.content.decode()


def _challenge(org, units, admin_user):
    from tillit.programmes import actions as programme_actions
    from tillit.programmes.loading import install_shipped_templates
    from tillit.programmes.models import ProgrammeTemplate

    install_shipped_templates()
    programme = programme_actions.do_start_programme(
        organisation=org,
        template_version=ProgrammeTemplate.objects.get(slug="samskabt-styring").latest(),
        title="Mindre krångel",
        language="sv",
        units=[units["HEM"]],
        created_by=admin_user,
    )
    return programme_actions.do_create_artefact(
        programme,
        "challenges",
        "challenge",
        {
            "title": "Dubbel dokumentation",
            "steering": "Samma uppgift i två system",
            "hindrance": "Tid från brukarna",
            "priority": "high",
        },
        admin_user,
    )


def test_a_programme_challenge_goes_under_review_once(
    client, org, units, admin_user, employee_user
):
    challenge = _challenge(org, units, admin_user)
    login(client, employee_user)
    assert client.get(url("from-programmes/")).status_code == 403
    client.logout()
    login(client, admin_user)
    page = client.get(url("from-programmes/")).content.decode()
    assert "Dubbel dokumentation" in page and "Mindre krångel" in page
    response = client.post(url("from-programmes/"), {"challenge": challenge.pk})
    signal = Signal.objects.get(from_challenge=challenge)
    assert response.status_code == 302 and signal.status == Signal.Status.UNDER_REVIEW
    assert "Samma uppgift i två system" in signal.description
    assert [h.unit for h in signal.hits.all()] == [units["HEM"]]
    client.post(url("from-programmes/"), {"challenge": challenge.pk})
    assert Signal.objects.filter(from_challenge=challenge).count() == 1
    assert "Mindre krångel" in client.get(url(f"signals/{signal.pk}/")).content.decode()


def test_another_organisations_challenge_is_not_found(client, org, units, admin_user, other_org):
    from tillit.org.models import RoleGrant

    challenge = _challenge(org, units, admin_user)
    RoleGrant.objects.create(organisation=other_org, email=admin_user.email, role="admin")
    login(client, admin_user)
    response = client.post("/o/annanstad/steering/from-programmes/", {"challenge": challenge.pk})
    assert response.status_code == 404
    assert not Signal.objects.exists()


def test_burden_xlsx_lists_unused_and_past_review(client, signals, admin_user, units):
    import datetime as dt

    from django.utils import timezone

    Signal.objects.filter(pk=signals["A"].pk).update(
        last_used=timezone.localdate(), review_date=dt.date(2020, 1, 1)
    )
    login(client, admin_user)
    book = load_workbook(io.BytesIO(client.get(url("burden.xlsx")).content))
    unused = [r[1] for r in book["Not used in a year"].iter_rows(min_row=2, values_only=True)]
    assert unused == ["Tidregistrering", "APT-protokoll"]  # the heaviest first; A was used
    past = [r[1] for r in book["Past review date"].iter_rows(min_row=2, values_only=True)]
    assert past == ["Månadsrapport"]
