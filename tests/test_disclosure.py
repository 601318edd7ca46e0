"""Worked examples of disclosure control, and proof that the oracle can fail."""

import numpy as np
import pytest
from django.utils import translation

from tests.oracle import find_leak
from tillit.results.cells import decide_breakdown, smallest_derivable_group
from tillit.results.disclosure import (
    BELOW_K,
    COMPLEMENTARY,
    MESSAGES,
    MOVE_UP,
    SENSITIVE_BELOW_K,
    CrossingRefused,
    DisclosureError,
    Thresholds,
    decide,
    published_sums,
    verify,
)
from tillit.results.publication import ItemSpec, publish
from tillit.results.statistics import Construct, LinearMap, Scoring, Tree, rollup

# Unit of 11 = team A of 4 (hidden) + team B of 7 (shown); k = 5.
ATTACK = Tree.from_units([("unit", None), ("A", "unit"), ("B", "unit")])
ATTACK_COUNTS = np.array([0, 4, 7])


def cells(decision, column=0):
    return [
        np.flatnonzero(decision.included(v, column)).tolist()
        for v in np.flatnonzero(decision.shown[:, column])
    ]


def test_oracle_catches_the_naive_publisher():
    """Show every unit with n ≥ k and its true total: unit − B = A, a group of 4."""
    totals = rollup(ATTACK, ATTACK_COUNTS)
    naive = [
        np.flatnonzero(ATTACK.subtree_mask(v)).tolist()
        for v in range(len(ATTACK))
        if totals[v] >= 5
    ]
    assert find_leak(ATTACK_COUNTS, naive, 5) == [1]


def test_oracle_basics():
    assert find_leak([3, 6], [[0, 1]], 5) is None
    assert find_leak([3, 6], [[0, 1], [1]], 5) == [0]
    # Two leaks only visible together: (a+b) − (b+c) + c = a.
    assert find_leak([2, 9, 9], [[0, 1], [1, 2], [2]], 5) == [0]
    # A group of two atoms: total − big = the two small ones together (size 4 < 5).
    assert find_leak([2, 2, 9], [[0, 1, 2], [2]], 5) == [0, 1]
    assert find_leak([3, 3, 9], [[0, 1, 2], [2]], 5) is None


def test_hidden_sibling_attack_move_up():
    decision = decide(ATTACK, ATTACK_COUNTS, 5)
    verify(decision)
    assert decision.shown[:, 0].tolist() == [True, False, True]
    assert decision.reason[:, 0].tolist() == ["answers_excluded", "below_k", ""]
    # The unit shows B's 7 answers and says that 4 are not included; A's answers are left out.
    assert decision.n_published[:, 0].tolist() == [7, 0, 7]
    assert decision.excluded_n[:, 0].tolist() == [4, 0, 0]
    assert decision.left_out.tolist() == [4]
    assert find_leak(ATTACK_COUNTS, cells(decision), 5) is None
    answers = np.array([[0, 0], [4, 12], [7, 35]])  # count, sum of answers per team
    figures = published_sums(decision, answers, column=0)
    assert figures.tolist() == [[7, 35], [0, 0], [7, 35]]


def test_hidden_sibling_attack_complementary():
    decision = decide(ATTACK, ATTACK_COUNTS, 5, mode="complementary")
    verify(decision)
    assert decision.shown[:, 0].tolist() == [True, False, False]
    assert decision.reason[:, 0].tolist() == ["", "below_k", "residual_protection"]
    assert decision.n_published[0, 0] == 11
    assert find_leak(ATTACK_COUNTS, cells(decision), 5) is None


def test_kolada_total_counts_as_published():
    decision = decide(ATTACK, ATTACK_COUNTS, 5, external=["unit"])
    assert decision.shown[:, 0].tolist() == [True, False, False]
    assert decision.n_published[0, 0] == 11
    with pytest.raises(DisclosureError, match="'unit'"):
        decide(ATTACK, ATTACK_COUNTS, 5, external=["unit", "B"])
    with pytest.raises(DisclosureError, match="'A'"):
        decide(ATTACK, ATTACK_COUNTS, 5, external=["A"])


