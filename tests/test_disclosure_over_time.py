"""Property-based tests of everything a campaign ever publishes, against the brute-force oracle.

ANONYMITY.md: the set of everything ever published about a campaign is one system of
equations. Here the engine's pure functions are driven through sequences of publications
(answers arriving between them, left-out answers waiting for the next), several background
variables shown side by side, and means that may pin a distribution; every cell of every
publication goes to tests/oracle.py, which must find no group under k.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.oracle import find_leak, null_space
from tests.test_disclosure_properties import trees
from tillit.results.cells import decide_breakdown, pins_distribution
from tillit.results.crossing import decide_jointly, smallest_joint_group
from tillit.results.disclosure import COMPLEMENTARY, MOVE_UP, Thresholds, decide, verify
from tillit.results.publication import ItemSpec, publish
from tillit.results.republishing import later_decision

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# Sequences of publications -------------------------------------------------------------------


@SETTINGS
@given(trees(max_units=7, max_direct=6), st.sampled_from([MOVE_UP, COMPLEMENTARY]), st.data())
def test_every_publication_of_a_campaign_together_leaks_nothing(case, mode, data):
    """Answers arrive in 2–3 rounds; each publication adds its round (and what earlier ones
    left waiting) on the first one's structure. Atoms: (unit, round of arrival)."""
    tree, first, k = case
    n = len(tree)
    rounds = [first] + [
        np.array(data.draw(st.lists(st.integers(0, 4), min_size=n, max_size=n)), dtype=np.int64)
        for _ in range(data.draw(st.integers(1, 2)))
    ]
    atoms = [(u, r) for r in range(len(rounds)) for u in range(n)]
    sizes = [int(rounds[r][u]) for u, r in atoms]
    published_in: dict[tuple[int, int], tuple[int, int]] = {}  # atom → (epoch, owner)
    waiting = np.zeros(n, dtype=np.int64)
    waiting_atoms: list[list[tuple[int, int]]] = [[] for _ in range(n)]
    base = None
    cells = []
    for epoch, arrived in enumerate(rounds):
        counts = arrived + waiting
        for u in range(n):
            if arrived[u]:
                waiting_atoms[u].append((u, epoch))
        if base is None:
            decision = base = decide(tree, counts, k, mode=mode)
        else:
            decision = later_decision(tree, counts, k, base)
        verify(decision)
        owner = decision.owner[:, 0]
        for u in range(n):
            if owner[u] >= 0:
                for atom in waiting_atoms[u]:
                    published_in[atom] = (epoch, int(owner[u]))
                waiting_atoms[u] = []
        waiting = np.where(owner >= 0, 0, counts)
        # The publication after this epoch: every base-shown unit's figure so far.
        for v in np.flatnonzero(base.shown[:, 0]):
            mask = tree.subtree_mask(int(v))
            cells.append(
                [atoms.index(atom) for atom, (_e, holder) in published_in.items() if mask[holder]]
            )
    assert find_leak(sizes, cells, k) is None


# Several background variables at one unit ---------------------------------------------------


@st.composite
def banded_people(draw):
    """A tree, and per unit a list of people each with a band of 2–3 variables."""
    tree, _counts, k = draw(trees(max_units=5, max_direct=0))
    n_vars = draw(st.integers(2, 3))
    n_bands = [draw(st.integers(2, 3)) for _ in range(n_vars)]
    people = []
    for u in range(len(tree)):
        for _ in range(draw(st.integers(0, 9))):
            people.append((u, tuple(draw(st.integers(0, b - 1)) for b in n_bands)))
    return tree, k, n_bands, people


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(banded_people())
def test_background_variables_side_by_side_leak_nothing(case):
    tree, k, n_bands, people = case
    combos = sorted({c for _u, c in people})
    if not combos:
        return
    position = {c: i for i, c in enumerate(combos)}
    per_unit = np.zeros((len(tree), len(combos)), dtype=np.int64)
    for u, c in people:
        per_unit[u, position[c]] += 1
    decision = decide(tree, per_unit.sum(axis=1), k)
    top = int(tree.roots[0])
    if not decision.shown[top, 0]:
        return
    band_of = [np.array([c[v] for c in combos]) for v in range(len(n_bands))]
    found = {}
    for v, bands in enumerate(n_bands):
        per_band = np.stack([per_unit[:, band_of[v] == b].sum(axis=1) for b in range(bands)], 1)
        found[v] = decide_breakdown(decision, per_band, [tree.ids[top]])[tree.ids[top]]
    owner = decision.owner[:, 0]
    inside = [u for u in range(len(tree)) if owner[u] >= 0]
    holders = sorted({int(owner[u]) for u in inside})
    table = np.array([per_unit[owner == h].sum(axis=0) for h in holders])
    included = decision.included(top)
    sizes = [
        np.array([per_unit[included][:, band_of[v] == b].sum() for b in range(n_bands[v])])
        for v in range(len(n_bands))
    ]
    shown = decide_jointly(table, band_of, [found[v].shown for v in found], sizes, k)
    # Atoms: (unit, combination). Cells: every shown unit figure, each shown band and the
    # hidden bands together of every variable, within the top's figure.
    atoms = [(u, c) for u in range(len(tree)) for c in range(len(combos))]
    atom_sizes = [int(per_unit[u, c]) for u, c in atoms]
    cells = [
        [i for i, (u, _c) in enumerate(atoms) if decision.included(int(v))[u]]
        for v in np.flatnonzero(decision.shown[:, 0])
    ]
    for v, mask in enumerate(shown):
        if not mask.any():
            continue
        for b in np.flatnonzero(mask):
            cells.append(
                [i for i, (u, c) in enumerate(atoms) if included[u] and band_of[v][c] == b]
            )
        hidden = ~mask[band_of[v]]
        if hidden.any():
            cells.append([i for i, (u, c) in enumerate(atoms) if included[u] and hidden[c]])
    assert find_leak(atom_sizes, cells, k) is None


