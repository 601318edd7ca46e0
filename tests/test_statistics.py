"""Roll-up, means and indices of tillit.results.statistics."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tillit.results.statistics import (
    Construct,
    LinearMap,
    Scoring,
    Tree,
    distribution,
    indices,
    mean,
    rollup,
)


@st.composite
def forests(draw):
    n = draw(st.integers(1, 40))
    parents = [None] + [draw(st.one_of(st.none(), st.integers(0, i - 1))) for i in range(1, n)]
    order = draw(st.permutations(range(n)))
    pairs = [(f"u{i}", None if parents[i] is None else f"u{parents[i]}") for i in order]
    return Tree.from_units(pairs), parents


@settings(max_examples=200, deadline=None)
@given(forests(), st.integers(0, 2**31 - 1))
def test_rollup_equals_brute_force_subtree_sums(case, seed):
    tree, parents = case
    direct = np.random.default_rng(seed).integers(0, 9, size=(len(tree), 3, 5))
    totals = rollup(tree, direct)
    for unit_id in tree.ids:
        members = [u for u in tree.ids if u == unit_id or _is_below(u, unit_id, parents)]
        expected = sum(direct[tree.index[u]] for u in members)
        assert (totals[tree.index[unit_id]] == expected).all()


def _is_below(unit, ancestor, parents):
    current = parents[int(unit[1:])]
    while current is not None:
        if f"u{current}" == ancestor:
            return True
        current = parents[current]
    return False


def test_tree_refuses_bad_input():
    with pytest.raises(ValueError, match=r"'b'.*unknown parent 'x'"):
        Tree.from_units([("a", None), ("b", "x")])
    with pytest.raises(ValueError, match="twice"):
        Tree.from_units([("a", None), ("a", None)])
    with pytest.raises(ValueError, match="own ancestor"):
        Tree.from_units([("a", "b"), ("b", "a")])


def test_mean_and_distribution():
    hist = np.array([[1, 0, 0, 1, 2], [0, 0, 0, 0, 0]])
    means = mean(hist, (1, 2, 3, 4, 5))
    assert means[0] == pytest.approx((1 + 4 + 10) / 4)
    assert np.isnan(means[1])
    shares = distribution(hist)
    assert shares[0].tolist() == [0.25, 0, 0, 0.25, 0.5]
    assert np.isnan(shares[1]).all()


def test_hme_indices_worked_example():
    """HME: each answer becomes (answer − 1) × 25; sub-index = mean of its items; total of 9."""
    hme = LinearMap(1, 5)
    assert hme(np.array([1, 3, 5])).tolist() == [0, 50, 100]
    names = {"motivation": "m", "ledarskap": "l", "styrning": "s"}
    scoring = Scoring(
        tuple(Construct(c, tuple(f"{p}{i}" for i in (1, 2, 3))) for c, p in names.items()),
        {f"{p}{i}": hme for p in names.values() for i in (1, 2, 3)},
    )
    # One unit: motivation items' means 4, 4.5, 3.5 -> 75, 87.5, 62.5 -> 75.
    means = {"m1": 4.0, "m2": 4.5, "m3": 3.5, "l1": 5, "l2": 5, "l3": 5, "s1": 1, "s2": 2, "s3": 3}
    result = indices({k: np.array([v]) for k, v in means.items()}, scoring)
    assert result["motivation"][0] == pytest.approx(75)
    assert result["ledarskap"][0] == pytest.approx(100)
    assert result["styrning"][0] == pytest.approx(25)
    assert result["total"][0] == pytest.approx((75 + 100 + 25) / 3)
    # An item that is not published makes its construct and the total unknown, never partial.
    means["m1"] = np.nan
    result = indices({k: np.array([v]) for k, v in means.items()}, scoring)
    assert np.isnan(result["motivation"][0]) and np.isnan(result["total"][0])
    assert result["ledarskap"][0] == pytest.approx(100)


def test_scoring_is_validated():
    with pytest.raises(ValueError, match="no map"):
        Scoring((Construct("c", ("q",)),), {})
    with pytest.raises(ValueError, match="reserved"):
        Scoring((Construct("total", ("q",)),), {"q": LinearMap(1, 5)})
    with pytest.raises(ValueError, match="below"):
        LinearMap(5, 1)
