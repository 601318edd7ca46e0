"""Disclosure control: the one module that decides what of a survey's results may be published.

Read /work/shared/ANONYMITY.md for the reasoning; this docstring says how it is implemented.

**Atoms.** A unit's direct respondents (people attached to the unit itself). Every figure this
module lets out is a sum over whole atoms, described by an *owner* array: ``owner[u]`` is the
shown unit whose *residual block* absorbed unit u's direct respondents, or -1 when they were
left out of every figure (carried past the root). A shown unit v's figure includes exactly the
atoms u whose owner lies in v's subtree, so figures are nested or disjoint (a laminar family)
and ``residual(v)`` – the atoms owned by v – is what v has beyond its shown sub-units.
ANONYMITY.md's theorem then reads: *safe ⇔ every shown v has n_published(v) ≥ k and
residual(v) = 0 or ≥ k*; :func:`verify` checks exactly that.

**Move-up** (default), vectorised over levels and over items: bottom-up, a unit whose carried
answers (its direct ones plus what its children carried up) number ≥ k absorbs them (is shown
with its covered sub-units plus that residual); otherwise it carries them up and is shown with
its covered sub-units only ("n answers not included") or, with none, hidden ("below_k"). What
is carried past a root is left out of every figure and reported as ``left_out``.

**Complementary suppression** (``mode="complementary"``; figures equal true totals): every unit
with n ≥ k is published with its whole subtree; then, deepest first, a published v with
0 < residual < k is repaired by unpublishing the frontier unit (maximal published descendant)
with the smallest positive residual – that adds ≥ k to v's residual, so one step suffices –
or, when none has one, v itself (never a root); units unpublished this way get
"residual_protection". This is greedy and not optimal (an optimal pattern is a small integer
program), but always terminates safe.

**Published elsewhere** (``external``: units whose totals were published to e.g. Kolada) are
forced to be shown with their true total and never unpublished; their residual is repaired
the same way by unpublishing sub-units. An external unit with fewer than k answers cannot be
made safe and raises :class:`DisclosureError`.

**Items.** Optional items have their own n: :func:`decide` takes a column of counts per item
(with a per-item k: k, or k_sensitive for sensitive items) and runs the same algorithm on each
column, allowed only where the unit itself is shown. Different items are different variables,
so each column's family is checked on its own. Indices (means of item means) are functions of
published item figures and add nothing.

**Distributions** (k_dist). A distribution publishes per-value counts, so a group's histogram
is exposed when its indicator is in the span of the *distribution* cells. A distribution is
only ever shown over the same answers as the item's mean (its sums are then already in the
mean family), for units whose published n ≥ k_dist, and the distribution family must itself
satisfy the residual rule with k_dist; its atoms are the mean family's residual blocks, so
:func:`decide_distributions` runs the complementary repair on them. Distributions below k_dist
are hidden ("dist_below_k_dist"), repairs are "dist_residual_protection".

**Comments** are sets, not sums, but set differences of a laminar family expose exactly its
residual blocks – the same structure – so the same rule holds with k_text: decide a text item
with k_text on the number of comments per unit and show at each shown unit the comments of its
included atoms (parent pages include their sub-units' comments, as figures do), shuffled by a
keyed hash, never with dates. Counting comments rather than respondents is the stricter choice
(a residual of 12 respondents of whom 2 commented isolates those 2 comments' authors among
very few writers), and it is what "fewer than k_text authors" says.

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

Counts (n_published, excluded_n, response rates) are published for shown units and say how
many answered, not what they answered; they are not part of the check.
"""

from __future__ import annotations

import hashlib
import heapq
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
from django.utils.translation import gettext_lazy as _

from tillit.org.models import K_FLOOR
from tillit.results.statistics import Scoring, Tree, indices, mean, rollup

__all__ = [
    "MESSAGES",
    "Breakdown",
    "CrossingRefused",
    "Decision",
    "DisclosureError",
    "DistributionDecision",
    "ItemSpec",
    "Publication",
    "Thresholds",
    "decide",
    "decide_breakdown",
    "decide_distributions",
    "pinned_blocks",
    "pins_distribution",
    "publish",
    "published_breakdown",
    "published_comments",
    "published_sums",
    "smallest_derivable_group",
    "verify",
]

MOVE_UP = "move_up"
COMPLEMENTARY = "complementary"

