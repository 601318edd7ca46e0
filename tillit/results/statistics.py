"""Sufficient statistics of a survey: per (unit, item) histograms, rolled up a unit tree.

Pure functions over numpy arrays, independent of how answers are stored. The input is what one
SQL ``GROUP BY unit, item, value`` gives: for every unit the histogram of the answers of its
DIRECT respondents (people attached to the unit itself, not to a sub-unit), and the number of
direct respondents. Everything else is addition:

    tree = Tree.from_units([("K", None), ("SOC", "K"), ("HEM", "SOC")])
    totals = rollup(tree, direct_histograms)        # [n_units, n_values] subtree sums
    mean(totals, values=(1, 2, 3, 4, 5))            # per unit, nan where nobody answered

Units are addressed by their index in ``tree.ids`` (the order they were given in). Roll-up
orders units by depth and adds each level into its parents with ``np.add.reduceat``, so it costs
O(units × columns) whatever the number of respondents. Which figures may be *published* is
decided by :mod:`tillit.results.disclosure`, which also recomputes published figures when a
unit's figure leaves answers out.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

__all__ = [
    "Construct",
    "LinearMap",
    "Scoring",
    "Tree",
    "distribution",
    "indices",
    "item_score",
    "mean",
    "rollup",
]


@dataclass(frozen=True, eq=False)
class Tree:
    """A forest of units, addressed by index (the order of ``ids``).

    ``parent[i]`` is the parent's index or -1 for a root. ``levels[d]`` holds the units at depth
    d sorted by parent; ``level_parents[d]``/``level_starts[d]`` describe the runs of siblings
    in it, which is what :func:`rollup` needs to add a whole level into its parents at once.
    """

    ids: tuple[Hashable, ...]
    parent: np.ndarray
    depth: np.ndarray
    levels: tuple[np.ndarray, ...]
    level_parents: tuple[np.ndarray, ...]
    level_starts: tuple[np.ndarray, ...]
    index: dict[Hashable, int] = field(repr=False)

    @classmethod
    def from_units(cls, units: Iterable[tuple[Hashable, Hashable | None]]) -> Tree:
        """Build from (id, parent_id) pairs in any order; parent_id None marks a root.

        Raises ValueError naming the unit on a duplicate id, an unknown parent or a cycle.
        """
        pairs = list(units)
        ids = tuple(unit_id for unit_id, _parent in pairs)
        index: dict[Hashable, int] = {}
        for position, unit_id in enumerate(ids):
            if unit_id in index:
                raise ValueError(f"unit {unit_id!r} is given twice")
            index[unit_id] = position
        parent = np.full(len(ids), -1, dtype=np.int64)
        for position, (unit_id, parent_id) in enumerate(pairs):
            if parent_id is None:
                continue
            if parent_id not in index:
                raise ValueError(f"unit {unit_id!r} has an unknown parent {parent_id!r}")
            parent[position] = index[parent_id]
        depth = _depths(ids, parent)
        levels, level_parents, level_starts = [], [], []
        for d in range(int(depth.max()) + 1 if len(ids) else 0):
            members = np.flatnonzero(depth == d)
            members = members[np.argsort(parent[members], kind="stable")]
            levels.append(members)
            if d == 0:
                level_parents.append(np.empty(0, dtype=np.int64))
                level_starts.append(np.empty(0, dtype=np.int64))
                continue
            parents_of = parent[members]
            starts = np.flatnonzero(np.r_[True, parents_of[1:] != parents_of[:-1]])
            level_parents.append(parents_of[starts])
            level_starts.append(starts)
        return cls(
            ids=ids,
            parent=parent,
            depth=depth,
            levels=tuple(levels),
            level_parents=tuple(level_parents),
            level_starts=tuple(level_starts),
            index=index,
        )

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def roots(self) -> np.ndarray:
        """Indices of the units without a parent."""
        return np.flatnonzero(self.parent < 0)

    @cached_property
    def parent_list(self) -> list[int]:
        """``parent`` as a list, for loops that read single elements."""
        return self.parent.tolist()

    @cached_property
    def depth_list(self) -> list[int]:
        """``depth`` as a list, for loops that read single elements."""
        return self.depth.tolist()

    def children(self) -> list[list[int]]:
        """Children's indices per unit (built on demand; O(units))."""
        result: list[list[int]] = [[] for _ in self.ids]
        for child, parent in enumerate(self.parent.tolist()):
            if parent >= 0:
                result[parent].append(child)
        return result

    def subtree_mask(self, unit: int) -> np.ndarray:
        """Boolean mask of the unit and all its descendants."""
        mask = np.zeros(len(self), dtype=bool)
        mask[unit] = True
        for members in self.levels[int(self.depth[unit]) + 1 :]:
            mask[members] = mask[self.parent[members]]
        return mask

    def ancestors(self, unit: int) -> list[int]:
        """The unit's ancestors, nearest first."""
        result = []
        current = int(self.parent[unit])
        while current >= 0:
            result.append(current)
            current = int(self.parent[current])
        return result


