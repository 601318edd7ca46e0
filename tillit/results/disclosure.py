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

**Background breakdowns** (a unit's figure split by one background variable) are decided in
:mod:`tillit.results.cells`, and a whole campaign's publication – every item, distribution and
comment of its units, decided together – in :mod:`tillit.results.publication`.

Counts (n_published, excluded_n, response rates) are published for shown units and say how
many answered, not what they answered; they are not part of the check.
"""

from __future__ import annotations

import hashlib
import heapq
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from django.utils.translation import gettext_lazy as _

from tillit.org.models import K_FLOOR
from tillit.results.statistics import Tree, rollup

__all__ = [
    "MESSAGES",
    "CrossingRefused",
    "Decision",
    "DisclosureError",
    "DistributionDecision",
    "Thresholds",
    "block_sizes",
    "columns_of",
    "decide",
    "decide_distributions",
    "published_comments",
    "published_sums",
    "spliced",
    "verify",
    "with_columns",
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


def block_sizes(owner: np.ndarray, sizes: np.ndarray, n_units: int) -> np.ndarray:
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
            return columns_of(once, inverse)  # counts are equal per column by construction
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
    residual = block_sizes(owner, counts, n_units)

    must_repair = forced_cols.copy()
    if mode == COMPLEMENTARY:
        must_repair[tree.roots] = True
    protected = _repair_columns(tree, absorbs, residual, n_total, must_repair, k)
    if protected.any():
        owner = _nearest(tree, absorbs)
        residual = block_sizes(owner, counts, n_units)

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
    residual = block_sizes(owner, decision.counts, len(tree))
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
    residual = block_sizes(owner, decision.residual, len(tree))
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


# Columns of a decision ------------------------------------------------------------------------


def spliced(array: np.ndarray, columns: np.ndarray, sub: np.ndarray) -> np.ndarray:
    """A copy of `array` whose last axis has `sub` at `columns`."""
    out = array.copy()
    out[..., columns] = sub
    return out


def with_columns(decision: Decision, columns: np.ndarray, sub: Decision) -> Decision:
    """`decision` with `columns` replaced by `sub`'s (decided again)."""
    return Decision(
        tree=decision.tree,
        mode=decision.mode,
        k=spliced(decision.k, columns, sub.k),
        counts=spliced(decision.counts, columns, sub.counts),
        absorbs=spliced(decision.absorbs, columns, sub.absorbs),
        shown=spliced(decision.shown, columns, sub.shown),
        owner=spliced(decision.owner, columns, sub.owner),
        residual=spliced(decision.residual, columns, sub.residual),
        n_total=spliced(decision.n_total, columns, sub.n_total),
        n_published=spliced(decision.n_published, columns, sub.n_published),
        reason=spliced(decision.reason, columns, sub.reason),
        left_out=spliced(decision.left_out, columns, sub.left_out),
    )


def columns_of(decision: Decision, columns: Sequence[int] | np.ndarray) -> Decision:
    """The decision restricted to `columns` (items), as if decided on them alone."""
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