BELOW_K = "below_k"
SENSITIVE_BELOW_K = "sensitive_below_k"
RESIDUAL_PROTECTION = "residual_protection"
ANSWERS_EXCLUDED = "answers_excluded"
DIST_BELOW_K_DIST = "dist_below_k_dist"
DIST_RESIDUAL_PROTECTION = "dist_residual_protection"
TEXT_BELOW_K_TEXT = "text_below_k_text"
TEXT_RESIDUAL_PROTECTION = "text_residual_protection"
CELL_BELOW_K = "cell_below_k"
CELL_COMPLEMENT_PROTECTION = "cell_complement_protection"
LATER_ANSWERS_PROTECTION = "later_answers_protection"
CAMPAIGN_OPEN = "campaign_open"
CROSSING_PROTECTION = "crossing_protection"

#: Reason code -> message for people; format with k (the threshold) or n (answers left out).
MESSAGES = {
    BELOW_K: _("Fewer than %(k)s answers"),
    SENSITIVE_BELOW_K: _("Fewer than %(k)s answers to this sensitive question"),
    RESIDUAL_PROTECTION: _(
        "Not shown, so that a smaller group cannot be worked out by subtracting other figures"
    ),
    ANSWERS_EXCLUDED: _("%(n)s answers not included, to protect anonymity"),
    DIST_BELOW_K_DIST: _("Fewer than %(k)s answers: the distribution is not shown"),
    DIST_RESIDUAL_PROTECTION: _(
        "The distribution is not shown, so that a smaller group cannot be worked out"
    ),
    TEXT_BELOW_K_TEXT: _("Fewer than %(k)s comments: comments are not shown"),
    TEXT_RESIDUAL_PROTECTION: _(
        "Comments are not shown, so that a smaller group's comments cannot be singled out"
    ),
    CELL_BELOW_K: _("Fewer than %(k)s answers in this group"),
    CELL_COMPLEMENT_PROTECTION: _(
        "Not shown, so that a small group cannot be worked out from the other groups"
    ),
    CAMPAIGN_OPEN: _("Results are published when the survey has closed"),
    CROSSING_PROTECTION: _(
        "Not shown beside the other background groups: together they would single out a small group"
    ),
    LATER_ANSWERS_PROTECTION: _(
        "Not shown again with the answers that came after the first publication: the "
        "difference would concern too few people"
    ),
}


class DisclosureError(ValueError):
    """The figures asked for cannot be made safe (e.g. an outside publication of a small unit)."""


class CrossingRefused(ValueError):
    """Two background variables crossed below the top level: never allowed."""


@dataclass(frozen=True)
class Thresholds:
    """Minimum group sizes, per organisation (ANONYMITY.md, DESIGN.md)."""

    k: int = 5
    k_dist: int = 8
    k_text: int = 10
    k_sensitive: int = 20

    def __post_init__(self) -> None:
        if not K_FLOOR <= self.k <= 10:
            raise ValueError(f"k must be between {K_FLOOR} and 10, got {self.k}")
        for name in ("k_dist", "k_text", "k_sensitive"):
            value = getattr(self, name)
            if not self.k <= value <= 100:
                raise ValueError(f"{name} must be between k ({self.k}) and 100, got {value}")


@dataclass(frozen=True, eq=False)
class Decision:
    """What may be published of one or more columns of counts (axis 1: unit-level, items…).

    All arrays are [n_units, n_columns]. ``owner`` says which shown unit's residual block holds
    each unit's direct answers (-1: left out); ``residual`` the size of each unit's block.
    """

    tree: Tree
    mode: str
    k: np.ndarray
    counts: np.ndarray
    absorbs: np.ndarray
    shown: np.ndarray
    owner: np.ndarray
    residual: np.ndarray
    n_total: np.ndarray
    n_published: np.ndarray
    reason: np.ndarray
    left_out: np.ndarray

    @property
    def excluded_n(self) -> np.ndarray:
        """Answers in a shown unit's subtree that its figure leaves out (0 where hidden)."""
        return np.where(self.shown, self.n_total - self.n_published, 0)

    def included(self, unit: int, column: int = 0) -> np.ndarray:
        """Mask of the units whose direct answers the unit's figure includes (empty if hidden)."""
        if not self.shown[unit, column]:
            return np.zeros(len(self.tree), dtype=bool)
        return self.tree.subtree_mask(unit)[np.maximum(self.owner[:, column], 0)] & (
            self.owner[:, column] >= 0
        )