def test_the_joint_check_finds_the_two_young_people_with_longer_tenure():
    """age –29 (7) and tenure <2 (5, all under 30) in one block: the difference is 2."""
    # combinations: (–29, <2) 5, (–29, 2–5) 2, (30–39, 2–5) 8, (40–49, >10) 15
    table = np.array([[5, 2, 8, 15]])
    age = np.array([0, 0, 1, 2])
    tenure = np.array([0, 1, 1, 2])
    assert smallest_joint_group(table, [age, tenure]) == 2
    assert smallest_joint_group(table, [age, np.array([-1, -1, -1, -1])]) == 7  # –29 alone


# A mean that pins a distribution ------------------------------------------------------------


@st.composite
def item_surveys(draw):
    tree, counts, k = draw(trees(max_units=6, max_direct=7))
    values = draw(st.sampled_from([(1, 2), (1, 2, 3), (1, 2, 3, 4, 5)]))
    # Few distinct answers per unit make pinned means common.
    hist = np.zeros((len(tree), len(values)), dtype=np.int64)
    for u, n in enumerate(counts.tolist()):
        for _ in range(n):
            hist[u, draw(st.sampled_from([0, 0, len(values) - 1, 1]))] += 1
    k_dist = draw(st.integers(k, k + 4))
    return tree, counts, k, k_dist, values, hist


def in_span(basis: list[list[int]], vector: list[int]) -> bool:
    return all(sum(a * b for a, b in zip(row, vector, strict=True)) == 0 for row in basis)


@SETTINGS
@given(item_surveys(), st.sampled_from([MOVE_UP, COMPLEMENTARY]))
def test_no_mean_publishes_a_hidden_distribution(survey, mode):
    """Every group derivable from the published sums whose n and sum pin its distribution is
    k_dist or more, or its distribution is derivable from shown distributions anyway."""
    tree, counts, k, k_dist, values, hist = survey
    thresholds = Thresholds(k=k, k_dist=k_dist, k_text=k_dist, k_sensitive=max(k_dist, 20))
    item = ItemSpec("q", values)
    publication = publish(tree, counts, [item], {"q": hist}, thresholds, mode=mode)
    decision, dists = publication.item_decision, publication.distributions
    n = len(tree)
    mean_cells = [decision.included(int(v)) for v in np.flatnonzero(decision.shown[:, 0])]
    dist_cells = [decision.included(int(v)) for v in np.flatnonzero(dists.shown[:, 0])]
    mean_basis = null_space([c.astype(int).tolist() for c in mean_cells], n)
    dist_basis = null_space([c.astype(int).tolist() for c in dist_cells], n)
    sums = hist @ np.asarray(values)
    live = [u for u in range(n) if counts[u] > 0]
    for size in range(1, len(live) + 1):
        for group in combinations(live, size):
            vector = [1 if u in group else 0 for u in range(n)]
            if not in_span(mean_basis, vector):
                continue
            g_n, g_sum = int(counts[list(group)].sum()), int(sums[list(group)].sum())
            assert g_n >= k
            if pins_distribution(np.array(g_n), np.array(g_sum), values[0], values[-1]):
                assert g_n >= k_dist or in_span(dist_basis, vector), (group, g_n, g_sum)


def test_recomputing_after_a_late_answer_would_leak_and_the_oracle_sees_it():
    """The attack the epochs prevent: six and six, one late answer in A, everything decided
    again – the second A figure minus the first is one person."""
    from tillit.results.statistics import Tree

    tree = Tree.from_units([("K", None), ("A", "K"), ("B", "K")])
    first = decide(tree, np.array([0, 6, 6]), 5)
    again = decide(tree, np.array([0, 7, 6]), 5)
    sizes = [0, 6, 6, 1]  # atoms: K, A (first round), B, A (late)
    cells = [[1], [2], [1, 2]]  # A, B, K as first published
    assert again.shown[1, 0]
    cells.append([1, 3])  # A recomputed
    assert find_leak(sizes, cells, 5) == [3]
    careful = later_decision(tree, np.array([0, 1, 0]), 5, first)
    assert not careful.absorbs[:, 0].any()  # the late answer waits