def test_excluded_answers_are_counted_and_carried_to_the_root():
    # K: SOC (direct 2) with team HEM (6); BUF (3). k = 5.
    tree = Tree.from_units([("K", None), ("SOC", "K"), ("HEM", "SOC"), ("BUF", "K")])
    counts = np.array([0, 2, 6, 3])
    decision = decide(tree, counts, 5)
    verify(decision)
    assert decision.shown[:, 0].tolist() == [True, True, True, False]
    # SOC shows HEM's 6 and leaves its own 2 out; K adds them to BUF's 3: 5 ≥ k, nothing left.
    assert decision.n_published[:, 0].tolist() == [11, 6, 6, 0]
    assert decision.excluded_n[:, 0].tolist() == [0, 2, 0, 0]
    assert decision.left_out.tolist() == [0]
    with translation.override("en"):
        message = str(MESSAGES[decision.reason[1, 0]]) % {"n": decision.excluded_n[1, 0]}
    assert message == "2 answers not included, to protect anonymity"
    # With BUF at 2 the root's remainder (4) is left out of every figure but reported.
    counts[3] = 2
    decision = decide(tree, counts, 5)
    assert decision.n_published[0, 0] == 6 and decision.left_out.tolist() == [4]
    assert find_leak(counts, cells(decision), 5) is None


def test_thresholds_are_validated():
    assert Thresholds() == Thresholds(k=5, k_dist=8, k_text=10, k_sensitive=20)
    for bad in ({"k": 2}, {"k": 11}, {"k": 6, "k_dist": 5}, {"k_text": 4}, {"k_sensitive": 3}):
        with pytest.raises(ValueError):
            Thresholds(**bad)
    with pytest.raises(ValueError, match="below 3"):
        decide(ATTACK, ATTACK_COUNTS, 2)


def test_a_sub_unit_in_one_band_exposes_a_cell_unless_checked_exactly():
    """A (5, all old) and B (6 young, 2 old) under W: W's old cell − A = B's 2 old people.

    Every cell is ≥ k and the per-category residual is 0, yet the published figures leak.
    """
    tree = Tree.from_units([("W", None), ("A", "W"), ("B", "W")])
    bands = np.array([[0, 0], [0, 5], [6, 2]])  # young, old
    counts = bands.sum(axis=1)
    decision = decide(tree, counts, 5)
    unit_cells = [[2 * u + b for u in units for b in (0, 1)] for units in cells(decision)]
    naive = [*unit_cells, [0, 2, 4], [1, 3, 5]]
    assert find_leak(bands.reshape(-1), naive, 5) == [5]
    breakdown = decide_breakdown(decision, bands, ["W"])["W"]
    assert breakdown.shown.tolist() == [False, False]
    assert breakdown.reason == ["cell_complement_protection"] * 2
    # With B's old people at 5 instead, both cells can be shown.
    bands[2, 1] = 5
    decision = decide(tree, bands.sum(axis=1), 5)
    breakdown = decide_breakdown(decision, bands, ["W"])["W"]
    assert breakdown.shown.tolist() == [True, True]
    assert breakdown.n.tolist() == [6, 10]


def test_breakdown_hides_the_next_smallest_cell():
    tree = Tree.from_units([("W", None)])
    bands = np.array([[3, 6, 9]])
    decision = decide(tree, bands.sum(axis=1), 5)
    breakdown = decide_breakdown(decision, bands, ["W"])["W"]
    assert breakdown.shown.tolist() == [False, False, True]
    assert breakdown.reason == ["cell_below_k", "cell_complement_protection", ""]


def test_crossing_below_the_top_and_nested_breakdowns_are_refused():
    decision = decide(ATTACK, ATTACK_COUNTS, 5)
    crossed = np.array([[0, 0, 0, 0], [1, 1, 1, 1], [2, 2, 2, 1]])
    with pytest.raises(CrossingRefused, match="top level"):
        decide_breakdown(decision, crossed, ["B"], variables=("age", "tenure"))
    assert "unit" in decide_breakdown(decision, crossed, ["unit"], variables=("age", "tenure"))
    with pytest.raises(ValueError, match="parents"):
        decide_breakdown(decision, crossed, ["unit", "B"])
    with pytest.raises(ValueError, match="add up"):
        decide_breakdown(decision, crossed[:, :2], ["unit"])