@dataclass(frozen=True, eq=False)
class DistributionDecision:
    """Where an item's distribution may be shown (over the same answers as its mean)."""

    shown: np.ndarray
    reason: np.ndarray


def _as_columns(counts: np.ndarray) -> np.ndarray:
    counts = np.asarray(counts)
    if counts.ndim == 1:
        counts = counts[:, None]
    if counts.ndim != 2:
        raise ValueError("counts must be [n_units] or [n_units, n_columns]")
    if (counts < 0).any():
        raise ValueError("counts cannot be negative")
    return counts.astype(np.int64)


def _nearest(tree: Tree, flag: np.ndarray) -> np.ndarray:
    """Per unit and column: the nearest ancestor-or-self with ``flag`` set, or -1."""
    result = np.full(flag.shape, -1, dtype=np.int64)
    for d, members in enumerate(tree.levels):
        above = result[tree.parent[members]] if d else np.full((len(members), flag.shape[1]), -1)
        result[members] = np.where(flag[members], members[:, None], above)
    return result


def _block_sizes(owner: np.ndarray, sizes: np.ndarray, n_units: int) -> np.ndarray:
    """Per unit and column: the total size of the atoms it owns."""
    n_columns = owner.shape[1]
    flat = owner + np.arange(n_columns)[None, :] * n_units
    keep = owner >= 0
    totals = np.bincount(flat[keep], weights=sizes[keep], minlength=n_units * n_columns)
    return totals.reshape(n_columns, n_units).T.astype(np.int64)


def _move_up(
    tree: Tree, counts: np.ndarray, k: np.ndarray, forced: np.ndarray, allowed: np.ndarray
) -> np.ndarray:
    """The units that absorb their carried answers, per column (vectorised by level)."""
    carried = counts.copy()
    absorbs = np.zeros(counts.shape, dtype=bool)
    for d in range(len(tree.levels) - 1, -1, -1):
        members = tree.levels[d]
        here = carried[members]
        takes = allowed[members] & ((here >= k[None, :]) | forced[members])
        absorbs[members] = takes
        if d:
            out = np.where(takes, 0, here)
            carried[tree.level_parents[d]] += np.add.reduceat(out, tree.level_starts[d], axis=0)
    return absorbs


def _frontier(children: list[list[int]], absorbs: list[bool], unit: int) -> list[int]:
    """The maximal absorbing strict descendants of ``unit`` (one column)."""
    found, stack = [], list(children[unit])
    while stack:
        current = stack.pop()
        if absorbs[current]:
            found.append(current)
        else:
            stack.extend(children[current])
    return found


def _repair(
    tree: Tree,
    children: list[list[int]],
    absorbs_column: np.ndarray,
    residual_column: np.ndarray,
    n_total_column: np.ndarray,
    forced_column: np.ndarray,
    k: int,
) -> list[int]:
    """Complementary repair of one column; updates ``absorbs_column`` in place and returns
    the units unpublished.

    Deepest first, a published v with 0 < residual < k unpublishes the frontier unit with the
    smallest positive residual (≥ k once repaired, so one step suffices), else itself (unless
    forced), else a frontier unit with an empty residual to reach further down.
    """
    # The violations found by numpy; then plain lists, since this loop touches single
    # elements, where numpy scalars are slow.
    start = np.flatnonzero(absorbs_column & (residual_column > 0) & (residual_column < k))
    if not len(start):
        return []
    absorbs = absorbs_column.tolist()
    residual = residual_column.tolist()
    n_total = n_total_column.tolist()
    forced = forced_column.tolist()
    parent = tree.parent_list
    depth = tree.depth_list
    heap = [(-depth[v], v) for v in start.tolist()]
    heapq.heapify(heap)
    removed: list[int] = []
    while heap:
        _depth, v = heapq.heappop(heap)
        while absorbs[v] and 0 < residual[v] < k:
            frontier = [c for c in _frontier(children, absorbs, v) if not forced[c]]
            positive = [c for c in frontier if residual[c] > 0]
            if positive:
                c = min(positive, key=lambda c: (residual[c], c))
                residual[v] += residual[c]
            elif not forced[v]:
                c = above = v
                while above >= 0 and (above == v or not absorbs[above]):
                    above = parent[above]
                if above >= 0:
                    residual[above] += residual[v]
                    heapq.heappush(heap, (-depth[above], above))
            elif frontier:
                c = min(frontier, key=lambda c: (n_total[c], c))
            else:
                raise DisclosureError(
                    f"unit {tree.ids[v]!r} must be published (a root, or published "
                    f"elsewhere), and its {residual[v]} answers outside its shown sub-units "
                    f"(fewer than {k}) cannot be protected: its sub-units are published too"
                )
            absorbs[c] = False
            residual[c] = 0
            removed.append(c)
    absorbs_column[:] = absorbs
    return removed


