"""Issue 12's attacks 1–5 and republication, through the stored publication and its outputs.

Each attack below recovered a group under k on the code before the publication ledger: live
results read before and after one answer, a campaign recomputed after a reorganisation, the
disclosure mode switched after publication, two background variables side by side, and a mean
that pinned a hidden distribution. Each test attacks the published outputs the way a manager
with ordinary rights would, and finds nothing.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from django.utils import timezone, translation

from tests.oracle import find_leak
from tests.test_results_helpers import add_unit, answer, make_campaign
from tillit.org.actions import UnitFields, do_update_unit
from tillit.results.exports import json_bytes, xlsx_bytes
from tillit.results.ledger import freeze_setup
from tillit.results.models import DisclosureEvent, Publication, ResultSettings
from tillit.results.pages import latest_unit_results
from tillit.results.snapshot import published_json, store_snapshot
from tillit.surveys.models import Campaign

pytestmark = pytest.mark.django_db


def by_id(data) -> dict:
    return {unit["id"]: unit for unit in data["units"]}


def figures(unit: dict) -> dict:
    """Everything a unit publishes about answers (not participation)."""
    return {key: unit.get(key) for key in ("indices", "items", "comments", "breakdowns")}


def varied(n: int, low: int = 2) -> list[int]:
    """n answers that vary (so that no mean pins a distribution)."""
    return [low + (i % 3) for i in range(n)]


# 1. Live results -----------------------------------------------------------------------------


def test_an_open_campaign_publishes_participation_only(org, units):
    """Read before and after one colleague answers, an open campaign's outputs differ in
    counts of blocks of at least k invited people only: no index, mean, distribution or
    comment, in the stored JSON, the JSON and XLSX exports, or a results dialogue."""
    campaign = make_campaign(org, units["K"], status=Campaign.Status.OPEN)
    freeze_setup(campaign)
    answer(campaign, units["HEM"], varied(9), comments=["bra"] * 9, invited=12)
    answer(campaign, units["BUF"], varied(2), invited=3)
    before = published_json(store_snapshot(campaign))
    answer(campaign, units["HEM"], [5], comments=["Min chef lyssnar inte"], invited=1)
    after_snapshot = store_snapshot(campaign)
    after = published_json(after_snapshot)
    assert after["phase"] == "participation"
    for data in (before, after):
        for unit in data["units"]:
            assert not unit["shown"] and unit["reason"] == "campaign_open"
            assert not any(figures(unit).values())
    # BUF (3 invited) is never counted on its own: its count is in the kommun's only.
    assert "n_responded" not in by_id(after)["BUF"]
    assert by_id(after)["HEM"]["n_responded"] - by_id(before)["HEM"]["n_responded"] == 1
    exported = json.loads(json_bytes(after_snapshot))
    assert "Min chef" not in json.dumps(exported) and '"mean"' not in json.dumps(exported)
    assert b"Min chef" not in xlsx_bytes(after_snapshot)
    assert latest_unit_results([units["HEM"].pk]) == []
    assert not Publication.objects.filter(campaign=campaign).exists()


def test_the_results_page_of_an_open_campaign_says_why_it_shows_no_figures(
    client, admin_user, org, units
):
    campaign = make_campaign(org, units["K"], status=Campaign.Status.OPEN)
    answer(campaign, units["HEM"], varied(9), invited=9)
    client.force_login(admin_user)
    page = client.get(f"/o/{org.slug}/results/{campaign.pk}/")
    assert page.status_code == 200
    assert b'id="open-notice"' in page.content
    assert b'id="publication-log"' in page.content  # the freeze, for the process owner
    assert all(cell["value"] is None for row in page.context["rows"] for cell in row["cells"])
    unit_page = client.get(f"/o/{org.slug}/results/{campaign.pk}/units/{units['HEM'].pk}/")
    assert unit_page.status_code == 200 and "index_rows" not in unit_page.context


# 2. Re-publication after a reorganisation -------------------------------------------------


def test_a_closed_campaign_stays_on_the_tree_it_was_launched_on(org, units):
    """A team moved after the survey is not the difference of its new parent's figures."""
    campaign = make_campaign(org, units["K"])
    freeze_setup(campaign)  # the launch
    team = add_unit(org, "T", units["SOC"], name="Team")
    answer(campaign, team, varied(6), invited=6)
    answer(campaign, units["HEM"], varied(6, 1), invited=6)
    answer(campaign, units["BUF"], varied(7), invited=7)
    # The team was not in the tree at launch here, so it hangs under its parent then: SOC.
    first = by_id(published_json(store_snapshot(campaign)))
    do_update_unit(team, UnitFields(name="Team", parent=units["BUF"]))
    again = by_id(published_json(store_snapshot(campaign)))
    assert again["T"]["parent_id"] == first["T"]["parent_id"] == "SOC"
    for key in ("SOC", "BUF", "K", "T"):
        assert figures(again[key]) == figures(first[key])
        assert again[key].get("n_published") == first[key].get("n_published")
    assert Publication.objects.filter(campaign=campaign).count() == 1


