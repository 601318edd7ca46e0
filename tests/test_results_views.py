"""Result pages and downloads: who sees what, and that pages, JSON and XLSX agree."""

import io
import json
import subprocess

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.test_results_helpers import add_unit, answer, make_campaign
from tillit.results.refreshing import get_snapshot
from tillit.results.snapshot import published_json

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(org, units):
    """K > SOC > HEM (9), K > BUF > {T4 (4), T7 (7)}: BUF of 11 is the hidden-sibling case."""
    earlier = make_campaign(org, units["K"], name="Enkät 2025", year=2025)
    answer(earlier, units["HEM"], [3] * 9)
    campaign = make_campaign(org, units["K"])
    answer(campaign, units["HEM"], [4, 4, 4, 5, 3, 4, 4, 5, 4], invited=12)
    answer(campaign, add_unit(org, "T4", units["BUF"], name="Team Fyra"), [1, 1, 1, 1])
    answer(campaign, add_unit(org, "T7", units["BUF"], name="Team Sju"), [5, 5, 4, 4, 5, 4, 5])
    return campaign


def url(name, campaign, *args):
    return reverse(f"results:{name}", args=["testby", campaign.pk, *args])


def test_index_lists_campaigns_for_every_member(client, employee_user, campaign):
    client.force_login(employee_user)
    response = client.get(reverse("results:index", args=["testby"]))
    assert response.status_code == 200
    assert "Enkät 2026" in response.text
    assert url("overview", campaign) not in response.text  # no link for an employee


def test_overview_for_admin_shows_heatmap_sorted(client, admin_user, campaign, units):
    client.force_login(admin_user)
    response = client.get(url("overview", campaign), {"sort": "hme.total", "dir": "desc"})
    assert response.status_code == 200
    shown = [r for r in response.context["rows"] if r["summary"]["shown"]]
    values = [r["cells"][-1]["value"] for r in shown if r["cells"][-1]["value"] is not None]
    assert len(values) >= 3 and values == sorted(values, reverse=True)
    assert 'aria-sort="descending"' in response.text
    assert "Team Fyra" in response.text and "Fewer than 5 answers" in response.text
    assert "<svg" in response.text and "<caption>" in response.text


def test_unit_page_with_trend_and_plain_words(client, admin_user, campaign, units):
    client.force_login(admin_user)
    response = client.get(url("unit", campaign, units["HEM"].pk))
    assert response.status_code == 200
    hem = {u["id"]: u for u in published_json(get_snapshot(campaign))["units"]}["HEM"]
    leadership = hem["indices"]["hme.ledarskap"]
    assert leadership == pytest.approx(
        100 * (sum([4, 4, 4, 5, 3, 4, 4, 5, 4]) / 9 - 1) / 4, abs=0.1
    )
    change = round(leadership) - 50
    assert f"Leadership {leadership:.0f} – {change} points above last time" in response.text
    assert "Compared with Enkät 2025" in response.text


def test_hidden_unit_says_why_and_shows_no_figures(client, admin_user, campaign, org):
    client.force_login(admin_user)
    team = org.units.get(external_id="T4")
    response = client.get(url("unit", campaign, team.pk))
    assert response.status_code == 200
    assert "Fewer than 5 answers" in response.text
    assert "index_rows" not in response.context
    buf = client.get(url("unit", campaign, org.units.get(external_id="BUF").pk))
    assert "4 answers not included, to protect anonymity" in buf.text


@pytest.mark.parametrize(
    "persona, unit, expected",
    [
        ("admin_user", "BUF", 200),
        ("manager_user", "HEM", 200),  # manages SOC, so HEM below it
        ("manager_user", "BUF", 403),
        ("team_manager_user", "SOC", 403),
        ("med_user", "BUF", 200),
        ("med_user", "HEM", 403),
        ("employee_user", "HEM", 403),
        ("outsider_user", "HEM", 404),
    ],
)
def test_who_sees_a_unit(client, request, campaign, org, persona, unit, expected):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(url("unit", campaign, org.units.get(external_id=unit).pk))
    assert response.status_code == expected


@pytest.mark.parametrize(
    "persona, expected", [("employee_user", 403), ("outsider_user", 404), ("med_user", 200)]
)
def test_who_sees_the_overview_and_exports(client, request, campaign, persona, expected):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url("overview", campaign)).status_code == expected
    assert client.get(url("export", campaign, "xlsx")).status_code == expected