def _repair_columns(
    tree: Tree,
    absorbs: np.ndarray,
    residual: np.ndarray,
    n_total: np.ndarray,
    forced: np.ndarray,
    k: np.ndarray,
) -> np.ndarray:
    """`_repair` of every violating column; updates ``absorbs`` and returns the mask of units
    unpublished for protection.

    Columns with the same inputs get the same repair, which is computed once: items that
    everyone answers (HME's nine, all required) share their counts and so their decision.
    """
    protected = np.zeros(absorbs.shape, dtype=bool)
    violating = absorbs & (residual > 0) & (residual < k[None, :])
    columns = np.flatnonzero(violating.any(axis=0))
    children = tree.children() if len(columns) else []
    done: dict[tuple, list[int]] = {}
    for column in columns:
        key = (
            absorbs[:, column].tobytes(),
            residual[:, column].tobytes(),
            n_total[:, column].tobytes(),
            forced[:, column].tobytes(),
            int(k[column]),
        )
        removed = done.get(key)
        if removed is None:
            removed = done[key] = _repair(
                tree,
                children,
                absorbs[:, column],
                residual[:, column].copy(),
                n_total[:, column],
                forced[:, column],
                int(k[column]),
            )
        else:
            absorbs[removed, column] = False
        protected[removed, column] = True
    return protected


