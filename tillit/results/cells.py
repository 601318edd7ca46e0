"""Disclosure control of background breakdowns: which bands of a shown unit's figure may be
published (:mod:`tillit.results.disclosure` for the whole reasoning).

**Background breakdowns** (one variable, e.g. age band, at a shown unit w): the cells are the
band parts of w's figure. With w's sub-units shown, the published vectors inside w's figure
are the residual blocks (rows) and the band cells (columns) of a two-way table whose zero
pattern an adversary may know, and the per-cell and per-category rules alone are not enough
(a sub-unit entirely in one band publishes that band's cell with its total). So the table is
checked exactly (:func:`smallest_derivable_group`): a vector in the span of rows and columns is
α_row + β_column on every non-empty cell; per connected component the β are enumerated (at
most 3^(columns−1) patterns) and the rows then choose independently. Bands are hidden – first
those below k, then the next smallest while the hidden cells together are below k, then the
smallest shown one while the exact check finds a group below k. Breakdowns of one variable at
nested units would couple tables; they are refused (one level per branch), as is crossing two
variables anywhere but a root.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from tillit.results.disclosure import (
    CELL_BELOW_K,
    CELL_COMPLEMENT_PROTECTION,
    CrossingRefused,
    Decision,
    block_sizes,
)


@dataclass(frozen=True, eq=False)
class Breakdown:
    """One background variable at one shown unit: which bands may be shown, and why not."""

    unit: int
    shown: np.ndarray
    reason: list[str]
    n: np.ndarray
    smallest_group: int


def smallest_derivable_group(table: np.ndarray) -> float:
    """The size of the smallest non-empty group whose indicator is a combination of the rows and
    columns of ``table`` (cell sizes; rows and columns are blocks of disjoint atoms).

    Exact: on non-empty cells a combination is α_r + β_c, which must be 0 or 1. Per connected
    component of the row–column graph, β of a first column is fixed at 0 and the others
    enumerated within ±1 of a neighbour (3^(columns−1) patterns at most); given β, every row
    independently takes an α that keeps its cells 0/1. Returns inf when nothing is derivable.
    """
    table = np.asarray(table, dtype=np.int64)
    table = table[table.sum(axis=1) > 0]
    table = table[:, table.sum(axis=0) > 0]
    if table.size == 0:
        return float("inf")
    nonempty = table > 0
    n_cols = table.shape[1]
    linked = (nonempty.T.astype(np.int64) @ nonempty.astype(np.int64)) > 0
    seen = np.zeros(n_cols, dtype=bool)
    best = float("inf")
    for start in range(n_cols):
        if seen[start]:
            continue
        order, parents, queue = [start], [-1], [start]
        seen[start] = True
        while queue:
            current = queue.pop(0)
            for other in np.flatnonzero(linked[current] & ~seen):
                seen[other] = True
                order.append(int(other))
                parents.append(current)
                queue.append(int(other))
        rows = nonempty[:, order].any(axis=1)
        sub = table[rows][:, order]
        best = min(best, _component_smallest(sub, parents, order))
    return best


def _component_smallest(sub: np.ndarray, parents: list[int], order: list[int]) -> float:
    position = {column: i for i, column in enumerate(order)}
    parent_pos = [position[p] if p >= 0 else -1 for p in parents]
    nonempty = sub > 0
    big = 1 << 20
    best = float("inf")
    betas = np.zeros(len(order), dtype=np.int64)

    def evaluate() -> float:
        b = np.broadcast_to(betas, sub.shape)
        low = np.where(nonempty, -b, -big).max(axis=1)
        high = np.where(nonempty, 1 - b, big).min(axis=1)
        if (low > high).any():
            return float("inf")
        contrib_low = np.where(nonempty & (low[:, None] + b == 1), sub, 0).sum(axis=1)
        contrib_high = np.where(nonempty & (high[:, None] + b == 1), sub, 0).sum(axis=1)
        minimum = np.minimum(contrib_low, contrib_high)
        if minimum.sum() > 0:
            return float(minimum.sum())
        positive = np.where(contrib_low > 0, contrib_low, big)
        positive = np.minimum(positive, np.where(contrib_high > 0, contrib_high, big))
        smallest = positive.min()
        return float("inf") if smallest >= big else float(smallest)

    def assign(i: int) -> None:
        nonlocal best
        if i == len(order):
            best = min(best, evaluate())
            return
        base = betas[parent_pos[i]]
        for value in (base - 1, base, base + 1):
            betas[i] = value
            assign(i + 1)

    assign(1)
    return best


def decide_breakdown(
    decision: Decision,
    band_counts: np.ndarray,
    units: Iterable[Hashable],
    *,
    column: int = 0,
    variables: Sequence[str] = ("band",),
) -> dict[Hashable, Breakdown]:
    """Which bands of one background variable may be shown at each of ``units`` (ids).

    ``band_counts``: [n_units, n_bands] direct counts per band of the decision's column (they
    must add up to its counts). Several ``variables`` mean a crossing (bands = combinations):
    refused below a root. Breakdowns at nested units are refused (one level per branch).
    """
    tree = decision.tree
    band_counts = np.asarray(band_counts, dtype=np.int64)
    if band_counts.shape[0] != len(tree) or band_counts.ndim != 2:
        raise ValueError("band_counts must be [n_units, n_bands]")
    if (band_counts.sum(axis=1) != decision.counts[:, column]).any():
        raise ValueError("band counts do not add up to the unit counts")
    chosen = [tree.index[unit_id] for unit_id in units]
    if len(variables) > 1:
        for unit in chosen:
            if tree.parent[unit] >= 0:
                raise CrossingRefused(
                    f"{' × '.join(variables)} may only be crossed at the top level, "
                    f"not at {tree.ids[unit]!r}"
                )
    chosen_set = set(chosen)
    for unit in chosen:
        if chosen_set.intersection(tree.ancestors(unit)):
            raise ValueError(
                f"breakdowns at {tree.ids[unit]!r} and one of its parents cannot both be shown"
            )
    k = int(decision.k[column])
    owner = decision.owner[:, column]
    result: dict[Hashable, Breakdown] = {}
    for unit in chosen:
        if not decision.shown[unit, column]:
            continue
        inside = tree.subtree_mask(unit)[np.maximum(owner, 0)] & (owner >= 0)
        blocks: dict[int, np.ndarray] = {}
        for atom in np.flatnonzero(inside):
            holder = int(owner[atom])
            blocks[holder] = blocks.get(holder, 0) + band_counts[atom]
        table = np.array(list(blocks.values()), dtype=np.int64).reshape(-1, band_counts.shape[1])
        sizes = table.sum(axis=0)
        shown = sizes >= k
        reason = ["" if s else CELL_BELOW_K for s in shown]
        smallest = 0.0
        while True:
            hidden = sizes[~shown].sum()
            if 0 < hidden < k and shown.any():
                _hide_smallest(shown, sizes, reason)
                continue
            columns = [table[:, b] for b in np.flatnonzero(shown)]
            if hidden:
                columns.append(table[:, ~shown].sum(axis=1))
            smallest = smallest_derivable_group(np.stack(columns, axis=1))
            if smallest >= k or not shown.any():
                break
            _hide_smallest(shown, sizes, reason)
        result[tree.ids[unit]] = Breakdown(
            unit=unit,
            shown=shown,
            reason=reason,
            n=np.where(shown, sizes, 0),
            smallest_group=smallest,
        )
    return result


def _hide_smallest(shown: np.ndarray, sizes: np.ndarray, reason: list[str]) -> None:
    band = min(np.flatnonzero(shown), key=lambda b: (sizes[b], b))
    shown[band] = False
    reason[band] = CELL_COMPLEMENT_PROTECTION


def published_breakdown(
    decision: Decision, breakdown: Breakdown, band_direct: np.ndarray, *, column: int = 0
) -> np.ndarray:
    """Per band of ``breakdown``: the sum of ``band_direct`` ([n_units, n_bands, ...]) over the
    unit's included atoms; hidden bands are 0."""
    band_direct = np.asarray(band_direct)
    included = decision.included(breakdown.unit, column)
    totals = band_direct[included].sum(axis=0)
    mask = breakdown.shown.reshape(breakdown.shown.shape + (1,) * (band_direct.ndim - 2))
    return np.where(mask, totals, 0)


