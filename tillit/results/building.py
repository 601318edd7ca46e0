"""Reading a campaign's answers for publication: instruments, the frozen unit tree, one
GROUP BY of histograms, comments, and what the pages need to label figures.

`publishing.py` turns these into the published result; nothing here decides what is shown.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np
from django.db import connection
from django.db.models import Count, Q

from tillit.core.collation import collation_key
from tillit.instruments.definition import iter_items, text_for
from tillit.org.models import Unit
from tillit.results.models import ResultSnapshot, ResultUnit
from tillit.results.publication import ItemSpec
from tillit.results.statistics import Construct, LinearMap, Scoring, Tree
from tillit.surveys.models import Answer, Campaign


def instruments_of(campaign: Campaign) -> list[dict[str, Any]]:
    """Per instrument: its scale items (ItemSpecs), text items, constructs and scoring."""
    result = []
    for version in campaign.versions():
        definition = version.definition
        slug = definition["id"]
        scale_items, text_items = [], []
        for _section, item in iter_items(definition):
            if item["type"] == "scale":
                scale = definition["scales"][item["scale"]]
                scale_items.append((item, scale))
            elif item["type"] == "text":
                text_items.append(item)
        scoring_def = definition.get("scoring", {"method": "none"})
        scoring = None
        if scoring_def.get("method") == "linear" and scale_items:
            maps = {
                item["id"]: LinearMap(
                    scale["min"], scale["max"], scoring_def["to_min"], scoring_def["to_max"]
                )
                for item, scale in scale_items
            }
            constructs = tuple(
                Construct(c["id"], tuple(i for i in c["items"] if i in maps))
                for c in definition.get("constructs", [])
                if any(i in maps for i in c["items"])
            )
            scoring = Scoring(constructs=constructs, maps=maps)
        result.append(
            {
                "slug": slug,
                "instrument_id": version.instrument_id,
                "definition": definition,
                "specs": [
                    ItemSpec(
                        f"{slug}.{item['id']}",
                        tuple(range(scale["min"], scale["max"] + 1)),
                        bool(item.get("sensitive")),
                    )
                    for item, scale in scale_items
                ],
                "text_items": [f"{slug}.{item['id']}" for item in text_items],
                "scoring": scoring,
                "index_keys": (
                    [f"{slug}.{c.id}" for c in scoring.constructs] + [f"{slug}.total"]
                    if scoring
                    else []
                ),
            }
        )
    return result


def campaign_units(
    campaign: Campaign, unit_pks: set[int], parents: dict[int, int | None]
) -> tuple[list[Unit], dict[int, int | None]]:
    """The units with invitations or responses and their ancestors in the tree frozen at
    launch (`parents`), depth first (siblings in the alphabet of the campaign's first
    language), with each one's frozen parent. A unit the frozen tree lacks (made after the
    launch) hangs under its nearest ancestor that it has."""
    frozen = dict(parents)
    missing = set(unit_pks) - set(frozen)
    if missing:
        top = campaign.target_unit_id
        for pk, path in Unit.objects.filter(pk__in=missing).values_list("pk", "path"):
            chain = [int(p) for p in path.strip("/").split("/") if p][:-1]
            frozen[pk] = next((a for a in reversed(chain) if a in parents), top)
    wanted: set[int] = set()
    for start in set(unit_pks) | {campaign.target_unit_id}:
        pk: int | None = start
        while pk is not None and pk not in wanted:
            wanted.add(pk)
            pk = frozen.get(pk)
    units = list(
        Unit.objects.filter(pk__in=wanted).only(
            "pk", "external_id", "name", "parent_id", "path", "depth", "organisation_id"
        )
    )
    present = {u.pk for u in units}
    by_parent: dict[int | None, list[Unit]] = defaultdict(list)
    for u in units:
        parent = frozen.get(u.pk)
        by_parent[parent if parent in present else None].append(u)
    language = campaign.languages[0] if campaign.languages else "sv"

    def alphabetical(u: Unit) -> str:
        return collation_key(u.name, language)

    ordered: list[Unit] = []
    stack = sorted(by_parent[None], key=alphabetical, reverse=True)
    while stack:
        unit = stack.pop()
        ordered.append(unit)
        stack.extend(sorted(by_parent[unit.pk], key=alphabetical, reverse=True))
    return ordered, {
        u.pk: (frozen.get(u.pk) if frozen.get(u.pk) in present else None) for u in units
    }


def histograms(campaign: Campaign, index: dict[int, int], specs: list[ItemSpec]) -> dict:
    """Direct histograms per item key: ONE GROUP BY unit and item over the answers, with a
    count per scale value (the values in columns, so a third of the rows of a GROUP BY that
    also groups by value: less for the database to group and for Python to read)."""
    hists = {spec.id: np.zeros((len(index), len(spec.values)), dtype=np.int64) for spec in specs}
    if not specs:  # nothing to count (without a count the query would return every answer)
        return hists
    values = sorted({v for spec in specs for v in spec.values})
    query = (
        Answer.objects.filter(campaign=campaign, value__isnull=False)
        .values_list("unit_id", "instrument", "item_id")
        .annotate(**{f"n{n}": Count("pk", filter=Q(value=v)) for n, v in enumerate(values)})
        .order_by()
    )
    sql, params = query.query.sql_with_params()
    # Keyed by the (instrument, item) pair as the rows give it: no string building per row.
    found: dict[tuple[str, str], tuple[list[int], list[tuple]]] = {
        tuple(spec.id.split(".", 1)): ([], []) for spec in specs
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for row in cursor.fetchall():
            rows = found.get((row[1], row[2]))
            position = index.get(row[0])
            if rows is not None and position is not None:
                rows[0].append(position)
                rows[1].append(row[3:])
    for spec in specs:
        positions, counts = found[tuple(spec.id.split(".", 1))]
        if positions:
            columns = [values.index(v) for v in spec.values]
            hists[spec.id][positions] = np.array(counts, dtype=np.int64)[:, columns]
    return hists


def comments(campaign: Campaign, text_keys: list[str]) -> dict[str, dict[int, list[str]]]:
    """Free-text answers per item key and unit (no dates, no response ids)."""
    found: dict[str, dict[int, list[str]]] = {key: defaultdict(list) for key in text_keys}
    if not text_keys:
        return found
    # One query per item: each is an equality on the index of free-text answers (whose
    # condition `text > ''` the query repeats), where an OR of items made SQLite scan every
    # answer of the campaign.
    for key in text_keys:
        instrument, item_id = key.split(".", 1)
        rows = Answer.objects.filter(
            campaign=campaign, instrument=instrument, item_id=item_id, text__gt=""
        ).values_list("unit_id", "text")
        for unit_id, text in rows:
            found[key][unit_id].append(text)
    return found


def round_figure(value: float) -> float | None:
    return None if value != value else round(value, 1)  # NaN is unequal to itself


def rollup_counts(tree: Tree, values: np.ndarray) -> np.ndarray:
    from tillit.results.statistics import rollup

    return rollup(tree, values.astype(np.int64)) if len(tree) else values


def instrument_meta(inst: dict[str, Any]) -> dict[str, Any]:
    """What pages need to label an instrument's figures, in every language it has."""
    definition = inst["definition"]
    languages = definition.get("languages", ["sv"])
    items = {}
    for _section, item in iter_items(definition):
        if item["type"] not in ("scale", "text"):
            continue
        entry: dict[str, Any] = {"type": item["type"], "text": item["text"]}
        if item["type"] == "scale":
            scale = definition["scales"][item["scale"]]
            entry["labels"] = scale.get("labels", {})
            entry["min"], entry["max"] = scale["min"], scale["max"]
            entry["construct"] = item.get("construct") or next(
                (c["id"] for c in definition.get("constructs", []) if item["id"] in c["items"]),
                None,
            )
        items[f"{inst['slug']}.{item['id']}"] = entry
    constructs = {
        f"{inst['slug']}.{c['id']}": c.get("title", {}) for c in definition.get("constructs", [])
    }
    return {
        "id": inst["slug"],
        "title": definition.get("title", {}),
        "languages": languages,
        "index_keys": inst["index_keys"],
        "constructs": constructs,
        "items": items,
        "text_title": {
            key: text_for(items[key]["text"], "sv") for key in inst["text_items"] if key in items
        },
    }


