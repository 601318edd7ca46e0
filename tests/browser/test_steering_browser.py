"""Steering in a browser, on a phone: bøvl reported anonymously and by name, triaged, decided,
read back by the reporter, hours freed in the register; a manager's burden; a proposal through
the system analysis. axe-core on every page of the app."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, login
from tests.conftest import PASSWORD
from tests.steering import conftest as steering_fixtures
from tillit.steering.models import BovlReport, Signal

# The steering fixtures, shared with tests/steering/ (a conftest there does not reach here).
staffed = steering_fixtures.staffed
signals = steering_fixtures.signals
secretariat_user = steering_fixtures.secretariat_user
board_user = steering_fixtures.board_user

SUBMIT = "main form.stack button[type=submit]"


def report_bovl(page, what: str, *, anonymous: bool) -> str:
    page.goto("/o/testby/steering/bovl/")
    assert_accessible(page)
    page.fill("textarea[name=what]", what)
    page.fill("input[name=minutes_per_week]", "45")
    page.fill("textarea[name=hinders]", "Tid med borgerne")
    if anonymous:
        page.check("input[name=anonymous]")
    page.click(SUBMIT)
    code = page.inner_text("#receipt-code").strip()
    # Testby has fewer people than k_text: an anonymous report is filed without its unit,
    # and the receipt page says so (in the page's language: the word check reads it).
    assert page.is_visible("#widened") == anonymous
    assert_accessible(page)
    return code


def test_bovl_from_report_to_decision_in_danish(
    new_page, employee_user, secretariat_user, board_user, signals, units
):
    for user in (employee_user, secretariat_user, board_user):
        user.language = "da"
        user.save()
    employee = new_page(phone=True, language="da")
    login(employee, employee_user.email, PASSWORD)
    code = report_bovl(employee, "Dobbeltregistrering af fravær", anonymous=True)
    report_bovl(employee, "Kvalitetsrapporten som ingen læser", anonymous=False)
    assert BovlReport.objects.count() == 2
    assert BovlReport.objects.filter(reporter__isnull=True).count() == 1

    secretariat = new_page(phone=True, language="da")
    login(secretariat, secretariat_user.email, PASSWORD)
    secretariat.goto("/o/testby/steering/inbox/")
    assert "Bøvl-indbakke" in secretariat.inner_text("main h1")
    assert_accessible(secretariat)
    secretariat.click("text=Dobbeltregistrering af fravær")
    assert "anonym" in secretariat.inner_text("#reporter")
    assert_accessible(secretariat)
    secretariat.select_option("select[name=remit]", "own")
    secretariat.fill("input[name=new_signal_title]", "Fraværsregistrering i to systemer")
    secretariat.select_option("select[name=new_signal_kind]", "time")
    secretariat.click(SUBMIT)
    secretariat.click("text=Kvalitetsrapporten som ingen læser")
    assert employee_user.email in secretariat.inner_text("#reporter")
    secretariat.select_option("select[name=remit]", "own")
    secretariat.select_option("select[name=signal]", str(signals["A"].pk))
    secretariat.fill("textarea[name=answer]", "Tak – nævnet ser på den")
    secretariat.click(SUBMIT)
    assert_accessible(secretariat)

    board = new_page(phone=True, language="da")
    login(board, board_user.email, PASSWORD)
    board.goto("/o/testby/steering/board/")
    assert_accessible(board)
    board.click("text=Månadsrapport")
    body = board.inner_text("main")
    assert "Kvalitetsrapporten" in body and employee_user.email not in body
    assert "Anna" not in body
    assert_accessible(board)
    board.select_option("select[name=outcome]", "remove")
    board.fill("textarea[name=reason]", "Ingen bruger rapporten")
    board.click(SUBMIT)
    assert "Ingen bruger rapporten" in board.inner_text("main")
    assert_accessible(board)  # the decision log

    employee.goto("/o/testby/steering/bovl/mine/")
    mine = employee.inner_text("main")
    assert "Ingen bruger rapporten" in mine and "Tak – nævnet ser på den" in mine
    assert_accessible(employee)
    employee.goto("/o/testby/steering/bovl/receipt/")
    employee.fill("input[name=code]", code)
    employee.click(SUBMIT)
    assert "Dobbeltregistrering" in employee.inner_text("main")
    assert "Hos nævnet" in employee.inner_text("main")  # triaged, not yet decided
    assert_accessible(employee)

    # The secretariat measures the change and the register shows the hours freed.
    secretariat.goto(f"/o/testby/steering/signals/{signals['A'].pk}/")
    assert_accessible(secretariat)
    secretariat.fill("input[name=label]", "Dokumentationstid")
    secretariat.fill("input[name=minutes_before]", "20")
    secretariat.fill("input[name=minutes_after]", "5")
    secretariat.fill("input[name=people]", "6")
    secretariat.click("main form.narrow button[type=submit]")
    # (20 − 5) × 6 × 220 / 60 = 330 hours per year
    assert "330" in secretariat.inner_text(".measurement-freed")
    secretariat.goto("/o/testby/steering/")
    assert "330" in secretariat.inner_text("main .cards")
    assert_accessible(secretariat)


def test_manager_burden_and_a_proposal_in_swedish(
    new_page, team_manager_user, board_user, admin_user, signals, units
):
    manager = new_page(phone=True, language="sv")
    login(manager, team_manager_user.email, PASSWORD)
    manager.goto("/o/testby/steering/burden/")
    assert "Hemtjänst Norr" in manager.inner_text("main h1")
    assert manager.locator("main svg[role=img]").count() == 1
    table = manager.inner_text("main table.burden-table")
    assert "18,3" in table  # 73.33 hours of time registration / 4 people
    assert "Barn- och utbildning" not in manager.inner_text("main")
    assert_accessible(manager)

    manager.goto("/o/testby/steering/propose/")
    assert_accessible(manager)
    manager.fill("input[name=title]", "Ny tidregistrering av resor")
    manager.wait_for_selector("#similar li")
    assert "Tidregistrering" in manager.inner_text("#similar")
    manager.select_option("select[name=kind]", "indicator")
    manager.select_option("select[name=issuer_level]", "committee")
    manager.fill("textarea[name=purpose]", "Följa resorna")
    manager.fill("input[name=decision_fed]", "Bilpoolens storlek")
    manager.fill("input[name=output_users]", "Fordonssamordnaren")
    manager.fill("input[name=frequency]", "46")
    manager.fill("input[name=minutes]", "15")
    manager.fill("input[name=performers]", "100")
    manager.select_option("select[name=performers_kind]", "share")
    manager.select_option("select[name=units]", [str(units["HEM"].pk)])
    manager.fill("input[name=review_date]", "2027-12-31")
    # 4 people × 46 × 15 / 60 = 46 hours per year, computed live
    expect(manager.locator("#estimate-hours")).to_have_text("46")
    assert_accessible(manager)
    manager.click(SUBMIT)
    proposal = Signal.objects.get(title="Ny tidregistrering av resor")
    assert proposal.status == Signal.Status.PROPOSED
    assert_accessible(manager)  # the proposal's page

    board = new_page(phone=True, language="sv")
    login(board, board_user.email, PASSWORD)
    board.goto(f"/o/testby/steering/signals/{proposal.pk}/decide/")
    assert "Fordonssamordnaren" in board.inner_text("main")
    board.select_option("select[name=outcome]", "approve")
    board.fill("textarea[name=reason]", "Behövs för upphandlingen")
    board.click(SUBMIT)
    proposal.refresh_from_db()
    assert proposal.status == Signal.Status.ACTIVE

    admin = new_page(language="sv")
    login(admin, admin_user.email, PASSWORD)
    for path in (
        "",
        f"signals/{proposal.pk}/",
        f"signals/{proposal.pk}/edit/",
        "signals/new/",
        "import/",
        "roles/",
        "decisions/",
        "from-programmes/",
        "burden/",
    ):
        admin.goto(f"/o/testby/steering/{path}")
        assert_accessible(admin)
    admin.goto(f"/o/testby/steering/signals/{proposal.pk}/")
    assert re.search(r"46", admin.inner_text("#signal-hours"))