# A figure that determines a hidden one -----------------------------------------------------------


def pins_distribution(n: np.ndarray, total: np.ndarray, low: int, high: int) -> np.ndarray:
    """Where n answers on the integer scale low..high summing to ``total`` allow one histogram
    only (so a mean with its n publishes the distribution): all but at most one answer at an
    end of the scale, a two-value scale, or a single answer."""
    span = high - low
    offset = total - n * low
    return (n > 0) & ((span <= 1) | (n <= 1) | (offset <= 1) | (n * span - offset <= 1))


def pinned_blocks(
    decision: Decision,
    direct_sums: np.ndarray,
    lows: Sequence[int],
    highs: Sequence[int],
    dist_shown: np.ndarray,
) -> np.ndarray:
    """[units, columns]: absorbing units whose residual block's n and sum pin the block's
    distribution while that distribution is not already derivable from shown distributions
    (the unit's own and those of its frontier units). Each is a hidden distribution published
    through a mean (ANONYMITY.md): the block must not stand on its own.

    Any figure derivable from a laminar family is a union of blocks, and a union pins only if
    each of its blocks pins from the same end, so checking blocks is enough.
    """
    tree, absorbs = decision.tree, decision.absorbs
    n_units = len(tree)
    sums = block_sizes(decision.owner, np.rint(direct_sums).astype(np.int64), n_units)
    lows_a, highs_a = np.asarray(lows)[None, :], np.asarray(highs)[None, :]
    pinned = absorbs & pins_distribution(decision.residual, sums, lows_a, highs_a)
    if not pinned.any():
        return pinned
    # A frontier unit w of v (absorbing, v its nearest absorbing strict ancestor) without a
    # shown distribution leaves v's block underivable from distributions.
    uncovered = np.zeros(absorbs.shape, dtype=bool)
    has_parent = tree.parent >= 0
    child_units = np.flatnonzero(has_parent)
    if len(child_units):
        above = decision.owner[tree.parent[child_units]]  # [children, columns]
        bad = absorbs[child_units] & ~dist_shown[child_units] & (above >= 0)
        rows, columns = np.nonzero(bad)
        uncovered[above[rows, columns], columns] = True
    return pinned & ~(dist_shown & ~uncovered)