def previous_results(campaign: Campaign, instruments: list[dict[str, Any]]) -> dict[str, Any]:
    """Per instrument the latest earlier campaign of the organisation with it, and its
    published indices per unit external id."""
    campaigns: dict[str, dict[str, Any]] = {}
    units: dict[str, dict[str, float]] = defaultdict(dict)
    for inst in instruments:
        if not inst["index_keys"]:
            continue
        earlier = (
            Campaign.objects.filter(
                organisation_id=campaign.organisation_id,
                opens_on__lt=campaign.opens_on,
                campaign_instruments__version__instrument_id=inst["instrument_id"],
            )
            .exclude(status=Campaign.Status.DRAFT)
            .exclude(pk=campaign.pk)
            .order_by("-opens_on", "-pk")
            .first()
        )
        if earlier is None:
            continue
        # The earlier campaign's own stored publication, never recomputed (on today's tree) for
        # a newer one; one not published yet asks for this campaign's refresh when it is.
        snapshot = ResultSnapshot.objects.filter(
            campaign=earlier, computed_at__isnull=False
        ).first()
        if snapshot is None:
            continue
        if snapshot.data.get("phase") == "participation":
            continue
        campaigns[inst["slug"]] = {"id": earlier.pk, "name": earlier.name}
        keys = set(inst["index_keys"])
        for external_id, summary in ResultUnit.objects.filter(
            snapshot=snapshot, shown=True
        ).values_list("external_id", "summary"):
            for key, value in summary.get("indices", {}).items():
                if key in keys and value is not None:
                    units[external_id][key] = value
    return {"campaigns": campaigns, "units": units}