def decide(
    tree: Tree,
    counts: np.ndarray,
    k: int | Sequence[int] | np.ndarray,
    *,
    mode: str = MOVE_UP,
    external: Iterable[Hashable] = (),
    allowed: np.ndarray | None = None,
    below_k_reason: str | Sequence[str] = BELOW_K,
    protection_reason: str = RESIDUAL_PROTECTION,
) -> Decision:
    """Decide which units' figures may be shown, per column of direct counts.

    ``counts``: [n_units] or [n_units, n_columns] numbers of DIRECT respondents (of the unit, or
    of each item). ``k``: one threshold or one per column. ``external``: unit ids whose true
    totals are published elsewhere. ``allowed``: [n_units, n_columns] mask of units that may be
    shown at all (items: where the unit is shown).
    """
    counts = _as_columns(counts)
    external = tuple(external)
    n_units, n_columns = counts.shape
    if n_units != len(tree):
        raise ValueError(f"expected counts for {len(tree)} units, got {n_units}")
    k = np.broadcast_to(np.asarray(k, dtype=np.int64), (n_columns,)).copy()
    if (k < K_FLOOR).any():
        raise ValueError(f"k can never be below {K_FLOOR}")
    if mode not in (MOVE_UP, COMPLEMENTARY):
        raise ValueError(f"unknown mode {mode!r}")
    forced = np.zeros((n_units, 1), dtype=bool)
    for unit_id in external:
        if unit_id not in tree.index:
            raise ValueError(f"externally published unit {unit_id!r} is not in the tree")
        forced[tree.index[unit_id]] = True
    allowed = np.ones(counts.shape, dtype=bool) if allowed is None else np.asarray(allowed)
    below = np.broadcast_to(np.asarray(below_k_reason, dtype="<U32"), (n_columns,))
    if n_columns > 1:
        # Columns with the same counts, threshold, mask and reason get the same decision:
        # decide each distinct column once (required items are all answered alike).
        signature = np.ascontiguousarray(np.vstack([counts, allowed, k[None, :]]).T)
        seen: dict[tuple[bytes, str], int] = {}
        keys = zip(signature, below.tolist(), strict=True)
        inverse = np.array([seen.setdefault((row.tobytes(), r), len(seen)) for row, r in keys])
        if len(seen) < n_columns:
            first = np.unique(inverse, return_index=True)[1]
            once = decide(
                tree,
                counts[:, first],
                k[first],
                mode=mode,
                external=external,
                allowed=allowed[:, first],
                below_k_reason=below[first],
                protection_reason=protection_reason,
            )
            return _columns(once, inverse)  # counts are equal per column by construction
    n_total = rollup(tree, counts)
    small_external = forced & (n_total < k[None, :]) & (n_total > 0)
    if small_external.any():
        unit, column = np.argwhere(small_external)[0]
        raise DisclosureError(
            f"unit {tree.ids[unit]!r} is published elsewhere with {n_total[unit, column]} "
            f"answers, fewer than {k[column]}"
        )
    forced_cols = forced & allowed & (n_total > 0)

    if mode == MOVE_UP:
        absorbs = _move_up(tree, counts, k, forced_cols, allowed)
    else:
        absorbs = allowed & ((n_total >= k[None, :]) | forced_cols)
    owner = _nearest(tree, absorbs)
    residual = _block_sizes(owner, counts, n_units)

    must_repair = forced_cols.copy()
    if mode == COMPLEMENTARY:
        must_repair[tree.roots] = True
    protected = _repair_columns(tree, absorbs, residual, n_total, must_repair, k)
    if protected.any():
        owner = _nearest(tree, absorbs)
        residual = _block_sizes(owner, counts, n_units)

    # Move-up shows every unit with an absorbing unit below it; complementary only publishers.
    shown = rollup(tree, absorbs.astype(np.int64)) > 0 if mode == MOVE_UP else absorbs.copy()
    n_published = rollup(tree, residual)
    # Reasons picked by integer code from a table of strings: np.where over [units × items]
    # arrays of fixed-width strings was a third of the whole publication's time.
    labels, below_code = np.unique(below, return_inverse=True)
    code = np.where(
        shown,
        np.where(n_total > n_published, 1, 0),
        np.where(protected | (n_total >= k[None, :]), 2, 3 + below_code.reshape(1, -1)),
    )
    reason = _texts("", ANSWERS_EXCLUDED, protection_reason, *labels.tolist())[code]
    left_out = n_total[tree.roots].sum(axis=0) - n_published[tree.roots].sum(axis=0)
    return Decision(
        tree=tree,
        mode=mode,
        k=k,
        counts=counts,
        absorbs=absorbs,
        shown=shown,
        owner=owner,
        residual=residual,
        n_total=n_total,
        n_published=np.where(shown, n_published, 0),
        reason=reason,
        left_out=left_out,
    )


def verify(decision: Decision) -> None:
    """Raise AssertionError unless the decision obeys the residual theorem in every column.

    Checks, from the owner arrays alone: owners are shown ancestors-or-self; every shown unit
    has n_published ≥ k and a residual of 0 or ≥ k; counts add up.
    """
    tree, k = decision.tree, decision.k
    owner, shown = decision.owner, decision.shown
    for column in range(owner.shape[1]):
        for unit, holder in enumerate(owner[:, column].tolist()):
            if holder < 0:
                continue
            assert shown[holder, column], f"answers of {tree.ids[unit]!r} owned by a hidden unit"
            assert holder == unit or holder in tree.ancestors(unit), "owner is not an ancestor"
    residual = _block_sizes(owner, decision.counts, len(tree))
    assert (residual == decision.residual).all(), "residual sizes disagree with owners"
    published = rollup(tree, residual)
    assert (published[shown] == decision.n_published[shown]).all(), "n_published disagrees"
    small = shown & (published < k[None, :])
    assert not small.any(), f"shown with fewer than k answers: {np.argwhere(small)[:3]}"
    bad = shown & (residual > 0) & (residual < k[None, :])
    assert not bad.any(), f"residual between 0 and k: {np.argwhere(bad)[:3]}"