def test_manager_overview_and_exports_only_hold_their_units(client, manager_user, campaign):
    client.force_login(manager_user)
    overview = client.get(url("overview", campaign))
    assert {r["summary"]["id"] for r in overview.context["rows"]} == {"SOC", "HEM"}
    data = json.loads(client.get(url("export", campaign, "json")).content)
    assert {u["id"] for u in data["units"]} == {"SOC", "HEM"}
    book = load_workbook(io.BytesIO(client.get(url("export", campaign, "xlsx")).content))
    assert {row[0] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)} == {
        "SOC",
        "HEM",
    }


def test_json_xlsx_and_pages_publish_the_same_figures(client, admin_user, campaign, org):
    client.force_login(admin_user)
    data = json.loads(client.get(url("export", campaign, "json")).content)
    assert data == json.loads(json.dumps(published_json(get_snapshot(campaign))))
    book = load_workbook(io.BytesIO(client.get(url("export", campaign, "xlsx")).content))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    sheet = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    items = list(book.worksheets[1].iter_rows(values_only=True))
    for unit in data["units"]:
        page = client.get(url("unit", campaign, unit["unit_pk"]))
        if not unit["shown"]:
            assert sheet[unit["id"]]["HME total"] is None
            assert sheet[unit["id"]]["Why not shown"] == unit["reason_text"]
            assert not any(r[0] == unit["id"] and r[4] is not None for r in items[1:])
            continue
        assert sheet[unit["id"]]["Answers behind the figures"] == unit["n_published"]
        assert sheet[unit["id"]]["HME total"] == unit["indices"]["hme.total"]
        rows_page = {r["key"]: r["value"] for r in page.context["index_rows"]}
        assert rows_page == unit["indices"]
        for r in items[1:]:
            if r[0] == unit["id"] and r[4] is not None:
                assert (r[4], r[5]) == (unit["items"][r[2]]["n"], unit["items"][r[2]]["mean"])


def test_the_team_of_four_cannot_be_derived_from_any_output(client, admin_user, campaign):
    """BUF (11) = T4 (4, hidden) + T7 (7): every published n for BUF's branch is 7, and every
    published figure of BUF equals T7's, in the JSON, the XLSX and the page context."""
    from tests.oracle import find_leak

    client.force_login(admin_user)
    data = json.loads(client.get(url("export", campaign, "json")).content)
    units = {u["id"]: u for u in data["units"]}
    assert units["BUF"]["n_published"] == units["T7"]["n_published"] == 7
    assert units["BUF"]["indices"] == units["T7"]["indices"]
    # Atoms: HEM (9), T4 (4), T7 (7). Cells as the published n's say: K = HEM + T7 = 16.
    sizes = [9, 4, 7]
    atoms_of = {"HEM": [0], "SOC": [0], "T7": [2], "BUF": [2], "K": [0, 2]}
    cells = []
    for unit in data["units"]:
        if unit["shown"]:
            cells.append(atoms_of[unit["id"]])
            assert sum(sizes[a] for a in atoms_of[unit["id"]]) == unit["n_published"]
    assert find_leak(sizes, cells, k=5) is None
    # The XLSX and the pages publish exactly these n's (and so the same cells).
    book = load_workbook(io.BytesIO(client.get(url("export", campaign, "xlsx")).content))
    sheet = {r[0]: r[7] for r in book.worksheets[0].iter_rows(min_row=2, values_only=True)}
    assert sheet == {u["id"]: u.get("n_published") for u in data["units"]}
    page = client.get(url("unit", campaign, units["BUF"]["unit_pk"]))
    assert "Fyra" not in str(page.context["index_rows"])
    # Counts say how many answered (DESIGN.md), never what: T4's four show only as a count.
    assert "4 answers not included" in page.text


def test_unit_pdf_in_the_readers_language(client, admin_user, campaign, units, settings):
    client.force_login(admin_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "sv"
    response = client.get(url("unit_pdf", campaign, units["HEM"].pk))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True
    ).stdout.decode()
    assert "Hemtjänst Norr" in text
    assert "Ledarskap" in text
    hem = {u["id"]: u for u in published_json(get_snapshot(campaign))["units"]}["HEM"]
    assert f"{hem['indices']['hme.total']:.0f}" in text


