"""Building a campaign's published result from the database and storing it as a snapshot.

One GROUP BY over the answers (campaign, unit, item, value → count), one over the responses
(unit → count), one over the invitations (unit → invited, responded), the unit tree of the
campaign (the units with invitations or responses and their ancestors), then the disclosure
engine (:func:`tillit.results.disclosure.publish`) and the JSON shape of DESIGN.md. Free-text
comments go through the engine's comment decision with k_text. Indices are computed per
instrument from the published item means (a function of published figures, so they add
nothing). The change against the previous campaign with the same instrument compares units by
external id: units renamed keep their trend, units re-created under a new id lose it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from collections import defaultdict
from typing import Any

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from tillit.core.collation import collation_key
from tillit.instruments.definition import iter_items, text_for
from tillit.org.models import Unit
from tillit.results.breakdowns import collect, publish_breakdowns
from tillit.results.disclosure import (
    MESSAGES,
    ItemSpec,
    Thresholds,
    decide,
    publish,
    published_comments,
)
from tillit.results.models import ResultSettings, ResultSnapshot, ResultUnit
from tillit.results.statistics import Construct, LinearMap, Scoring, Tree, indices
from tillit.surveys.models import Answer, Campaign, CampaignInstrument, Invitation, Response

STALE_AFTER = dt.timedelta(minutes=10)
REASON_THRESHOLD = {
    "below_k": "k",
    "sensitive_below_k": "k_sensitive",
    "dist_below_k_dist": "k_dist",
    "text_below_k_text": "k_text",
    "cell_below_k": "k",
}


def reason_text(code: str, thresholds: dict[str, int], n: int = 0) -> str:
    """The reason for a hidden figure in the active language ("Fewer than 5 answers")."""
    if code not in MESSAGES:
        return ""
    k = thresholds.get(REASON_THRESHOLD.get(code, "k"), thresholds.get("k", 5))
    return str(MESSAGES[code]) % {"k": k, "n": n}


def thresholds_of(campaign: Campaign) -> Thresholds:
    """The campaign's thresholds as the engine's `Thresholds` (validated there too)."""
    return Thresholds(
        k=campaign.k,
        k_dist=campaign.k_dist,
        k_text=campaign.k_text,
        k_sensitive=campaign.k_sensitive,
    )


def mode_of(campaign: Campaign) -> str:
    """The organisation's disclosure mode (move-up unless it chose complementary)."""
    found = ResultSettings.objects.filter(organisation_id=campaign.organisation_id).first()
    return found.mode if found else ResultSettings.Mode.MOVE_UP


def _instruments(campaign: Campaign) -> list[dict[str, Any]]:
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


def _campaign_units(campaign: Campaign, unit_pks: set[int]) -> list[Unit]:
    """The units that had invitations or responses and their ancestors up to the target unit,
    in depth-first order (siblings in the alphabet of the campaign's first language)."""
    target = campaign.target_unit
    paths = Unit.objects.filter(pk__in=unit_pks).values_list("path", flat=True)
    wanted = {target.pk} | set(unit_pks)
    for path in paths:
        for pk in (int(p) for p in path.strip("/").split("/")):
            wanted.add(pk)
    units = list(
        Unit.objects.filter(pk__in=wanted).only(
            "pk", "external_id", "name", "parent_id", "path", "depth", "organisation_id"
        )
    )
    inside = [u for u in units if u.path.startswith(target.path) or u.pk in unit_pks]
    # Units moved out of the target's subtree keep their chain up to the organisation's root.
    keep = {u.pk for u in inside}
    for u in inside:
        keep.update(int(p) for p in u.path.strip("/").split("/") if p)
    if any(not u.path.startswith(target.path) for u in inside):
        units = [u for u in units if u.pk in keep]
    else:
        units = [u for u in units if u.path.startswith(target.path)]
    by_parent: dict[int | None, list[Unit]] = defaultdict(list)
    present = {u.pk for u in units}
    for u in units:
        by_parent[u.parent_id if u.parent_id in present else None].append(u)
    ordered: list[Unit] = []
    language = campaign.languages[0] if campaign.languages else "sv"

    def alphabetical(u: Unit) -> str:
        return collation_key(u.name, language)

    stack = sorted(by_parent[None], key=alphabetical, reverse=True)
    while stack:
        unit = stack.pop()
        ordered.append(unit)
        stack.extend(sorted(by_parent[unit.pk], key=alphabetical, reverse=True))
    return ordered


def _histograms(campaign: Campaign, index: dict[int, int], specs: list[ItemSpec]) -> dict:
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


def _comments(campaign: Campaign, text_keys: list[str]) -> dict[str, dict[int, list[str]]]:
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


