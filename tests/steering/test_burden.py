"""The Standard Cost Model against hand-worked examples (staff: K 1, SOC 2, HEM 4, BUF 3)."""

from decimal import Decimal

import pytest

from tests.steering.conftest import signal
from tillit.steering import burden
from tillit.steering.models import Signal

pytestmark = pytest.mark.django_db


def test_one_unit_by_hand():
    # 2 people × 12 times × 30 min / 60 = 12 hours
    assert burden.hours_for_unit("people", 2, 12, 30, staff=5) == 12
    # never more people than the unit has: min(3, 2) × 4 × 60 / 60 = 8
    assert burden.hours_for_unit("people", 3, 4, 60, staff=2) == 8
    # 50 % of 4 people × 220 × 10 / 60 = 73.33…
    assert burden.hours_for_unit("share", 50, 220, 10, staff=4) == pytest.approx(73.3333, abs=1e-3)
    # a unit without staff of its own performs nothing
    assert burden.hours_for_unit("people", 1, 12, 30, staff=0) == 0


def test_signal_totals_by_hand(signals):
    # A: SOC (2 staff) 1×12×0.5 = 6, HEM (4) 6 → 12
    total, per_unit = burden.signal_total(signals["A"])
    assert total == pytest.approx(12)
    assert sorted((u.external_id, h) for u, _staff, h in per_unit) == [("HEM", 6), ("SOC", 6)]
    # B: HEM only, 4 × 50 % × 220 × 10 / 60 = 73.33
    assert burden.signal_total(signals["B"])[0] == pytest.approx(73.333, abs=1e-3)
    # C: K and SOC overlap and count once: K min(3,1)=1 → 4, SOC 2 → 8, HEM 3 → 12, BUF 3 → 12
    assert burden.signal_total(signals["C"])[0] == pytest.approx(36)
    assert burden.totals(signals["A"].organisation) == pytest.approx(
        {signals["A"].pk: 12, signals["B"].pk: 73.3333, signals["C"].pk: 36}, abs=1e-3
    )


def test_money_at_hourly_cost():
    assert burden.money(36, Decimal("450")) == Decimal(16200)
    assert burden.money(73.3333, Decimal("450")) == Decimal(32985)  # 73.3 h × 450


def test_heatmap_rows_by_hand(org, signals, units):
    result = burden.burden_of(org, units["K"])
    rows = {row.name: row for row in result.rows}
    col = {kind: i for i, kind in enumerate(burden.KINDS)}
    whole = rows["Testby kommun"]
    assert whole.is_total and whole.staff == 10
    assert whole.total == pytest.approx(12 + 73.3333 + 36, abs=1e-3)
    soc = rows["Socialförvaltningen"]
    assert soc.staff == 6  # SOC 2 + HEM 4; the inactive person does not count
    assert soc.hours[col["report"]] == pytest.approx(12)
    assert soc.hours[col["time"]] == pytest.approx(73.3333, abs=1e-3)
    assert soc.hours[col["meeting"]] == pytest.approx(8 + 12)
    assert soc.per_employee[col["meeting"]] == pytest.approx(20 / 6)
    buf = rows["Barn- och utbildning"]
    assert buf.hours[col["meeting"]] == pytest.approx(12) and buf.total == pytest.approx(12)
    assert [s.title for s, _h in result.heaviest()] == [
        "Tidregistrering",
        "APT-protokoll",
        "Månadsrapport",
    ]


def test_subtree_burden_counts_only_inside(org, signals, units):
    result = burden.burden_of(org, units["HEM"])
    assert result.rows[0].staff == 4
    # inside HEM: A 6, B 73.33, C 12
    assert result.signal_hours == pytest.approx(
        {signals["A"].pk: 6, signals["B"].pk: 73.3333, signals["C"].pk: 12}, abs=1e-3
    )
    assert burden.burden_of(org, units["BUF"]).signal_hours == pytest.approx({signals["C"].pk: 12})


def test_signals_not_in_force_cost_nothing(org, signals, units):
    Signal.objects.filter(pk=signals["B"].pk).update(status=Signal.Status.REMOVED)
    proposed = signal(org, units, "Ny", people=1, freq=1, minutes=60, hit=["K"])
    Signal.objects.filter(pk=proposed.pk).update(status=Signal.Status.PROPOSED)
    assert set(burden.totals(org)) == {signals["A"].pk, signals["C"].pk}


def test_unused_and_past_review(org, signals, units):
    import datetime as dt

    today = dt.date(2026, 12, 1)
    Signal.objects.filter(pk=signals["A"].pk).update(last_used=dt.date(2026, 6, 1))
    Signal.objects.filter(pk=signals["B"].pk).update(
        last_used=dt.date(2025, 6, 1), review_date=dt.date(2026, 1, 1)
    )
    result = burden.burden_of(org, units["K"])
    assert {s.title for s in result.unused(today)} == {"Tidregistrering", "APT-protokoll"}
    assert [s.title for s in result.past_review(today)] == ["Tidregistrering"]


def test_estimate_of_a_proposal(org, staffed):
    hours, staff = burden.estimate("share", 100, 46, 15, [staffed["SOC"], staffed["HEM"]])
    # SOC subtree: 6 people × 46 × 15 / 60 = 69 hours (HEM counted once)
    assert staff == 6
    assert hours == pytest.approx(69)
