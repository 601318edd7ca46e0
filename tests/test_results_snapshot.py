"""The stored published result: built from real answer rows through the disclosure engine."""

import pytest

from tests.oracle import find_leak
from tests.test_results_helpers import ELEVEN, add_unit, answer, make_campaign
from tillit.results.models import ResultSnapshot, ResultUnit
from tillit.results.publishing import build_published_result
from tillit.results.refreshing import get_snapshot
from tillit.results.snapshot import published_json

pytestmark = pytest.mark.django_db


@pytest.fixture
def sibling_campaign(org, units):
    """Avdelning of 11 = team of 4 (hidden) + team of 7 (shown), below Testby kommun."""
    avd = add_unit(org, "AVD", units["K"], name="Avdelningen")
    small = add_unit(org, "T4", avd, name="Team Fyra")
    big = add_unit(org, "T7", avd, name="Team Sju")
    campaign = make_campaign(org, units["K"])
    answer(campaign, small, [1, 1, 1, 1], invited=5)
    answer(campaign, big, [5, 5, 4, 4, 5, 4, 5], invited=8)
    return campaign


def by_id(result):
    return {unit["id"]: unit for unit in result["units"]}


def test_the_json_shape_of_design(sibling_campaign):
    result = build_published_result(sibling_campaign)
    assert set(result) >= {"campaign", "thresholds", "units"}
    assert result["thresholds"] == {"k": 5, "k_dist": 8, "k_text": 10, "k_sensitive": 20}
    units = by_id(result)
    assert set(units) == {"K", "AVD", "T4", "T7"}  # units without invitations are left out
    team = units["T7"]
    assert team["shown"] and team["n_published"] == 7 and team["excluded_n"] == 0
    assert team["n_invited"] == 8 and team["n_responded"] == 7
    assert team["indices"]["hme.total"] == pytest.approx(100 * (4 * 5 + 3 * 4 - 7) / 28, abs=0.1)
    assert team["items"]["hme.mot1"]["n"] == 7
    assert team["items"]["hme.mot1"]["dist"] is None  # 7 < k_dist
    hidden = units["T4"]
    assert hidden == {
        "id": "T4",
        "name": "Team Fyra",
        "parent_id": "AVD",
        "unit_pk": hidden["unit_pk"],
        "path": hidden["path"],
        "depth": 2,
        "n_invited": 5,
        "n_answered_invited": 4,
        "n_via_code": 0,
        "n_responded": 4,
        "shown": False,
        "reason": "below_k",
    }


def test_hidden_sibling_cannot_be_subtracted(sibling_campaign):
    """Avdelning − Team Sju would be Team Fyra: the Avdelning's figure leaves the four out."""
    units = by_id(build_published_result(sibling_campaign))
    avd = units["AVD"]
    assert avd["shown"] and avd["n_published"] == 7 and avd["excluded_n"] == 4
    assert avd["indices"] == units["T7"]["indices"]
    for key, item in avd["items"].items():
        assert (item["n"], item["mean"]) == (
            units["T7"]["items"][key]["n"],
            units["T7"]["items"][key]["mean"],
        )
        assert item["excluded_n"] == 4
    # The oracle on the published counts: atoms T4 (4), T7 (7), AVD direct (0), K direct (0).
    sizes = [4, 7]
    cells = []
    for unit in units.values():
        if unit["shown"]:
            # A figure's n says which atoms it sums over: here 7 can only be {T7}.
            cells.append([1] if unit["n_published"] == 7 else [0, 1])
    assert find_leak(sizes, cells, k=5) is None
    # The naive publication (true totals) would leak the four: the oracle sees it.
    assert find_leak(sizes, [[1], [0, 1]], k=5) == [0]


def test_snapshot_is_stored_once_and_read_back(sibling_campaign):
    snapshot = get_snapshot(sibling_campaign)
    assert snapshot.ready
    assert ResultUnit.objects.filter(snapshot=snapshot).count() == 4
    again = get_snapshot(sibling_campaign)
    assert again.computed_at == snapshot.computed_at  # not recomputed
    data = published_json(snapshot)
    assert [u["id"] for u in data["units"]] == ["K", "AVD", "T4", "T7"]
    hidden = by_id(data)["T4"]
    assert hidden["reason_text"] == "Fewer than 5 answers"
    assert by_id(data)["AVD"]["excluded_text"] == "4 answers not included, to protect anonymity"


