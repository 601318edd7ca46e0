"""Property-based tests: whatever the engine publishes, the brute-force oracle finds no leak.

Random trees of 2–10 units with 0–8 direct respondents each and k in 3..6; every output path
(unit figures, item figures with skips, distributions, comments, background breakdowns,
figures published elsewhere) is turned into cells over atoms and handed to tests/oracle.py.
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.oracle import find_leak
from tillit.results.cells import decide_breakdown, published_breakdown
from tillit.results.disclosure import (
    COMPLEMENTARY,
    MOVE_UP,
    CrossingRefused,
    DisclosureError,
    Thresholds,
    decide,
    published_comments,
    published_sums,
    verify,
)
from tillit.results.publication import ItemSpec, publish
from tillit.results.statistics import Tree, rollup

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def trees(draw, min_units=2, max_units=10, max_direct=8):
    """(Tree, direct counts, k): unit i's parent is drawn among units 0..i-1 (one root)."""
    n = draw(st.integers(min_units, max_units))
    parents = [None] + [draw(st.integers(0, i - 1)) for i in range(1, n)]
    pairs = [(f"u{i}", None if p is None else f"u{p}") for i, p in enumerate(parents)]
    order = draw(st.permutations(range(n)))
    tree = Tree.from_units([pairs[i] for i in order])
    counts = np.array([draw(st.integers(0, max_direct)) for _ in range(n)], dtype=np.int64)
    k = draw(st.integers(3, 6))
    return tree, counts, k


def shown_cells(decision, column=0):
    """Each shown unit's figure as a cell: the list of units (atoms) it includes."""
    return [
        np.flatnonzero(decision.included(v, column)).tolist()
        for v in np.flatnonzero(decision.shown[:, column])
    ]


def subtree_cell(tree, unit):
    return np.flatnonzero(tree.subtree_mask(unit)).tolist()


@SETTINGS
@given(trees(), st.sampled_from([MOVE_UP, COMPLEMENTARY]))
def test_unit_figures_leak_nothing(case, mode):
    tree, counts, k = case
    decision = decide(tree, counts, k, mode=mode)
    verify(decision)
    assert find_leak(counts, shown_cells(decision), k) is None
    totals = rollup(tree, counts)
    # Every figure is the sum over exactly its included atoms, through the published path.
    values = np.arange(1, len(tree) + 1, dtype=np.int64) * 1000 + counts
    figures = published_sums(decision, values, column=0)
    for v in range(len(tree)):
        if decision.shown[v, 0]:
            included = decision.included(v)
            assert figures[v] == values[included].sum()
            assert decision.n_published[v, 0] == counts[included].sum() >= k
            assert decision.excluded_n[v, 0] == totals[v] - decision.n_published[v, 0]
        else:
            assert figures[v] == 0 and decision.reason[v, 0] in (
                "below_k",
                "residual_protection",
            )
    root = tree.roots[0]
    if mode == MOVE_UP:
        # Every unit with n ≥ k keeps a figure; what the root leaves out is reported.
        assert (decision.shown[:, 0] == (totals >= k)).all()
        assert decision.left_out[0] == totals[root] - decision.n_published[root, 0] < k
    else:
        # Figures equal true totals; the root is never given up.
        shown = decision.shown[:, 0]
        assert (figures[shown] == rollup(tree, values)[shown]).all()
        assert shown[root] == (totals[root] >= k)
        assert (totals[shown] >= k).all()


@SETTINGS
@given(trees(), st.sampled_from([MOVE_UP, COMPLEMENTARY]), st.data())
def test_figures_published_elsewhere_count_as_published(case, mode, data):
    tree, counts, k = case
    root = tree.roots[0]
    totals = rollup(tree, counts)
    eligible = [v for v in range(len(tree)) if totals[v] >= k]
    external = data.draw(
        st.lists(st.sampled_from(eligible), unique=True) if eligible else st.just([])
    )
    external_cells = [subtree_cell(tree, v) for v in external]
    try:
        decision = decide(tree, counts, k, mode=mode, external=[tree.ids[v] for v in external])
    except DisclosureError:
        # Only when what must be published leaks by itself: the outside publications, and in
        # complementary mode the root's true total too.
        forced = external_cells + ([subtree_cell(tree, root)] if mode == COMPLEMENTARY else [])
        assert find_leak(counts, forced, k) is not None
        return
    verify(decision)
    for v in external:
        assert decision.shown[v, 0] and decision.n_published[v, 0] == totals[v]
    assert find_leak(counts, shown_cells(decision) + external_cells, k) is None


