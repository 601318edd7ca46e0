"""Results by background band (age, years in the organisation, profession) at the top of a
campaign's tree.

Which bands may be shown is `disclosure.decide_breakdown`'s decision (every shown band ≥ k, the
hidden ones together 0 or ≥ k), made over the respondents the top unit's own figure includes, one
variable at a time (never crossed). An item's mean in a band is published where the same
decision over the item's own answerers (its population, as for the unit's item figures) shows
that band too. An index needs all its items; sensitive items are never broken down.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db.models import Count, Sum

from tillit.results.disclosure import Publication, decide_breakdown
from tillit.results.statistics import indices
from tillit.surveys.models import AGE_BANDS, TENURE_BANDS, Answer, Campaign, Response

VARIABLES = ("age", "tenure", "profession")
NOT_STATED = ""  # respondents who did not give this variable form a band of their own


@dataclass
class Banded:
    """One variable's direct counts: respondents [units, bands], answers and sums
    [units, bands, items]."""

    bands: list[str]
    respondents: np.ndarray
    answers: np.ndarray
    sums: np.ndarray


def _order(variable: str, found: set[str], campaign: Campaign) -> list[str]:
    known = {"age": AGE_BANDS, "tenure": TENURE_BANDS}.get(variable, tuple(campaign.professions))
    ordered = [b for b in known if b in found]
    ordered += sorted(found - set(ordered) - {NOT_STATED})
    return ordered + ([NOT_STATED] if NOT_STATED in found else [])


def collect(campaign: Campaign, index: dict[int, int], item_keys: list[str]) -> dict[str, Banded]:
    """Direct counts per unit and band of each variable some respondent has; {} when no
    response carries a band (then no answer is read twice)."""
    responses = Response.objects.filter(campaign=campaign)
    if not responses.exclude(background={}).exists():
        return {}  # decoding every response's bands to find none cost a second per 100,000
    backgrounds = [
        (index[unit_id], background or {})
        for unit_id, background in responses.values_list("unit_id", "background")
        if unit_id in index
    ]
    present = {
        v for _unit, background in backgrounds for v in VARIABLES if background.get(v, NOT_STATED)
    }
    if not present:
        return {}
    column = {key: j for j, key in enumerate(item_keys)}
    result: dict[str, Banded] = {}
    for variable in VARIABLES:
        if variable not in present:
            continue
        found = {background.get(variable, NOT_STATED) for _unit, background in backgrounds}
        bands = _order(variable, found, campaign)
        shape = (len(index), len(bands))
        result[variable] = Banded(
            bands,
            np.zeros(shape, dtype=np.int64),
            np.zeros((*shape, len(item_keys)), dtype=np.int64),
            np.zeros((*shape, len(item_keys)), dtype=np.float64),
        )
        position = {band: b for b, band in enumerate(bands)}
        for unit, background in backgrounds:
            result[variable].respondents[unit, position[background.get(variable, NOT_STATED)]] += 1
    positions = {v: {band: b for b, band in enumerate(d.bands)} for v, d in result.items()}
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
        for variable, banded in result.items():
            b = positions[variable][(background or {}).get(variable, NOT_STATED)]
            banded.answers[index[unit_id], b, j] += n
            banded.sums[index[unit_id], b, j] += total
    return result


def _item_means(
    publication: Publication, data: Banded, variable: str, top: int, item_keys: list[str]
) -> np.ndarray:
    """[bands, items]: each item's mean per band where the item's own breakdown shows the
    band (its answerers are its population, as for the unit's item figures), else nan."""
    means = np.full((len(data.bands), len(item_keys)), np.nan)
    columns = {spec.id: c for c, spec in enumerate(publication.items)}
    decision = publication.item_decision
    for j, key in enumerate(item_keys):
        column = columns.get(key)
        counts = data.answers[:, :, j]
        if (
            column is None
            or publication.items[column].sensitive
            or (counts.sum(axis=1) != decision.counts[:, column]).any()
        ):
            continue
        found = decide_breakdown(
            decision, counts, [publication.tree.ids[top]], column=column, variables=(variable,)
        )
        breakdown = found.get(publication.tree.ids[top])
        if breakdown is None:
            continue
        included = decision.included(top, column)
        sums = data.sums[included, :, j].sum(axis=0)
        shown = breakdown.shown & (breakdown.n > 0)
        means[shown, j] = sums[shown] / breakdown.n[shown]
    return means


def publish_breakdowns(
    publication: Publication,
    banded: dict[str, Banded],
    instruments: list[dict[str, Any]],
    item_keys: list[str],
) -> dict[int, list[dict[str, Any]]]:
    """Per shown top unit (by index): each variable's bands with n and indices, or why hidden."""
    tree, decision = publication.tree, publication.units
    tops = [tree.ids[u] for u in tree.roots.tolist() if decision.shown[u, 0]]
    column = {key: j for j, key in enumerate(item_keys)}
    result: dict[int, list[dict[str, Any]]] = {}
    for variable, data in banded.items():
        for breakdown in decide_breakdown(
            decision, data.respondents, tops, variables=(variable,)
        ).values():
            means = _item_means(publication, data, variable, breakdown.unit, item_keys)
            values: dict[str, np.ndarray] = {}
            for inst in instruments:
                if inst["scoring"] is None:
                    continue
                item_means = {
                    item: means[:, column[f"{inst['slug']}.{item}"]]
                    for item in inst["scoring"].maps
                }
                for name, band_values in indices(item_means, inst["scoring"]).items():
                    values[f"{inst['slug']}.{name}"] = band_values
            bands = []
            for b, band in enumerate(data.bands):
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
            result.setdefault(breakdown.unit, []).append({"variable": variable, "bands": bands})
    return result