def _depths(ids: Sequence[Hashable], parent: np.ndarray) -> np.ndarray:
    depth = np.full(len(ids), -1, dtype=np.int64)
    parents = parent.tolist()
    for start in range(len(ids)):
        path = []
        current = start
        while current >= 0 and depth[current] < 0:
            if current in path:
                raise ValueError(f"unit {ids[current]!r} is its own ancestor")
            path.append(current)
            current = parents[current]
        base = depth[current] if current >= 0 else -1
        for offset, unit in enumerate(reversed(path), start=1):
            depth[unit] = base + offset
    return depth


def rollup(tree: Tree, direct: np.ndarray) -> np.ndarray:
    """Subtree sums: row i of the result is the sum of ``direct``'s rows over i's subtree.

    ``direct`` has the units on axis 0 (any further axes: values, items, …). Deepest level
    first, each level is added into its parents with one ``np.add.reduceat``.
    """
    direct = np.asarray(direct)
    if direct.shape[0] != len(tree):
        raise ValueError(f"expected {len(tree)} rows (one per unit), got {direct.shape[0]}")
    totals = direct.copy()
    for d in range(len(tree.levels) - 1, 0, -1):
        members = tree.levels[d]
        totals[tree.level_parents[d]] += np.add.reduceat(
            totals[members], tree.level_starts[d], axis=0
        )
    return totals


def mean(histograms: np.ndarray, values: Sequence[float]) -> np.ndarray:
    """Mean answer per row of ``[..., n_values]`` histograms; nan where the count is 0."""
    histograms = np.asarray(histograms)
    counts = histograms.sum(axis=-1)
    sums = histograms @ np.asarray(values, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)


def distribution(histograms: np.ndarray) -> np.ndarray:
    """Share of each value per row (rows sum to 1); nan rows where the count is 0."""
    histograms = np.asarray(histograms, dtype=np.float64)
    counts = histograms.sum(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, histograms / np.maximum(counts, 1), np.nan)


@dataclass(frozen=True)
class LinearMap:
    """from_min..from_max mapped linearly onto to_min..to_max (HME: 1..5 -> 0..100)."""

    from_min: float
    from_max: float
    to_min: float = 0.0
    to_max: float = 100.0

    def __post_init__(self) -> None:
        if not self.from_min < self.from_max:
            raise ValueError(f"from_min must be below from_max: {self.from_min}, {self.from_max}")

    def __call__(self, value: np.ndarray | float) -> np.ndarray:
        fraction = (np.asarray(value, dtype=np.float64) - self.from_min) / (
            self.from_max - self.from_min
        )
        return self.to_min + fraction * (self.to_max - self.to_min)


def item_score(item_mean: np.ndarray | float, linear_map: LinearMap) -> np.ndarray:
    """An item's score from its mean answer (a linear map commutes with the mean)."""
    return linear_map(item_mean)


@dataclass(frozen=True)
class Construct:
    """A sub-index: the mean of its items' scores."""

    id: str
    items: tuple[str, ...]


@dataclass(frozen=True)
class Scoring:
    """Constructs and how each scored item maps to 0–100.

    ``total`` is the mean of the scores of every item in ``maps`` (HME: all nine items).
    """

    constructs: tuple[Construct, ...]
    maps: Mapping[str, LinearMap]

    def __post_init__(self) -> None:
        for construct in self.constructs:
            for item in construct.items:
                if item not in self.maps:
                    raise ValueError(f"construct {construct.id!r}: item {item!r} has no map")
            if not construct.items:
                raise ValueError(f"construct {construct.id!r} has no items")
        if "total" in {c.id for c in self.constructs}:
            raise ValueError('"total" is reserved for the mean of all scored items')


def indices(item_means: Mapping[str, np.ndarray], scoring: Scoring) -> dict[str, np.ndarray]:
    """Construct scores and ``"total"`` per unit from per-item mean answers.

    A construct is the mean of its items' scores (each item's score is its linear map applied to
    the item's mean); ``total`` the mean over all scored items. nan wherever one of the items
    needed is nan (not answered, or not published: pass nan for hidden item figures), so an
    index is never silently computed from a subset of its items.
    """
    scores = {item: scoring.maps[item](item_means[item]) for item in scoring.maps}
    result = {
        construct.id: np.mean([scores[item] for item in construct.items], axis=0)
        for construct in scoring.constructs
    }
    if scores:
        result["total"] = np.mean(list(scores.values()), axis=0)
    return result