def _listed(response):
    return [r["summary"]["id"] for r in response.context["rows"]]


def _toggle(response, external_id):
    return next(r["toggle"] for r in response.context["rows"] if r["summary"]["id"] == external_id)


def test_overview_branches_open_and_close_from_the_address(client, admin_user, campaign):
    """K > SOC > HEM, K > BUF > T4, T7: with one level below K shown, each branch opens on
    its own, and a branch within the levels closes."""
    client.force_login(admin_user)
    page = client.get(url("overview", campaign), {"level": 2})
    assert _listed(page) == ["K", "BUF", "SOC"]
    assert _toggle(page, "K")["expanded"] is True
    buf = _toggle(page, "BUF")
    assert buf["expanded"] is False and f"branch-{campaign.target_unit.pk}" in page.text
    assert 'aria-expanded="false"' in page.text and "Show the units below" in page.text

    opened = client.get(url("overview", campaign) + "?" + buf["query"])
    assert _listed(opened) == ["K", "BUF", "T4", "T7", "SOC"]
    assert _toggle(opened, "BUF")["expanded"] is True
    assert _toggle(opened, "T4") is None  # a leaf has nothing to open
    # The sort links keep the open branch.
    assert "open=" in opened.text.split("<thead>")[1].split("</thead>")[0]

    closed_again = client.get(url("overview", campaign) + "?" + _toggle(opened, "BUF")["query"])
    assert _listed(closed_again) == ["K", "BUF", "SOC"]

    shut_top = client.get(url("overview", campaign) + "?" + _toggle(page, "K")["query"])
    assert _listed(shut_top) == ["K"]
    assert _toggle(shut_top, "K")["expanded"] is False


def test_overview_branch_state_ignores_junk_and_other_units(client, admin_user, campaign):
    client.force_login(admin_user)
    page = client.get(url("overview", campaign), {"level": 2, "open": "x,,999999", "shut": "-1"})
    assert page.status_code == 200
    assert _listed(page) == ["K", "BUF", "SOC"]


def test_a_manager_cannot_open_branches_outside_their_units(client, manager_user, campaign, units):
    client.force_login(manager_user)
    page = client.get(
        url("overview", campaign),
        {"level": 1, "open": f"{units['BUF'].pk},{units['K'].pk},{units['SOC'].pk}"},
    )
    assert _listed(page) == ["SOC", "HEM"]


def test_latest_unit_results_picks_each_units_newest_campaign_in_a_fixed_number_of_queries(
    org, units, django_assert_max_num_queries
):
    """A results dialogue's units: each gets its own newest closed campaign with figures (a
    newer campaign sent elsewhere does not count), asked in the same few queries for any
    number of units."""
    from tillit.results.pages import latest_unit_results
    from tillit.results.snapshot import store_snapshot

    older = make_campaign(org, units["K"], name="Enkät 2025", year=2025)
    answer(older, units["HEM"], [3] * 6)
    teams = [add_unit(org, f"T{n}", units["BUF"], name=f"Team {n}") for n in range(4)]
    for team in teams:
        answer(older, team, [2] * 6)
    newer = make_campaign(org, units["SOC"], name="Enkät 2026", year=2026)  # not BUF's teams
    answer(newer, units["HEM"], [5, 5, 5, 5, 4, 4])  # six alike would pin the distribution
    for campaign in (older, newer):
        store_snapshot(campaign)
    later = add_unit(org, "NY", units["K"], name="Ny enhet")  # in no snapshot
    wanted = [units["HEM"].pk, later.pk, *(t.pk for t in teams)]
    with django_assert_max_num_queries(3):
        found = latest_unit_results(wanted, "hme")
    by_unit = {entry["unit_pk"]: entry for entry in found}
    assert [entry["unit_pk"] for entry in found] == [units["HEM"].pk, *(t.pk for t in teams)]
    assert by_unit[units["HEM"].pk]["campaign"] == newer
    assert by_unit[units["HEM"].pk]["indices"][0]["value"] == 91.7
    for team in teams:
        assert by_unit[team.pk]["campaign"] == older
        assert by_unit[team.pk]["indices"][0]["value"] == 25.0
