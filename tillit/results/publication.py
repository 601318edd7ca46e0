"""A whole campaign's publication: every item, distribution, comment and breakdown of its
units, decided together (:func:`publish`) by :mod:`tillit.results.disclosure` and
:mod:`tillit.results.cells`."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from tillit.results.cells import pinned_blocks
from tillit.results.disclosure import (
    BELOW_K,
    MOVE_UP,
    SENSITIVE_BELOW_K,
    Decision,
    DistributionDecision,
    Thresholds,
    columns_of,
    decide,
    decide_distributions,
    published_sums,
    spliced,
    with_columns,
)
from tillit.results.statistics import Scoring, Tree, indices, mean


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
        item_decision = with_columns(item_decision, again, sub)
        distributions = DistributionDecision(
            shown=spliced(distributions.shown, again, sub_distributions.shown),
            reason=spliced(distributions.reason, again, sub_distributions.reason),
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
        sub = columns_of(item_decision, columns)
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