@st.composite
def surveys(draw, max_units=8):
    tree, counts, k = draw(trees(max_units=max_units))
    n_items = draw(st.integers(1, 3))
    items, histograms = [], {}
    for i in range(n_items):
        sensitive = draw(st.booleans()) and i > 0
        items.append(ItemSpec(f"q{i}", values=(1, 2, 3), sensitive=sensitive))
        answered = np.array([draw(st.integers(0, int(c))) for c in counts])
        hist = np.zeros((len(counts), 3), dtype=np.int64)
        for u, m in enumerate(answered):
            for _ in range(m):
                hist[u, draw(st.integers(0, 2))] += 1
        histograms[f"q{i}"] = hist
    k_dist = draw(st.integers(k, k + 4))
    k_sensitive = draw(st.integers(k, k + 6))
    thresholds = Thresholds(k=k, k_dist=k_dist, k_text=10, k_sensitive=k_sensitive)
    return tree, counts, items, histograms, thresholds


@SETTINGS
@given(surveys(), st.sampled_from([MOVE_UP, COMPLEMENTARY]))
def test_items_with_skips_and_distributions_leak_nothing(survey, mode):
    tree, counts, items, histograms, thresholds = survey
    result = publish(tree, counts, items, histograms, thresholds, mode=mode)
    verify(result.units)
    verify(result.item_decision)
    for column, item in enumerate(items):
        item_counts = histograms[item.id].sum(axis=1)
        k_item = thresholds.k_sensitive if item.sensitive else thresholds.k
        shown = result.item_decision.shown[:, column]
        assert not (shown & ~result.units.shown[:, 0]).any()
        assert find_leak(item_counts, shown_cells(result.item_decision, column), k_item) is None
        dist = result.distributions.shown[:, column]
        assert not (dist & ~shown).any()
        assert (result.item_decision.n_published[dist, column] >= thresholds.k_dist).all()
        dist_cells = [
            np.flatnonzero(result.item_decision.included(v, column)).tolist()
            for v in np.flatnonzero(dist)
        ]
        assert find_leak(item_counts, dist_cells, thresholds.k_dist) is None
        for v in range(len(tree)):
            included = result.item_decision.included(v, column)
            expected = histograms[item.id][included].sum(axis=0)
            assert (result.histograms[item.id][v] == expected).all()
            payload = result.unit_result(v)
            if shown[v]:
                assert payload["items"][item.id]["n"] == expected.sum()
                assert (payload["items"][item.id]["dist"] is not None) == dist[v]
            elif payload["shown"]:
                assert "n" not in payload["items"][item.id]
            else:
                assert "items" not in payload and payload["reason"]


@SETTINGS
@given(trees(max_direct=12), st.sampled_from([MOVE_UP, COMPLEMENTARY]), st.data())
def test_comments_leak_nothing_with_k_text(case, mode, data):
    tree, counts, _k = case
    k_text = data.draw(st.integers(5, 10))
    writers = np.array([data.draw(st.integers(0, int(c))) for c in counts])
    decision = decide(
        tree,
        writers,
        k_text,
        mode=mode,
        below_k_reason="text_below_k_text",
        protection_reason="text_residual_protection",
    )
    verify(decision)
    assert find_leak(writers, shown_cells(decision), k_text) is None
    comments = {
        tree.ids[u]: [f"{tree.ids[u]}-{i}" for i in range(w)] for u, w in enumerate(writers)
    }
    published = published_comments(decision, comments, salt="campaign")
    for v in np.flatnonzero(decision.shown[:, 0]):
        included = decision.included(v)
        expected = sorted(c for u in np.flatnonzero(included) for c in comments[tree.ids[u]])
        assert sorted(published[tree.ids[v]]) == expected
        assert len(expected) >= k_text
    hidden = [tree.ids[v] for v in np.flatnonzero(~decision.shown[:, 0])]
    assert not set(hidden) & set(published)
    assert set(decision.reason[~decision.shown[:, 0], 0]) <= {
        "text_below_k_text",
        "text_residual_protection",
    }