def _round(value: float) -> float | None:
    return None if value != value else round(value, 1)  # NaN is unequal to itself


def build_published_result(campaign: Campaign) -> dict[str, Any]:
    """The published result of a campaign in the JSON shape of DESIGN.md, plus per unit the
    fields the pages need (`unit_pk`, `path`, `depth`, `trend`)."""
    thresholds = thresholds_of(campaign)
    mode = mode_of(campaign)
    instruments = _instruments(campaign)
    responses = dict(
        Response.objects.filter(campaign=campaign)
        .values_list("unit_id")
        .annotate(n=Count("*"))
        .order_by()
    )
    # The response rate is personal links only (answered of invited); a poster code's links
    # are nobody's invitation, so their answers are counted apart (`n_via_code`).
    invited: dict[int, int] = {}
    answered_invited: dict[int, int] = {}
    via_code: dict[int, int] = {}
    for unit_id, n_invited, n_answered, n_coded in (
        Invitation.objects.filter(campaign=campaign)
        .values_list("unit_id")
        .annotate(
            n_invited=Count("id", filter=Q(via_code=False)),
            n_answered=Count("id", filter=Q(via_code=False, responded=True)),
            n_coded=Count("id", filter=Q(via_code=True, responded=True)),
        )
        .order_by()
    ):
        invited[unit_id] = n_invited
        answered_invited[unit_id] = n_answered
        via_code[unit_id] = n_coded
    units = _campaign_units(campaign, set(responses) | set(invited))
    index = {u.pk: i for i, u in enumerate(units)}
    pk_of = [u.pk for u in units]
    tree = Tree.from_units((u.pk, u.parent_id if u.parent_id in index else None) for u in units)
    n_direct = np.array([responses.get(pk, 0) for pk in pk_of], dtype=np.int64)
    invited_total = _rollup(tree, np.array([invited.get(pk, 0) for pk in pk_of]))
    answered_total = _rollup(tree, np.array([answered_invited.get(pk, 0) for pk in pk_of]))
    via_code_total = _rollup(tree, np.array([via_code.get(pk, 0) for pk in pk_of]))
    specs = [spec for inst in instruments for spec in inst["specs"]]
    hists = _histograms(campaign, index, specs)
    if not specs:  # an instrument without scale items: the unit decision still holds
        specs = [ItemSpec("_none")]
        hists = {"_none": np.zeros((len(units), 5), dtype=np.int64)}
    publication = publish(tree, n_direct, specs, hists, thresholds, mode=mode)
    all_indices: dict[str, np.ndarray] = {}
    for inst in instruments:
        if inst["scoring"] is None:
            continue
        means = {item: publication.means[f"{inst['slug']}.{item}"] for item in inst["scoring"].maps}
        for name, values in indices(means, inst["scoring"]).items():
            all_indices[f"{inst['slug']}.{name}"] = values

    item_keys = [spec.id for inst in instruments for spec in inst["specs"]]
    banded = collect(campaign, index, item_keys)
    breakdowns = publish_breakdowns(publication, banded, instruments, item_keys) if banded else {}

    text_keys = [key for inst in instruments for key in inst["text_items"]]
    comments = _comments(campaign, text_keys)
    salt = hashlib.sha256(f"{settings.SECRET_KEY}:comments:{campaign.pk}".encode()).hexdigest()
    comment_results = {}
    for key in text_keys:
        counts = np.array([len(comments[key].get(pk, ())) for pk in pk_of], dtype=np.int64)
        decision = decide(
            tree,
            counts,
            thresholds.k_text,
            mode=mode,
            allowed=publication.units.shown,
            below_k_reason="text_below_k_text",
            protection_reason="text_residual_protection",
        )
        texts = published_comments(
            decision, {pk: comments[key].get(pk, []) for pk in pk_of}, salt=salt
        )
        comment_results[key] = (decision, texts)

    previous = _previous(campaign, instruments)
    # Plain lists, read once: numpy scalars read one by one per unit are slow.
    parents, depths, invited_list = (
        tree.parent.tolist(),
        tree.depth.tolist(),
        invited_total.tolist(),
    )
    answered_list, via_code_list = answered_total.tolist(), via_code_total.tolist()
    index_lists = {key: values.tolist() for key, values in all_indices.items()}
    unit_rows = []
    for i, unit in enumerate(units):
        result = publication.unit_result(i)
        parent = parents[i]
        row: dict[str, Any] = {
            "id": unit.external_id,
            "name": unit.name,
            "parent_id": units[parent].external_id if parent >= 0 else None,
            "unit_pk": unit.pk,
            "path": unit.path,
            "depth": int(depths[i]),
            "n_invited": int(invited_list[i]),
            "n_answered_invited": int(answered_list[i]),
            "n_via_code": int(via_code_list[i]),
            "n_responded": result["n_responded"],
            "shown": result["shown"],
        }
        if not result["shown"]:
            row["reason"] = result["reason"]
            unit_rows.append(row)
            continue
        row["n_published"] = result["n_published"]
        row["excluded_n"] = result["excluded_n"]
        row["indices"] = {key: _round(values[i]) for key, values in index_lists.items()}
        row["items"] = result["items"]
        row["items"].pop("_none", None)
        if i in breakdowns:
            row["breakdowns"] = breakdowns[i]
        if text_keys:
            entries = []
            for key in text_keys:
                decision, texts = comment_results[key]
                if decision.shown[i, 0]:
                    entries.append({"item": key, "texts": texts.get(unit.pk, [])})
                else:
                    entries.append({"item": key, "reason": str(decision.reason[i, 0])})
            row["comments"] = entries
        else:
            row["comments"] = None
        row["trend"] = {
            key: previous["units"].get(unit.external_id, {}).get(key)
            for key in row["indices"]
            if previous["units"].get(unit.external_id, {}).get(key) is not None
        }
        unit_rows.append(row)
    return {
        "campaign": {
            "id": campaign.pk,
            "name": campaign.name,
            "organisation": campaign.organisation.slug,
            "opens_on": campaign.opens_on.isoformat(),
            "closes_on": campaign.closes_on.isoformat(),
            "status": campaign.status,
        },
        "thresholds": {
            "k": thresholds.k,
            "k_dist": thresholds.k_dist,
            "k_text": thresholds.k_text,
            "k_sensitive": thresholds.k_sensitive,  # its reason names it ("fewer than 20 …")
        },
        "mode": mode,
        "instruments": [_instrument_meta(inst) for inst in instruments],
        "previous": previous["campaigns"],
        "left_out": int(publication.units.left_out[0]),
        "units": unit_rows,
    }


