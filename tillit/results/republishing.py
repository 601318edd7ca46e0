"""A later publication of the same campaign: what may be added to what is already out.

When answers arrive after a campaign was published (reopened and closed again), the new
publication must not differ from the earlier one by a group under k. Recomputing everything
and comparing would often fail (a team of four that now has six would be shown alone, and six
minus the four its parent held is two people). So the later answers are published as an
*epoch* of their own on the first publication's structure: they move up, bottom-up, only to
units that absorbed answers in the first publication, and a unit absorbs them only when they
number k or more; what is too few is carried to the parent, and past the top it is left out.

Every published cell is then first-epoch cell + later-epoch cells. The epochs concern disjoint
respondents, so the span of everything ever published is the direct sum of each epoch's span,
and a group under k lies in it only if its part in some epoch does: each epoch is a laminar
family safe on its own (the residual theorem), so nothing is disclosed. Distributions are shown
again only where no later answer joined them; comments of later answers follow the same rule
with k_text; background breakdowns are not published again (the epoch tables would couple).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from tillit.results.cells import pinned_blocks
from tillit.results.disclosure import (
    BELOW_K,
    LATER_ANSWERS_PROTECTION,
    MOVE_UP,
    RESIDUAL_PROTECTION,
    Decision,
    DistributionDecision,
    Thresholds,
    _nearest,
    _texts,
    block_sizes,
    decide,
    published_sums,
)
from tillit.results.publication import ItemSpec, Publication
from tillit.results.statistics import Scoring, Tree, indices, mean, rollup


def decision_from_absorbs(
    tree: Tree,
    counts: np.ndarray,
    absorbs: np.ndarray,
    k: Sequence[int],
    mode: str,
    below_k_reason: Sequence[str] | str = BELOW_K,
) -> Decision:
    """The decision whose absorbing units were `absorbs` (as a ledger stored it)."""
    counts = np.asarray(counts, dtype=np.int64).reshape(len(tree), -1)
    absorbs = np.asarray(absorbs, dtype=bool).reshape(counts.shape)
    k = np.broadcast_to(np.asarray(k, dtype=np.int64), (counts.shape[1],)).copy()
    owner = _nearest(tree, absorbs)
    residual = block_sizes(owner, counts, len(tree))
    shown = rollup(tree, absorbs.astype(np.int64)) > 0 if mode == MOVE_UP else absorbs.copy()
    n_total = rollup(tree, counts)
    n_published = rollup(tree, residual)
    below = np.broadcast_to(np.asarray(below_k_reason, dtype=object), (counts.shape[1],))
    reason = np.where(
        shown,
        np.where(n_total > n_published, "answers_excluded", ""),
        np.where(n_total >= k[None, :], RESIDUAL_PROTECTION, below[None, :]),
    ).astype(object)
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
        left_out=n_total[tree.roots].sum(axis=0) - n_published[tree.roots].sum(axis=0),
    )


def later_decision(
    tree: Tree,
    new_counts: np.ndarray,
    k: Sequence[int] | int,
    base: Decision,
    direct_sums: np.ndarray | None = None,
    items: Sequence[ItemSpec] = (),
    k_dist: int = 0,
) -> Decision:
    """The decision for answers that arrived after the first publication: move-up onto the
    units that absorbed in `base` only. With `direct_sums` and `items`, a block whose mean pins
    its distribution (no distribution of later answers is ever shown) is carried further."""
    allowed = base.absorbs.copy()
    while True:
        decision = decide(tree, new_counts, k, mode=MOVE_UP, allowed=allowed)
        if direct_sums is None:
            return decision
        lows = [int(min(i.values)) for i in items]
        highs = [int(max(i.values)) for i in items]
        never = np.zeros(decision.shown.shape, dtype=bool)
        pinned = pinned_blocks(decision, direct_sums, lows, highs, never)
        if not pinned.any():
            return decision
        allowed &= ~pinned


def combine(
    tree: Tree,
    thresholds: Thresholds,
    items: Sequence[ItemSpec],
    epochs: Sequence[tuple[Decision, Decision, dict[str, np.ndarray]]],
    base_distributions: DistributionDecision,
    scoring: Scoring | None = None,
) -> Publication:
    """One publication of several epochs: per epoch (unit decision, item decision, direct
    histograms per item), the first being the first publication's."""
    items = tuple(items)
    base_units, base_items, _hists = epochs[0]
    n_total = sum(units.n_total for units, _i, _h in epochs)
    n_published = np.where(base_units.shown, sum(units.n_published for units, _i, _h in epochs), 0)
    item_total = sum(item.n_total for _u, item, _h in epochs)
    item_published = np.where(base_items.shown, sum(item.n_published for _u, item, _h in epochs), 0)
    later_added = sum(
        (item.n_published for _u, item, _h in epochs[1:]), np.zeros_like(item_published)
    )
    unchanged = later_added == 0
    dist_shown = base_distributions.shown & unchanged
    dist_reason = np.where(
        base_distributions.shown & ~unchanged,
        LATER_ANSWERS_PROTECTION,
        base_distributions.reason,
    ).astype(object)
    histograms: dict[str, np.ndarray] = {}
    means: dict[str, np.ndarray] = {}
    for column, item in enumerate(items):
        sums = sum(
            published_sums(decision, hists[item.id], column=column)
            for _u, decision, hists in epochs
        )
        histograms[item.id] = sums
        means[item.id] = np.where(base_items.shown[:, column], mean(sums, item.values), np.nan)
    units = _with_counts(base_units, n_total, n_published)
    item_decision = _with_counts(base_items, item_total, item_published)
    return Publication(
        tree=tree,
        thresholds=thresholds,
        items=items,
        units=units,
        item_decision=item_decision,
        distributions=DistributionDecision(shown=dist_shown, reason=dist_reason),
        histograms=histograms,
        means=means,
        indices=indices(means, scoring) if scoring is not None else {},
    )


def _with_counts(base: Decision, n_total: np.ndarray, n_published: np.ndarray) -> Decision:
    reason = np.where(
        base.shown,
        np.where(n_total > n_published, "answers_excluded", ""),
        base.reason,
    )
    return Decision(
        tree=base.tree,
        mode=base.mode,
        k=base.k,
        counts=base.counts,
        absorbs=base.absorbs,
        shown=base.shown,
        owner=base.owner,
        residual=base.residual,
        n_total=n_total,
        n_published=n_published,
        reason=_texts(*reason.reshape(-1).tolist()).reshape(reason.shape),
        left_out=n_total[base.tree.roots].sum(axis=0) - n_published[base.tree.roots].sum(axis=0),
    )


def later_comments(
    decision: Decision,
    texts_by_unit: dict[int, list[str]],
) -> dict[int, list[str]]:
    """Per unit position, the later epoch's comments its figure includes (``decision``: the
    later epoch's text decision, made with k_text on its comment counts)."""
    tree = decision.tree
    owner = decision.owner[:, 0]
    by_owner: dict[int, list[str]] = {}
    for position, texts in texts_by_unit.items():
        holder = int(owner[position])
        if holder >= 0 and texts:
            by_owner.setdefault(holder, []).extend(texts)
    result: dict[int, list[str]] = {}
    for unit in np.flatnonzero(decision.shown[:, 0]).tolist():
        mask = tree.subtree_mask(unit)
        result[unit] = [t for holder, ts in by_owner.items() if mask[holder] for t in ts]
    return result