def test_comments_never_below_k_text(org, units):
    campaign = make_campaign(org, units["K"])
    small = add_unit(org, "S9", units["BUF"], name="Nio")
    big = add_unit(org, "S12", units["BUF"], name="Tolv")
    answer(campaign, small, [3] * 9, comments=[f"liten {n}" for n in range(9)])
    answer(campaign, big, [4] * 12, comments=[f"stor {n}" for n in range(12)])
    result = by_id(build_published_result(campaign))
    nine = {c["item"]: c for c in result["S9"]["comments"]}["tillitsindex.hjalper"]
    assert "texts" not in nine and nine["reason"] == "text_below_k_text"
    twelve = {c["item"]: c for c in result["S12"]["comments"]}["tillitsindex.hjalper"]
    assert sorted(twelve["texts"]) == sorted(f"stor {n}" for n in range(12))
    # BUF's comments may not include the nine (BUF − S12 would isolate them).
    buf = {c["item"]: c for c in result["BUF"]["comments"]}["tillitsindex.hjalper"]
    assert not any(t.startswith("liten") for t in buf.get("texts", []))
    for unit in result.values():
        for entry in unit.get("comments") or []:
            assert not entry.get("texts") or len(entry["texts"]) >= 10


def test_trend_against_the_previous_campaign(org, units):
    before = make_campaign(org, units["K"], name="Enkät 2025", year=2025)
    now = make_campaign(org, units["K"], name="Enkät 2026", year=2026)
    answer(before, units["HEM"], [3] * 6)
    answer(now, units["HEM"], [4] * 6)
    get_snapshot(before)  # published at its close; the trend reads that publication
    result = build_published_result(now)
    hem = by_id(result)["HEM"]
    assert hem["indices"]["hme.ledarskap"] == 75.0
    assert hem["trend"]["hme.ledarskap"] == 50.0
    assert result["previous"]["hme"] == {"id": before.pk, "name": "Enkät 2025"}
    assert ResultSnapshot.objects.get(campaign=before).ready  # built on demand


def test_a_free_text_only_campaign_publishes_counts_and_comments(org, units):
    """The inventory of good examples has no scale items: units are still decided, comments
    shown where k_text holds, and no item figures appear."""
    import datetime as dt

    from tillit.instruments.shipped import install_shipped
    from tillit.surveys.models import Campaign, CampaignInstrument, Invitation, hash_token
    from tillit.surveys.storing import bulk_store_responses

    version = {v.instrument.slug: v for v, _new in install_shipped()}["goda-exempel"]
    campaign = Campaign.objects.create(
        organisation=org,
        name="Goda exempel",
        target_unit=units["K"],
        opens_on=dt.date(2026, 3, 1),
        closes_on=dt.date(2026, 3, 21),
        status=Campaign.Status.CLOSED,
    )
    CampaignInstrument.objects.create(campaign=campaign, version=version, order=0)
    rows = [
        (units["HEM"].pk, {}, {"goda-exempel": {"berattelse": f"berättelse {n}"}})
        for n in range(12)
    ]
    bulk_store_responses(
        campaign.pk, rows, {"goda-exempel": version.definition}, campaign.closes_on
    )
    Invitation.objects.bulk_create(
        Invitation(campaign=campaign, unit=units["HEM"], token_hash=hash_token(f"g{n}"))
        for n in range(12)
    )
    hem = by_id(build_published_result(campaign))["HEM"]
    assert hem["shown"] and hem["n_responded"] == 12 and hem["items"] == {}
    story = {c["item"]: c for c in hem["comments"]}["goda-exempel.berattelse"]
    assert sorted(story["texts"]) == sorted(f"berättelse {n}" for n in range(12))


def test_scales_of_different_ranges_keep_their_own_histogram_columns(org, units):
    """A 0–10 scale beside HME's 1–5 in one campaign: each item's distribution counts its
    own values in its own columns (the histogram query counts the union of all values)."""
    from tillit.instruments.loading import install, load_yaml
    from tillit.surveys.storing import bulk_store_responses

    eleven, _new = install(load_yaml(ELEVEN))
    campaign = make_campaign(org, units["K"], k_dist=5)
    from tillit.surveys.models import CampaignInstrument

    CampaignInstrument.objects.create(campaign=campaign, version=eleven, order=2)
    answer(campaign, units["HEM"], [2, 2, 4, 4, 4, 5])
    definitions = {"elva": eleven.definition}
    bulk_store_responses(
        campaign.pk,
        [(units["HEM"].pk, {}, {"elva": {"nps": v}}) for v in (0, 0, 7, 10, 10, 10)],
        definitions,
        campaign.closes_on,
    )
    hem = by_id(build_published_result(campaign))["HEM"]
    assert hem["items"]["hme.mot1"]["dist"] == [0, 2, 0, 3, 1]
    assert hem["items"]["elva.nps"]["dist"] == [2, 0, 0, 0, 0, 0, 0, 1, 0, 0, 3]
    # Pages and the PDF say each mean's own scale ("of 5" was once written into the template).
    from tillit.results.pages import unit_context

    snapshot = get_snapshot(campaign)
    row = ResultUnit.objects.get(snapshot=snapshot, external_id="HEM")
    items = {item["key"]: item for item in unit_context(snapshot, row, "sv")["items"]}
    assert (items["elva.nps"]["low"], items["elva.nps"]["high"]) == (0, 10)
    assert (items["hme.mot1"]["low"], items["hme.mot1"]["high"]) == (1, 5)