def _rollup(tree: Tree, values: np.ndarray) -> np.ndarray:
    from tillit.results.statistics import rollup

    return rollup(tree, values.astype(np.int64)) if len(tree) else values


def _instrument_meta(inst: dict[str, Any]) -> dict[str, Any]:
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


def _previous(campaign: Campaign, instruments: list[dict[str, Any]]) -> dict[str, Any]:
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
        snapshot = get_snapshot(earlier)
        campaigns[inst["slug"]] = {"id": earlier.pk, "name": earlier.name}
        keys = set(inst["index_keys"])
        for external_id, summary in ResultUnit.objects.filter(
            snapshot=snapshot, shown=True
        ).values_list("external_id", "summary"):
            for key, value in summary.get("indices", {}).items():
                if key in keys and value is not None:
                    units[external_id][key] = value
    return {"campaigns": campaigns, "units": units}


SUMMARY_KEYS = (
    "id",
    "name",
    "parent_id",
    "unit_pk",
    "depth",
    "n_invited",
    "n_answered_invited",
    "n_via_code",
    "n_responded",
    "shown",
    "reason",
    "n_published",
    "excluded_n",
    "indices",
    "trend",
)


UNIT_COLUMNS = (
    "snapshot_id",
    "unit_pk",
    "external_id",
    "parent_external_id",
    "path",
    "depth",
    "position",
    "shown",
    "summary",
    "data",
)


def _insert_units(snapshot_id: int, rows: list[dict[str, Any]]) -> None:
    """Write a snapshot's unit rows: COPY on PostgreSQL, one prepared INSERT run for every row
    on SQLite. Each JSON document is encoded once, here; `bulk_create` had compiled 1,000-row
    INSERTs whose 10,000 placeholders psycopg then parsed without its cache (a second of the
    5,000-unit bench on PostgreSQL)."""
    records = [
        (
            snapshot_id,
            row["unit_pk"],
            row["id"],
            row["parent_id"] or "",
            row["path"],
            row["depth"],
            position,
            row["shown"],
            json.dumps({key: row[key] for key in SUMMARY_KEYS if key in row}),
            json.dumps(row),
        )
        for position, row in enumerate(rows)
    ]
    quote = connection.ops.quote_name
    table, columns = quote(ResultUnit._meta.db_table), ", ".join(map(quote, UNIT_COLUMNS))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with (
                connection.wrap_database_errors,
                cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
            ):
                for record in records:
                    copy.write_row(record)
        else:
            placeholders = ", ".join(["%s"] * len(UNIT_COLUMNS))
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({placeholders})",  # noqa: S608
                records,
            )