def test_a_later_campaign_never_republishes_an_older_one_on_todays_tree(org, units):
    older = make_campaign(org, units["K"], name="Enkät 2025", year=2025)
    answer(older, units["HEM"], varied(6), invited=6)
    answer(older, units["BUF"], varied(6), invited=6)
    stored = published_json(store_snapshot(older))
    do_update_unit(units["HEM"], UnitFields(name="Hemtjänst Norr", parent=units["BUF"]))
    newer = make_campaign(org, units["K"])
    answer(newer, units["HEM"], varied(6), invited=6)
    store_snapshot(newer)  # reads the older one's trend from its stored publication
    older.refresh_from_db()
    assert by_id(published_json(older.snapshot))["HEM"]["parent_id"] == "SOC"
    assert by_id(published_json(older.snapshot)) == by_id(stored)


# 3. Disclosure mode changed after publication ----------------------------------------------


def test_a_mode_changed_after_launch_leaves_the_publication_standing(org, units):
    campaign = make_campaign(org, units["K"])
    freeze_setup(campaign)
    a = add_unit(org, "A", units["SOC"], name="A")
    answer(campaign, a, varied(3), invited=3)
    answer(campaign, units["HEM"], varied(7), invited=7)
    first = by_id(published_json(store_snapshot(campaign)))
    ResultSettings.objects.create(organisation=org, mode=ResultSettings.Mode.COMPLEMENTARY)
    Campaign.objects.filter(pk=campaign.pk).update(k=4)
    campaign.refresh_from_db()
    second = published_json(store_snapshot(campaign))
    assert second["mode"] == "move_up" and second["thresholds"]["k"] == 5
    assert by_id(second) == first
    logged = DisclosureEvent.objects.get(campaign=campaign, kind="ignored")
    assert "complementary" in logged.detail and "k 5 → 4" in logged.detail
    # The log speaks the reader's language: every entry, from its facts.
    entries = DisclosureEvent.objects.filter(campaign=campaign).order_by("pk")
    with translation.override("da"):
        described = [entry.description() for entry in entries]
    assert described[0].startswith(f"{len(first)} enheder; ")
    assert "mindste gruppe 5" in described[0]
    assert any(re.fullmatch(r"offentliggørelse 1: \d+ svar", d) for d in described)
    assert "mindste gruppe (k): 5 → 4" in described[-1]
    assert not any("units" in d or "mode" in d or "answers" in d for d in described)


# 4. Two background variables at one unit ---------------------------------------------------


def _cells_and_atoms(data: dict, people: list[tuple[str, str]]):
    """The published band cells of the top as sets of people (atoms: one per person)."""
    top = next(u for u in data["units"] if u["depth"] == 0)
    cells = [list(range(len(people)))]  # the top's own figure
    for breakdown in top.get("breakdowns", []):
        position = {"age": 0, "tenure": 1}[breakdown["variable"]]
        shown = [b["band"] for b in breakdown["bands"] if "n" in b]
        hidden = [b["band"] for b in breakdown["bands"] if "n" not in b]
        for band in shown:
            cells.append([i for i, p in enumerate(people) if p[position] == band])
        if hidden:
            cells.append([i for i, p in enumerate(people) if p[position] in hidden])
    return cells


def test_two_background_variables_are_checked_together(org, units):
    """Age "–29" (7) beside tenure "<2" (5, all under 30) would give the two young people with
    longer tenure; each table alone is safe."""
    people = (
        [("-29", "<2")] * 5
        + [("-29", "2-5")] * 2
        + [("30-39", "2-5")] * 8
        + [("40-49", ">10")] * 15
    )
    campaign = make_campaign(org, units["K"], ask_age=True, ask_tenure=True)
    values = varied(len(people))
    answer(
        campaign,
        units["HEM"],
        values,
        invited=len(people),
        bands=[{"age": a, "tenure": t} for a, t in people],
    )
    data = published_json(store_snapshot(campaign))
    top = by_id(data)["K"]
    shown = {
        (b["variable"], band["band"])
        for b in top["breakdowns"]
        for band in b["bands"]
        if "n" in band
    }
    assert not {("age", "-29"), ("tenure", "<2")} <= shown
    assert find_leak([1] * len(people), _cells_and_atoms(data, people), 5) is None
    assert shown, "the breakdowns are not all hidden: one variable still shows"
    # Published again with nothing new (a trend refresh): the same figures, bands included.
    assert published_json(store_snapshot(campaign))["units"] == data["units"]


# 5. A mean that pins a distribution --------------------------------------------------------


