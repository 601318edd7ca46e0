"""Results by background band (age, years in the organisation, profession) at the top of a
campaign's tree.

Which bands of one variable may be shown is `cells.decide_breakdown`'s decision (every
shown band ≥ k, the hidden ones together 0 or ≥ k), made over the respondents the top unit's
own figure includes. The variables shown side by side are then checked as one system
(`crossing.decide_jointly`): answers are read by the full background of each respondent (one
band of every variable), so that no difference of bands of two variables singles anyone out.
An item's mean in a band is published where the same decisions over the item's own answerers
(its population, as for the unit's item figures) show that band too. An index needs all its
items; sensitive items are never broken down.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from django.db.models import Count, Sum

from tillit.results.cells import Breakdown, decide_breakdown, pins_distribution
from tillit.results.crossing import decide_jointly
from tillit.results.disclosure import CROSSING_PROTECTION
from tillit.results.publication import Publication
from tillit.results.statistics import indices
from tillit.surveys.models import AGE_BANDS, TENURE_BANDS, Answer, Campaign, Response

VARIABLES = ("age", "tenure", "profession")
NOT_STATED = ""  # respondents who did not give this variable form a band of their own


@dataclass
class Banded:
    """Direct counts by full background: respondents [units, combinations], answers and sums
    [units, combinations, items]; per variable its bands and each combination's band."""

    variables: list[str]
    bands: dict[str, list[str]]
    band_of: dict[str, np.ndarray]  # variable → [combinations] band index
    respondents: np.ndarray
    answers: np.ndarray
    sums: np.ndarray

    def by_variable(self, array: np.ndarray, variable: str) -> np.ndarray:
        """`array` ([units, combinations, …]) summed into the variable's bands."""
        bands = len(self.bands[variable])
        out = np.zeros((array.shape[0], bands, *array.shape[2:]), dtype=array.dtype)
        for b in range(bands):
            out[:, b] = array[:, self.band_of[variable] == b].sum(axis=1)
        return out


def _order(variable: str, found: set[str], campaign: Campaign) -> list[str]:
    known = {"age": AGE_BANDS, "tenure": TENURE_BANDS}.get(variable, tuple(campaign.professions))
    ordered = [b for b in known if b in found]
    ordered += sorted(found - set(ordered) - {NOT_STATED})
    return ordered + ([NOT_STATED] if NOT_STATED in found else [])


def collect(campaign: Campaign, index: dict[int, int], item_keys: list[str]) -> Banded | None:
    """Direct counts per unit and full background; None when no response carries a band
    (then no answer is read twice)."""
    responses = Response.objects.filter(campaign=campaign)
    if not responses.exclude(background={}).exists():
        return None  # decoding every response's bands to find none cost a second per 100,000
    backgrounds = [
        (index[unit_id], background or {})
        for unit_id, background in responses.values_list("unit_id", "background")
        if unit_id in index
    ]
    variables = [
        v
        for v in VARIABLES
        if any(background.get(v, NOT_STATED) for _unit, background in backgrounds)
    ]
    if not variables:
        return None

    def combination(background: dict) -> tuple[str, ...]:
        return tuple(background.get(v, NOT_STATED) for v in variables)

    combos = sorted({combination(b) for _unit, b in backgrounds})
    position = {c: i for i, c in enumerate(combos)}
    bands = {v: _order(v, {c[n] for c in combos}, campaign) for n, v in enumerate(variables)}
    band_of = {
        v: np.array([bands[v].index(c[n]) for c in combos], dtype=np.int64)
        for n, v in enumerate(variables)
    }
    shape = (len(index), len(combos))
    result = Banded(
        variables,
        bands,
        band_of,
        np.zeros(shape, dtype=np.int64),
        np.zeros((*shape, len(item_keys)), dtype=np.int64),
        np.zeros((*shape, len(item_keys)), dtype=np.float64),
    )
    for unit, background in backgrounds:
        result.respondents[unit, position[combination(background)]] += 1
    column = {key: j for j, key in enumerate(item_keys)}
    # One GROUP BY over the answers and their response's bands.
    rows = (
        Answer.objects.filter(campaign=campaign, value__isnull=False)
        .values_list("unit_id", "response__background", "instrument", "item_id")
        .annotate(n=Count("*"), total=Sum("value"))
        .order_by()
    )
    for unit_id, background, instrument, item_id, n, total in rows:
        j = column.get(f"{instrument}.{item_id}")
        if j is None or unit_id not in index:
            continue
        c = position.get(combination(background or {}))
        if c is None:
            continue
        result.answers[index[unit_id], c, j] += n
        result.sums[index[unit_id], c, j] += total
    return result


def _blocks(decision, column: int, top: int, per_unit: np.ndarray) -> np.ndarray:
    """[blocks, combinations]: the top figure's residual blocks (in `decision`'s column)
    crossed with the full background."""
    owner = decision.owner[:, column]
    inside = decision.tree.subtree_mask(top)[np.maximum(owner, 0)] & (owner >= 0)
    holders = sorted(set(owner[inside].tolist()))
    table = np.zeros((len(holders), per_unit.shape[1]), dtype=np.int64)
    row = {h: r for r, h in enumerate(holders)}
    for atom in np.flatnonzero(inside):
        table[row[int(owner[atom])]] += per_unit[atom]
    return table