def published_sums(decision: Decision, direct: np.ndarray, column: int | None = None) -> np.ndarray:
    """The published figures: per shown unit, the sums of ``direct`` over its included atoms.

    ``direct`` is [n_units, n_columns, ...] (e.g. per item the histogram of direct answers), or
    [n_units, ...] with ``column`` naming the decision column it belongs to. Hidden units get 0.
    """
    direct = np.asarray(direct)
    if column is not None:
        owner = decision.owner[:, column]
        shown = decision.shown[:, column]
        aggregated = np.zeros_like(direct)
        keep = owner >= 0
        np.add.at(aggregated, owner[keep], direct[keep])
        totals = rollup(decision.tree, aggregated)
        mask = shown.reshape(shown.shape + (1,) * (direct.ndim - 1))
        return np.where(mask, totals, 0)
    n_units, n_columns = decision.owner.shape
    rest = direct.shape[2:]
    flat = direct.reshape(n_units * n_columns, -1)
    index = (decision.owner * n_columns + np.arange(n_columns)[None, :]).reshape(-1)
    keep = index >= 0
    width = flat.shape[1]
    # One bincount over (owner, value) pairs rather than one per value.
    pairs = (index[keep][:, None] * width + np.arange(width)[None, :]).reshape(-1)
    aggregated = (
        np.bincount(pairs, weights=flat[keep].reshape(-1), minlength=n_units * n_columns * width)
        .reshape(n_units * n_columns, width)
        .astype(flat.dtype)
    )
    totals = rollup(decision.tree, aggregated.reshape(direct.shape))
    mask = decision.shown.reshape(decision.shown.shape + (1,) * len(rest))
    return np.where(mask, totals, 0)


def decide_distributions(decision: Decision, k_dist: int | Sequence[int]) -> DistributionDecision:
    """Where each column's distribution may be shown (see the module docstring)."""
    tree = decision.tree
    n_columns = decision.owner.shape[1]
    k_dist = np.broadcast_to(np.asarray(k_dist, dtype=np.int64), (n_columns,))
    candidate = decision.shown & (decision.n_published >= k_dist[None, :])
    owner = _nearest(tree, candidate)
    residual = _block_sizes(owner, decision.residual, len(tree))
    never = np.zeros(candidate.shape, dtype=bool)
    protected = _repair_columns(tree, candidate, residual, decision.n_published, never, k_dist)
    code = np.where(candidate, 0, np.where(protected, 1, 2))
    reason = _texts("", DIST_RESIDUAL_PROTECTION, DIST_BELOW_K_DIST)[code]
    reason = np.where(decision.shown, reason, decision.reason)
    return DistributionDecision(shown=candidate, reason=reason)


def _texts(*reasons: str) -> np.ndarray:
    """Reason strings as an object array, for picking by code (references, not copies)."""
    table = np.empty(len(reasons), dtype=object)
    table[:] = reasons
    return table


def published_comments(
    decision: Decision,
    comments_by_unit: Mapping[Hashable, Sequence[str]],
    *,
    column: int = 0,
    salt: str = "",
) -> dict[Hashable, list[str]]:
    """Per shown unit id, the comments of its included atoms, shuffled by a keyed hash.

    ``decision`` must have been made with k_text on the number of comments per unit. The order
    depends only on the text and ``salt`` (use a secret per campaign), never on unit or time.
    """
    tree = decision.tree
    owner = decision.owner[:, column]
    by_owner: dict[int, list[str]] = {}
    for unit_id, texts in comments_by_unit.items():
        holder = int(owner[tree.index[unit_id]])
        if holder >= 0 and texts:
            by_owner.setdefault(holder, []).extend(texts)
    result: dict[Hashable, list[str]] = {}
    for unit in np.flatnonzero(decision.shown[:, column]):
        mask = tree.subtree_mask(int(unit))
        texts = [t for holder, ts in by_owner.items() if mask[holder] for t in ts]
        texts.sort(key=lambda t: hashlib.sha256((salt + "\x00" + t).encode()).hexdigest())
        result[tree.ids[unit]] = texts
    return result


# Background breakdowns ------------------------------------------------------------------------


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
    sums = _block_sizes(decision.owner, np.rint(direct_sums).astype(np.int64), n_units)
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


# The whole survey -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemSpec:
    """A scored or counted item: histogram columns are ``values`` in order."""

    id: str
    values: tuple[float, ...] = (1, 2, 3, 4, 5)
    sensitive: bool = False