def test_a_mean_at_the_scale_end_does_not_publish_a_hidden_distribution(org, units):
    """Six who all answered 5 (under k_dist) beside a sibling of seven: parent minus the six's
    pinned distribution would be the seven's hidden one."""
    campaign = make_campaign(org, units["K"])
    a = add_unit(org, "A", units["SOC"], name="A")
    b = add_unit(org, "B", units["SOC"], name="B")
    answer(campaign, a, [5] * 6, invited=6)
    answer(campaign, b, [1, 2, 3, 4, 2, 3, 1], invited=7)
    data = by_id(published_json(store_snapshot(campaign)))
    for item in data["A"]["items"].values() if data["A"]["shown"] else []:
        assert "mean" not in item, "a mean of 5.0 for six pins their distribution"
    soc = data["SOC"]
    if soc["shown"]:
        for key, item in soc["items"].items():
            b_item = data["B"]["items"][key] if data["B"]["shown"] else {}
            # B's distribution is never derivable: SOC's minus a pinned A's.
            assert item.get("dist") is None or "mean" not in data["A"]["items"].get(key, {})
            assert b_item.get("dist") is None


# Later publications (reopen and close again) -----------------------------------------------


def test_answers_after_the_publication_never_differ_by_fewer_than_k(org, units):
    campaign = make_campaign(org, units["K"])
    freeze_setup(campaign)
    answer(campaign, units["HEM"], varied(6), invited=8)
    answer(campaign, units["BUF"], varied(6), invited=8)
    first = by_id(published_json(store_snapshot(campaign)))
    # Reopened: one colleague in HEM answers, then it closes again.
    answer(campaign, units["HEM"], [5], invited=0)
    second = by_id(published_json(store_snapshot(campaign)))
    for key in first:
        if first[key]["shown"]:
            assert second[key]["shown"]
            assert second[key]["n_published"] == first[key]["n_published"]
            assert figures(second[key])["indices"] == figures(first[key])["indices"]
    # The one later answer is too few for a block: it waits, and nothing enters the ledger.
    assert Publication.objects.filter(campaign=campaign).count() == 1
    assert second["K"]["excluded_n"] == first["K"]["excluded_n"] + 1
    # Four more: five later answers in HEM now make a block of their own, at HEM.
    answer(campaign, units["HEM"], [4, 3, 2, 4], invited=0)
    third = by_id(published_json(store_snapshot(campaign)))
    assert third["HEM"]["n_published"] == first["HEM"]["n_published"] + 5
    assert third["BUF"] == second["BUF"]
    assert Publication.objects.filter(campaign=campaign).count() == 2


def test_a_publication_whose_answers_went_missing_stands_and_is_logged(org, units):
    campaign = make_campaign(org, units["K"])
    answer(campaign, units["HEM"], varied(6), invited=6)
    first = published_json(store_snapshot(campaign))
    campaign.responses.first().delete()
    assert published_json(store_snapshot(campaign)) == first
    assert DisclosureEvent.objects.filter(campaign=campaign, kind="held_back").exists()


def test_launching_freezes_the_setup(org, units):
    from tillit.surveys.actions import do_launch_campaign

    campaign = make_campaign(org, units["K"], status=Campaign.Status.DRAFT)
    campaign.opens_on = campaign.closes_on = timezone.localdate()
    campaign.save()
    do_launch_campaign(campaign)
    snapshot = campaign.snapshot
    assert snapshot.frozen_at is not None
    assert snapshot.tree[str(units["HEM"].pk)] == units["SOC"].pk
    assert snapshot.tree[str(units["K"].pk)] is None
    assert np.isfinite(snapshot.thresholds["k"])


def test_comments_after_the_publication_come_only_k_text_at_a_time(org, units):
    campaign = make_campaign(org, units["K"])
    answer(campaign, units["HEM"], varied(12), comments=[f"Första {n}" for n in range(11)])
    first = by_id(published_json(store_snapshot(campaign)))
    texts = next(c["texts"] for c in first["HEM"]["comments"] if "texts" in c)
    assert len(texts) == 11
    answer(campaign, units["HEM"], varied(3), comments=["Sen", "Senare", "Senast"], invited=0)
    second = by_id(published_json(store_snapshot(campaign)))
    again = next(c["texts"] for c in second["HEM"]["comments"] if "texts" in c)
    assert sorted(again) == sorted(texts)  # three later comments are too few: they wait
    answer(campaign, units["HEM"], varied(7), comments=[f"Ny {n}" for n in range(7)], invited=0)
    third = by_id(published_json(store_snapshot(campaign)))
    now = next(c["texts"] for c in third["HEM"]["comments"] if "texts" in c)
    assert len(now) == 21 and {"Sen", "Ny 0"} <= set(now)  # ten later ones: one block