@transaction.atomic
def store_snapshot(campaign: Campaign) -> ResultSnapshot:
    """Compute the campaign's published result and replace its stored snapshot."""
    result = build_published_result(campaign)
    snapshot, _created = ResultSnapshot.objects.select_for_update().get_or_create(campaign=campaign)
    snapshot.units.all().delete()
    _insert_units(snapshot.pk, result.pop("units"))
    snapshot.data = result
    snapshot.thresholds = result["thresholds"]
    snapshot.mode = result["mode"]
    snapshot.computed_at = timezone.now()
    snapshot.save(update_fields=["data", "thresholds", "mode", "computed_at"])
    return snapshot


def get_snapshot(campaign: Campaign) -> ResultSnapshot:
    """The campaign's stored snapshot; built now when there is none yet. An open campaign's
    snapshot older than STALE_AFTER also asks for a background refresh (a safety net beside
    the refresh that submitting answers asks for)."""
    snapshot = ResultSnapshot.objects.filter(campaign=campaign).first()
    if snapshot is None or not snapshot.ready:
        return store_snapshot(campaign)
    if (
        campaign.status == Campaign.Status.OPEN
        and snapshot.refresh_queued_at is None
        and snapshot.computed_at < timezone.now() - STALE_AFTER
    ):
        refresh_results(campaign.pk)
    return snapshot


# When this process last asked for a refresh because answers arrived, per campaign.
_ASKED: dict[int, float] = {}
ASK_EVERY = 5.0  # seconds


def answers_arrived(campaign_id: int) -> bool:
    """`refresh_results` for the stream of answers of an open campaign: at most once per
    ASK_EVERY seconds per process, since each ask costs a write on the submit's hot path and a
    refresh reads all answers anyway. An answer that arrives after the last refresh started
    and asks nothing is picked up by the next ask, by closing the campaign, or by
    `get_snapshot`'s staleness check."""
    now = time.monotonic()
    if now - _ASKED.get(campaign_id, -ASK_EVERY) < ASK_EVERY:
        return False
    _ASKED[campaign_id] = now
    return refresh_results(campaign_id)


def refresh_results(campaign_id: int) -> bool:
    """Ask for the campaign's snapshot to be recomputed in the background (debounced).

    Call when a campaign closes and after answers arrive. Enqueues a task only when none is
    waiting for this campaign; returns True when it did.
    """
    from tillit.results.tasks import refresh_snapshot

    # While a refresh waits (the common case under a stream of answers) this is one UPDATE
    # that matches nothing and one existence check.
    waiting = ResultSnapshot.objects.filter(campaign_id=campaign_id, refresh_queued_at__isnull=True)
    claimed = waiting.update(refresh_queued_at=timezone.now())
    if not claimed and not ResultSnapshot.objects.filter(campaign_id=campaign_id).exists():
        ResultSnapshot.objects.get_or_create(campaign_id=campaign_id)
        claimed = waiting.update(refresh_queued_at=timezone.now())
    if claimed:
        transaction.on_commit(lambda: refresh_snapshot.enqueue(campaign_id))
    return bool(claimed)


def refresh_comparisons(campaign_id: int) -> int:
    """Ask for a refresh of the later campaigns that may compare with this one (the same
    organisation, an instrument in common): importing last year's answers after this year's
    results were published must give this year its trend. Returns how many were asked."""
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is None:
        return 0
    instruments = CampaignInstrument.objects.filter(campaign=campaign).values(
        "version__instrument_id"
    )
    later = (
        Campaign.objects.filter(
            organisation_id=campaign.organisation_id,
            opens_on__gt=campaign.opens_on,
            campaign_instruments__version__instrument_id__in=instruments,
        )
        .exclude(status=Campaign.Status.DRAFT)
        .values_list("pk", flat=True)
        .distinct()
    )
    return sum(refresh_results(pk) for pk in later)


def published_json(snapshot: ResultSnapshot, unit_pks: set[int] | None = None) -> dict[str, Any]:
    """The published result as stored, for all units or only `unit_pks`; hidden units carry
    their reason's text in the active language. What every output writes."""
    data = dict(snapshot.data)
    thresholds = data.get("thresholds", {})
    units = []
    for row in snapshot.units.all():
        if unit_pks is not None and row.unit_pk not in unit_pks:
            continue
        unit = dict(row.data)
        if not unit["shown"]:
            unit["reason_text"] = reason_text(unit["reason"], thresholds)
        elif unit.get("excluded_n"):
            unit["excluded_text"] = reason_text("answers_excluded", thresholds, unit["excluded_n"])
        units.append(unit)
    data["units"] = units
    return data