@dataclass(frozen=True, eq=False)
class Publication:
    """Everything that may be published of one campaign (see :func:`publish`)."""

    tree: Tree
    thresholds: Thresholds
    items: tuple[ItemSpec, ...]
    units: Decision
    item_decision: Decision
    distributions: DistributionDecision
    histograms: dict[str, np.ndarray]
    means: dict[str, np.ndarray]
    indices: dict[str, np.ndarray] = field(default_factory=dict)

    @cached_property
    def _lists(self) -> dict[str, Any]:
        # Every array as Python lists, converted once: reading numpy scalars one by one for
        # each unit and item cost more than computing the whole publication.
        units, items, dists = self.units, self.item_decision, self.distributions
        return {
            "parent": self.tree.parent.tolist(),
            "shown": units.shown[:, 0].tolist(),
            "n_total": units.n_total[:, 0].tolist(),
            "reason": units.reason[:, 0].tolist(),
            "n_published": units.n_published[:, 0].tolist(),
            "excluded_n": units.excluded_n[:, 0].tolist(),
            "indices": {name: values.tolist() for name, values in self.indices.items()},
            "item_shown": items.shown.tolist(),
            "item_reason": items.reason.tolist(),
            "item_n": items.n_published.tolist(),
            "item_excluded": items.excluded_n.tolist(),
            "dist_shown": dists.shown.tolist(),
            "dist_reason": dists.reason.tolist(),
            # Per item in column order, so a unit's items are read by position, not by key.
            "means": [self.means[item.id].tolist() for item in self.items],
            "hists": [self.histograms[item.id].tolist() for item in self.items],
        }

    def unit_result(self, unit: int) -> dict[str, Any]:
        """One unit in the published JSON shape (without names and invitation counts)."""
        lists, ids = self._lists, self.tree.ids
        parent = lists["parent"][unit]
        result: dict[str, Any] = {
            "id": ids[unit],
            "parent_id": ids[parent] if parent >= 0 else None,
            "shown": bool(lists["shown"][unit]),
            "n_responded": int(lists["n_total"][unit]),
        }
        if not result["shown"]:
            result["reason"] = str(lists["reason"][unit])
            return result
        result["n_published"] = int(lists["n_published"][unit])
        result["excluded_n"] = int(lists["excluded_n"][unit])
        result["indices"] = {
            name: (None if values[unit] != values[unit] else round(values[unit], 1))  # NaN
            for name, values in lists["indices"].items()
        }
        item_shown, item_reason = lists["item_shown"][unit], lists["item_reason"][unit]
        item_n, item_excluded = lists["item_n"][unit], lists["item_excluded"][unit]
        dist_shown, dist_reason = lists["dist_shown"][unit], lists["dist_reason"][unit]
        items: dict[str, Any] = {}
        for column, (item, means, hists) in enumerate(
            zip(self.items, lists["means"], lists["hists"], strict=True)
        ):
            if not item_shown[column]:
                items[item.id] = {"reason": str(item_reason[column])}
            elif dist_shown[column]:
                items[item.id] = {
                    "n": item_n[column],
                    "excluded_n": item_excluded[column],
                    "mean": round(means[unit], 2),
                    "dist": list(hists[unit]),
                }
            else:
                items[item.id] = {
                    "n": item_n[column],
                    "excluded_n": item_excluded[column],
                    "mean": round(means[unit], 2),
                    "dist": None,
                    "dist_reason": str(dist_reason[column]),
                }
        result["items"] = items
        return result