def _jointly(
    decision,
    column: int,
    data: Banded,
    per_unit: np.ndarray,
    found: dict[str, Breakdown],
) -> dict[str, Breakdown]:
    """The variables' breakdowns at one unit, with bands hidden until they are safe together."""
    if len(found) < 2:
        return found
    variables = list(found)
    top = next(iter(found.values())).unit
    k = int(decision.k[column])
    sizes = [
        data.by_variable(per_unit, v)[decision.included(top, column)].sum(axis=0) for v in variables
    ]
    shown = decide_jointly(
        _blocks(decision, column, top, per_unit),
        [data.band_of[v] for v in variables],
        [found[v].shown for v in variables],
        sizes,
        k,
    )
    result = {}
    for v, mask, size in zip(variables, shown, sizes, strict=True):
        before = found[v]
        reason = [
            r if (mask[b] or not before.shown[b]) else CROSSING_PROTECTION
            for b, r in enumerate(before.reason)
        ]
        result[v] = replace(before, shown=mask, reason=reason, n=np.where(mask, size, 0))
    return result


def publish_breakdowns(
    publication: Publication,
    banded: Banded,
    instruments: list[dict[str, Any]],
    item_keys: list[str],
) -> dict[int, list[dict[str, Any]]]:
    """Per shown top unit (by index): each variable's bands with n and indices, or why hidden."""
    tree, decision = publication.tree, publication.units
    tops = [u for u in tree.roots.tolist() if decision.shown[u, 0]]
    columns = {spec.id: c for c, spec in enumerate(publication.items)}
    item_decision = publication.item_decision
    result: dict[int, list[dict[str, Any]]] = {}
    for top in tops:
        found = {}
        for variable in banded.variables:
            per_band = banded.by_variable(banded.respondents, variable)
            decided = decide_breakdown(decision, per_band, [tree.ids[top]], variables=(variable,))
            if tree.ids[top] in decided:
                found[variable] = decided[tree.ids[top]]
        found = _jointly(decision, 0, banded, banded.respondents, found)
        # Per item: its own answerers' decisions, alone and together, within the shown bands.
        means = {v: np.full((len(banded.bands[v]), len(item_keys)), np.nan) for v in found}
        for j, key in enumerate(item_keys):
            column = columns.get(key)
            if column is None or publication.items[column].sensitive:
                continue
            counts = banded.answers[:, :, j]
            if (counts.sum(axis=1) != item_decision.counts[:, column]).any():
                continue
            item_found = {}
            for variable in found:
                per_band = banded.by_variable(counts, variable)
                decided = decide_breakdown(
                    item_decision, per_band, [tree.ids[top]], column=column, variables=(variable,)
                )
                if tree.ids[top] in decided:
                    item_found[variable] = decided[tree.ids[top]]
            # Within the bands the respondents' joint check allows (below). An item's own system
            # is not checked jointly again: per band only indices are published (means of the
            # answerers' item means), never an item's count or sum, so what a difference of
            # bands can give is bounded by the respondents' system, which finds no group under
            # k; a mixed-integer program per optional item cost seconds each.
            included = item_decision.included(top, column)
            for variable, item_breakdown in item_found.items():
                allowed = item_breakdown.shown & found[variable].shown & (item_breakdown.n > 0)
                sums = banded.by_variable(banded.sums[:, :, j], variable)[included].sum(axis=0)
                # A band's mean that pins its distribution publishes it: under k_dist, no mean.
                values = publication.items[column].values
                pinned = pins_distribution(
                    item_breakdown.n, np.rint(sums).astype(np.int64), min(values), max(values)
                )
                allowed &= ~(pinned & (item_breakdown.n < publication.thresholds.k_dist))
                means[variable][allowed, j] = sums[allowed] / item_breakdown.n[allowed]
        for variable, breakdown in found.items():
            values: dict[str, np.ndarray] = {}
            for inst in instruments:
                if inst["scoring"] is None:
                    continue
                item_means = {
                    item: means[variable][:, item_keys.index(f"{inst['slug']}.{item}")]
                    for item in inst["scoring"].maps
                }
                for name, band_values in indices(item_means, inst["scoring"]).items():
                    values[f"{inst['slug']}.{name}"] = band_values
            bands = []
            for b, band in enumerate(banded.bands[variable]):
                if not breakdown.shown[b]:
                    bands.append({"band": band, "reason": breakdown.reason[b]})
                    continue
                bands.append(
                    {
                        "band": band,
                        "n": int(breakdown.n[b]),
                        "indices": {
                            key: None if np.isnan(v[b]) else round(float(v[b]), 1)
                            for key, v in values.items()
                        },
                    }
                )
            result.setdefault(top, []).append({"variable": variable, "bands": bands})
    return result
