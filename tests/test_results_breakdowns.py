"""Results by background band at the top of the tree: the complement rule, no item figure over
fewer answers than the band, and nothing derivable from all published counts together."""

import io
import json

import pytest
from openpyxl import load_workbook

from tests.oracle import find_leak
from tests.test_results_helpers import HME_ITEMS, add_unit, answer, make_campaign
from tillit.results.refreshing import get_snapshot
from tillit.results.snapshot import published_json, store_snapshot
from tillit.surveys.storing import bulk_store_responses

pytestmark = pytest.mark.django_db

AGES = [{"age": "30-39"}] * 6 + [{"age": "50-59"}] * 5 + [{"age": "-29"}] * 2


def top(campaign) -> dict:
    units = published_json(get_snapshot(campaign))["units"]
    return next(u for u in units if u["depth"] == 0)


def bands_of(unit, variable="age") -> dict:
    found = next(b for b in unit["breakdowns"] if b["variable"] == variable)
    return {band["band"]: band for band in found["bands"]}


@pytest.fixture
def campaign(org, units):
    campaign = make_campaign(org, units["K"])
    # HEM: 6 aged 30–39 answer 4, 5 aged 50–59 answer 2, 2 under 30 answer 5.
    answer(campaign, units["HEM"], [4] * 6 + [2] * 5 + [5] * 2, bands=AGES)
    # BUF: 7 without any band.
    answer(campaign, units["BUF"], [3] * 7)
    return campaign


def test_small_band_hides_the_next_smallest_too(campaign):
    unit = top(campaign)
    assert unit["n_published"] == 20
    age = bands_of(unit)
    # "-29" (2) is below k; alone it would be top minus the rest, so 50–59 (5) goes too.
    assert age["-29"] == {"band": "-29", "reason": "cell_below_k"}
    assert age["50-59"] == {"band": "50-59", "reason": "cell_complement_protection"}
    assert age["30-39"]["n"] == 6 and age["30-39"]["indices"]["hme.total"] == 75.0
    # The seven who gave no age are a band of their own ("not stated").
    assert age[""]["n"] == 7 and age[""]["indices"]["hme.total"] == 50.0
    assert [b["variable"] for b in unit["breakdowns"]] == ["age"]  # nobody gave tenure


def test_below_the_top_no_unit_is_broken_down(campaign):
    for unit in published_json(get_snapshot(campaign))["units"]:
        if unit["depth"] > 0:
            assert "breakdowns" not in unit


def test_an_items_band_figure_follows_its_own_answerers(org, units):
    """The item's answerers are its population: a band where fewer than k answered it hides
    the item there, and the complement rule hides it in the next smallest band too."""
    campaign = make_campaign(org, units["K"])
    definitions = {v.definition["id"]: v.definition for v in campaign.versions()}
    full = dict.fromkeys(HME_ITEMS, 4)
    skipped = {k: v for k, v in full.items() if k != "led1"}
    rows = [(units["HEM"].pk, {"age": "30-39"}, {"hme": full}) for _ in range(4)]
    rows += [(units["HEM"].pk, {"age": "30-39"}, {"hme": skipped})]
    rows += [(units["HEM"].pk, {"age": "40-49"}, {"hme": full}) for _ in range(6)]
    bulk_store_responses(campaign.pk, rows, definitions, campaign.closes_on)
    store_snapshot(campaign)
    age = bands_of(top(campaign))
    assert age["30-39"]["n"] == 5 and age["40-49"]["n"] == 6
    for band in ("30-39", "40-49"):
        assert age[band]["indices"]["hme.motivation"] == 75.0
        assert age[band]["indices"]["hme.ledarskap"] is None  # led1: 4 answered in 30–39
        assert age[band]["indices"]["hme.total"] is None


def test_no_group_under_k_is_derivable_from_units_and_bands_together(org, units):
    """Atoms are (unit, band); cells every published n (units and bands) – the oracle finds
    no group under k in their span."""
    campaign = make_campaign(org, units["K"])
    t4 = add_unit(org, "T4", units["BUF"])
    t7 = add_unit(org, "T7", units["BUF"])
    answer(campaign, units["HEM"], [4] * 9, bands=[{"age": "30-39"}] * 6 + [{"age": "-29"}] * 3)
    answer(campaign, t4, [2] * 4, bands=[{"age": "30-39"}] * 2 + [{"age": "-29"}] * 2)
    answer(campaign, t7, [3] * 7, bands=[{"age": "30-39"}] * 7)
    store_snapshot(campaign)
    atoms = [("HEM", "30-39"), ("HEM", "-29"), ("T4", "30-39"), ("T4", "-29"), ("T7", "30-39")]
    sizes = [6, 3, 2, 2, 7]
    subtree = {"HEM": {"HEM"}, "SOC": {"HEM"}, "BUF": {"T4", "T7"}, "T4": {"T4"}}
    subtree |= {"T7": {"T7"}, "K": {"HEM", "T4", "T7"}}
    data = published_json(get_snapshot(campaign))
    cells = []
    for unit in data["units"]:
        if not unit["shown"]:
            continue
        # A shown unit's n covers its subtree minus what it excludes (T4 here, hidden below k).
        members = subtree[unit["id"]] - ({"T4"} if unit["excluded_n"] else set())
        cell = [a for a, (u, _b) in enumerate(atoms) if u in members]
        assert sum(sizes[a] for a in cell) == unit["n_published"]
        cells.append(cell)
        for band, figure in bands_of(unit).items() if "breakdowns" in unit else ():
            if "n" in figure:
                band_cell = [a for a in cell if atoms[a][1] == band]
                assert sum(sizes[a] for a in band_cell) == figure["n"]
                cells.append(band_cell)
    assert find_leak(sizes, cells, k=5) is None


def test_json_and_xlsx_carry_the_same_breakdown(client, admin_user, campaign):
    client.force_login(admin_user)
    base = f"/o/testby/results/{campaign.pk}"
    data = json.loads(client.get(f"{base}/export.json").content)
    unit = next(u for u in data["units"] if u["depth"] == 0)
    assert bands_of(unit)["30-39"]["n"] == 6
    book = load_workbook(io.BytesIO(client.get(f"{base}/export.xlsx").content))
    sheet = book["Background"]
    rows = list(sheet.iter_rows(values_only=True))
    header, body = rows[0], [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    assert "HME total" in header
    by_band = {r["Group"]: r for r in body}
    assert by_band["30–39"]["Answers"] == 6 and by_band["30–39"]["HME total"] == 75.0
    assert by_band["29 or younger"]["Answers"] is None
    assert by_band["29 or younger"]["Why not shown"] == "Fewer than 5 answers in this group"
    assert by_band["Not stated"]["Answers"] == 7
    page = client.get(f"{base}/units/{unit['unit_pk']}/").content.decode()
    assert "By background" in page and "Not stated" in page