def publish(
    tree: Tree,
    n_direct: np.ndarray,
    items: Sequence[ItemSpec],
    histograms: Mapping[str, np.ndarray],
    thresholds: Thresholds,
    *,
    scoring: Scoring | None = None,
    mode: str = MOVE_UP,
    external: Iterable[Hashable] = (),
) -> Publication:
    """Decide and compute every publishable figure of a campaign from direct histograms.

    ``n_direct``: [n_units] direct respondents; ``histograms[item]``: [n_units, n_values] of
    their answers (skipped answers are simply not counted). Units first, then items (allowed
    only where the unit is shown; k_sensitive for sensitive items), then distributions
    (k_dist), then published histograms over the included atoms, means and indices.
    """
    items = tuple(items)
    external = tuple(external)
    units = decide(tree, n_direct, thresholds.k, mode=mode, external=external)
    item_counts = np.stack([np.asarray(histograms[i.id]).sum(axis=1) for i in items], axis=1)
    if (item_counts > np.asarray(n_direct)[:, None]).any():
        raise ValueError("an item has more answers than the unit has respondents")
    item_k = [thresholds.k_sensitive if i.sensitive else thresholds.k for i in items]
    allowed = np.repeat(units.shown, len(items), axis=1)
    direct_sums = np.stack(
        [np.asarray(histograms[i.id]) @ np.asarray(i.values, dtype=np.float64) for i in items],
        axis=1,
    )
    lows = [int(min(i.values)) for i in items]
    highs = [int(max(i.values)) for i in items]
    below = [SENSITIVE_BELOW_K if i.sensitive else BELOW_K for i in items]
    item_decision = decide(
        tree,
        item_counts,
        item_k,
        mode=mode,
        external=external,
        allowed=allowed,
        below_k_reason=below,
    )
    distributions = decide_distributions(item_decision, thresholds.k_dist)
    # A block whose mean pins its hidden distribution may not stand on its own: it is
    # carried up (or hidden) and the columns where one did are decided again, until none does.
    pinned = pinned_blocks(item_decision, direct_sums, lows, highs, distributions.shown)
    while pinned.any():
        allowed = allowed & ~pinned
        again = np.flatnonzero(pinned.any(axis=0))
        sub = decide(
            tree,
            item_counts[:, again],
            [item_k[c] for c in again],
            mode=mode,
            external=external,
            allowed=allowed[:, again],
            below_k_reason=[below[c] for c in again],
        )
        sub_distributions = decide_distributions(sub, thresholds.k_dist)
        item_decision = _with_columns(item_decision, again, sub)
        distributions = DistributionDecision(
            shown=_spliced(distributions.shown, again, sub_distributions.shown),
            reason=_spliced(distributions.reason, again, sub_distributions.reason),
        )
        pinned = np.zeros_like(pinned)
        pinned[:, again] = pinned_blocks(
            sub,
            direct_sums[:, again],
            [lows[c] for c in again],
            [highs[c] for c in again],
            sub_distributions.shown,
        )
    published: dict[str, np.ndarray] = {}
    means: dict[str, np.ndarray] = {}
    by_width: dict[int, list[int]] = {}
    for column, item in enumerate(items):
        by_width.setdefault(len(item.values), []).append(column)
    for columns in by_width.values():
        stacked = np.stack([np.asarray(histograms[items[c].id]) for c in columns], axis=1)
        sub = _columns(item_decision, columns)
        sums = published_sums(sub, stacked.astype(np.int64))
        for position, column in enumerate(columns):
            item = items[column]
            published[item.id] = sums[:, position]
            means[item.id] = np.where(
                item_decision.shown[:, column], mean(sums[:, position], item.values), np.nan
            )
    result_indices = indices(means, scoring) if scoring is not None else {}
    return Publication(
        tree=tree,
        thresholds=thresholds,
        items=items,
        units=units,
        item_decision=item_decision,
        distributions=distributions,
        histograms=published,
        means=means,
        indices=result_indices,
    )


def _spliced(array: np.ndarray, columns: np.ndarray, sub: np.ndarray) -> np.ndarray:
    out = array.copy()
    out[..., columns] = sub
    return out


def _with_columns(decision: Decision, columns: np.ndarray, sub: Decision) -> Decision:
    """`decision` with `columns` replaced by `sub`'s (decided again)."""
    return Decision(
        tree=decision.tree,
        mode=decision.mode,
        k=_spliced(decision.k, columns, sub.k),
        counts=_spliced(decision.counts, columns, sub.counts),
        absorbs=_spliced(decision.absorbs, columns, sub.absorbs),
        shown=_spliced(decision.shown, columns, sub.shown),
        owner=_spliced(decision.owner, columns, sub.owner),
        residual=_spliced(decision.residual, columns, sub.residual),
        n_total=_spliced(decision.n_total, columns, sub.n_total),
        n_published=_spliced(decision.n_published, columns, sub.n_published),
        reason=_spliced(decision.reason, columns, sub.reason),
        left_out=_spliced(decision.left_out, columns, sub.left_out),
    )


def _columns(decision: Decision, columns: Sequence[int] | np.ndarray) -> Decision:
    pick = np.asarray(columns)
    return Decision(
        tree=decision.tree,
        mode=decision.mode,
        k=decision.k[pick],
        counts=decision.counts[:, pick],
        absorbs=decision.absorbs[:, pick],
        shown=decision.shown[:, pick],
        owner=decision.owner[:, pick],
        residual=decision.residual[:, pick],
        n_total=decision.n_total[:, pick],
        n_published=decision.n_published[:, pick],
        reason=decision.reason[:, pick],
        left_out=decision.left_out[pick],
    )