@st.composite
def banded(draw):
    n = draw(st.integers(2, 6))
    parents = [None] + [draw(st.integers(0, i - 1)) for i in range(1, n)]
    tree = Tree.from_units(
        [(f"u{i}", None if p is None else f"u{p}") for i, p in enumerate(parents)]
    )
    n_bands = draw(st.integers(2, 3))
    bands = np.array(
        # Many empty cells: a unit entirely in one band is what makes breakdowns dangerous.
        [
            [draw(st.sampled_from((0, 0, 0, 1, 2, 3, 5, 6))) for _ in range(n_bands)]
            for _ in range(n)
        ],
        dtype=np.int64,
    )
    k = draw(st.integers(3, 6))
    return tree, bands, k


@SETTINGS
@given(banded(), st.sampled_from([MOVE_UP, COMPLEMENTARY]), st.data())
def test_background_breakdowns_leak_nothing(case, mode, data):
    tree, bands, k = case
    n_units, n_bands = bands.shape
    counts = bands.sum(axis=1)
    decision = decide(tree, counts, k, mode=mode)
    shown = [int(v) for v in np.flatnonzero(decision.shown[:, 0])]
    picked = data.draw(st.lists(st.sampled_from(shown), unique=True) if shown else st.just([]))
    at = [v for v in picked if not set(tree.ancestors(v)) & set(picked)]
    breakdowns = decide_breakdown(decision, bands, [tree.ids[v] for v in at])

    def atom(unit, band):
        return unit * n_bands + band

    sizes = bands.reshape(-1)
    cells = [[atom(u, b) for u in units for b in range(n_bands)] for units in shown_cells(decision)]
    direct = np.arange(1, n_units * n_bands + 1).reshape(n_units, n_bands) * 100 + bands
    for breakdown in breakdowns.values():
        included = np.flatnonzero(decision.included(breakdown.unit))
        figures = published_breakdown(decision, breakdown, direct)
        for b in range(n_bands):
            if breakdown.shown[b]:
                assert breakdown.n[b] == bands[included, b].sum() >= k
                assert figures[b] == direct[included, b].sum()
                cells.append([atom(u, b) for u in included])
            else:
                assert figures[b] == 0 and breakdown.reason[b]
        assert breakdown.smallest_group >= k
    assert find_leak(sizes, cells, k) is None


@settings(max_examples=100, deadline=None)
@given(banded(), st.data())
def test_crossing_at_the_top_leaks_nothing_and_is_refused_below(case, data):
    tree, age, k = case
    tenure = np.array([[data.draw(st.integers(0, int(a))) for a in row] for row in age])
    # Combined bands: (age band, short tenure) and (age band, long tenure).
    crossed = np.concatenate([tenure, age - tenure], axis=1)
    counts = crossed.sum(axis=1)
    decision = decide(tree, counts, k)
    root = tree.ids[tree.roots[0]]
    for unit_id in tree.ids:
        if unit_id != root:
            with pytest.raises(CrossingRefused):
                decide_breakdown(decision, crossed, [unit_id], variables=("age", "tenure"))
    breakdown = decide_breakdown(decision, crossed, [root], variables=("age", "tenure")).get(root)
    n_bands = crossed.shape[1]
    cells = [
        [u * n_bands + b for u in units for b in range(n_bands)] for units in shown_cells(decision)
    ]
    if breakdown is not None:
        included = np.flatnonzero(decision.included(breakdown.unit))
        cells += [[u * n_bands + b for u in included] for b in np.flatnonzero(breakdown.shown)]
    assert find_leak(crossed.reshape(-1), cells, k) is None