def test_smallest_derivable_group_on_known_tables():
    # Full 2×2 table: only whole rows and whole columns are derivable.
    assert smallest_derivable_group([[5, 6], [7, 8]]) == 11
    # Row 0 lies in one column: column 1 − row 0 = the cell (1, 1).
    assert smallest_derivable_group([[0, 5], [6, 2]]) == 2
    # Disconnected: each component's rows and columns.
    assert smallest_derivable_group([[5, 0], [0, 9]]) == 5
    assert smallest_derivable_group(np.zeros((2, 2))) == float("inf")


def test_sensitive_items_and_distributions_in_a_publication():
    tree = Tree.from_units([("K", None), ("T1", "K"), ("T2", "K")])
    counts = np.array([0, 9, 12])
    items = [ItemSpec("q1"), ItemSpec("harassment", values=(0, 1), sensitive=True)]
    q1 = np.array([[0, 0, 0, 0, 0], [0, 1, 2, 3, 3], [1, 1, 2, 4, 4]])
    harassment = np.array([[0, 0], [8, 1], [11, 1]])  # all answered; 21 in K
    scoring = Scoring((Construct("motivation", ("q1",)),), {"q1": LinearMap(1, 5)})
    result = publish(
        tree,
        counts,
        items,
        {"q1": q1, "harassment": harassment},
        Thresholds(k=5, k_dist=10, k_sensitive=20),
        scoring=scoring,
    )
    team = result.unit_result(1)
    assert team["items"]["q1"]["dist"] is None
    assert team["items"]["q1"]["dist_reason"] == "dist_below_k_dist"
    assert team["items"]["harassment"] == {"reason": "sensitive_below_k"}
    top = result.unit_result(0)
    assert top["items"]["harassment"]["n"] == 21
    assert top["items"]["q1"]["dist"] == [1, 2, 4, 7, 7]
    # T1: (2 + 6 + 12 + 15) / 9 = 3.89 -> (3.89 - 1) * 25 = 72.2 (HME scale)
    assert team["indices"] == {"motivation": 72.2, "total": 72.2}
    # T2 has 12 ≥ k_dist answers, but K's distribution minus T2's would be T1's (9 < 10):
    # K keeps its distribution and T2's is hidden.
    other = result.unit_result(2)["items"]["q1"]
    assert other["dist"] is None and other["dist_reason"] == "dist_residual_protection"


def test_every_reason_has_a_message():
    with translation.override("en"):
        for code, message in MESSAGES.items():
            assert str(message) % {"k": 5, "n": 2}, code


@pytest.mark.parametrize("mode", [MOVE_UP, COMPLEMENTARY])
def test_equal_columns_decided_once_match_each_column_decided_alone(mode):
    rng = np.random.default_rng(11)
    pairs = [("r", None)] + [(f"u{i}", "r" if i < 6 else f"u{rng.integers(i)}") for i in range(60)]
    tree = Tree.from_units(pairs)
    a, b = rng.integers(0, 7, size=len(tree)), rng.integers(0, 7, size=len(tree))
    counts = np.stack([a, b, a, a, b], axis=1)
    k = [5, 5, 5, 7, 5]
    reasons = [BELOW_K, BELOW_K, SENSITIVE_BELOW_K, BELOW_K, BELOW_K]
    together = decide(tree, counts, k, mode=mode, below_k_reason=reasons)
    for column in range(counts.shape[1]):
        alone = decide(
            tree, counts[:, column], k[column], mode=mode, below_k_reason=reasons[column]
        )
        for name in ("shown", "absorbs", "owner", "residual", "n_published", "reason"):
            assert (getattr(together, name)[:, column] == getattr(alone, name)[:, 0]).all(), name
        assert together.k[column] == k[column]
        assert together.left_out[column] == alone.left_out[0]
    assert (together.counts == counts).all()
