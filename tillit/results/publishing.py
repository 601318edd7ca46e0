"""A campaign's published result: participation while it is open, figures once it closes.

While a campaign is open nothing but participation is published (`participation_result`):
a manager who reads a unit before and after a colleague answers must learn nothing of the
answer. At close the campaign is published on the setup frozen at launch (`ledger.py`) through
the disclosure engine, and the publication goes into the ledger. A later publication of the
same campaign (reopened and closed again) adds the later answers as an epoch of their own on
the first one's structure (`republishing.py`); with no new answers it republishes exactly the
figures already out. The JSON shape is DESIGN.md's.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from typing import Any

import numpy as np
from django.conf import settings
from django.db.models import Count, Q

from tillit.org.models import Unit
from tillit.results.breakdowns import collect, publish_breakdowns
from tillit.results.building import (
    campaign_units,
    comments,
    histograms,
    instrument_meta,
    instruments_of,
    previous_results,
    rollup_counts,
    round_figure,
)
from tillit.results.disclosure import (
    BELOW_K,
    CAMPAIGN_OPEN,
    SENSITIVE_BELOW_K,
    decide,
    decide_distributions,
    published_comments,
)
from tillit.results.ledger import Epoch, Setup, epochs_of, extend_tree, frozen_setup
from tillit.results.publication import ItemSpec, publish
from tillit.results.republishing import (
    combine,
    decision_from_absorbs,
    later_comments,
    later_decision,
)
from tillit.results.statistics import Tree, indices
from tillit.surveys.models import Campaign, Invitation, Response
from tillit.surveys.participation import RateRow, participation


def _counts(campaign: Campaign) -> tuple[dict[int, int], dict[int, dict[str, int]]]:
    """Responses per unit, and per unit the personal invitations, those answered, and the
    poster-code answers (counted apart: nobody in particular was invited by a poster)."""
    responses = dict(
        Response.objects.filter(campaign=campaign)
        .values_list("unit_id")
        .annotate(n=Count("*"))
        .order_by()
    )
    invited = {
        row["unit_id"]: row
        for row in Invitation.objects.filter(campaign=campaign)
        .values("unit_id")
        .annotate(
            n_invited=Count("id", filter=Q(via_code=False)),
            n_responded=Count("id", filter=Q(via_code=False, responded=True)),
            n_coded=Count("id", filter=Q(via_code=True, responded=True)),
        )
        .order_by()
    }
    return responses, invited


def _head(campaign: Campaign, setup: Setup) -> dict[str, Any]:
    thresholds = setup.thresholds
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
        "mode": setup.mode,
    }


def _paths(units, parents: dict[int, int | None]) -> tuple[list[str], list[int]]:
    """Each unit's path and depth in the frozen tree (parents come first in `units`)."""
    path: dict[int, str] = {}
    depth: dict[int, int] = {}
    for u in units:
        parent = parents.get(u.pk)
        path[u.pk] = (path[parent] if parent is not None else "/") + f"{u.pk}/"
        depth[u.pk] = depth[parent] + 1 if parent is not None else 0
    return [path[u.pk] for u in units], [depth[u.pk] for u in units]


def participation_result(campaign: Campaign, setup: Setup) -> dict[str, Any]:
    """What an open campaign publishes: per unit only participation, in blocks of at least k
    invited people (`surveys.participation`); no index, mean, distribution or comment."""
    responses, invited = _counts(campaign)
    units, parents = campaign_units(campaign, set(responses) | set(invited), setup.parents)
    extend_tree(campaign, parents, setup.parents)
    position = {u.pk: i for i, u in enumerate(units)}
    found = participation(
        [position[parents[u.pk]] if parents[u.pk] is not None else -1 for u in units],
        [invited.get(u.pk, {}).get("n_invited", 0) for u in units],
        [invited.get(u.pk, {}).get("n_responded", 0) for u in units],
        [invited.get(u.pk, {}).get("n_coded", 0) for u in units],
        setup.thresholds.k,
    )
    paths, depths = _paths(units, parents)
    rows = []
    for i, unit in enumerate(units):
        parent = parents[unit.pk]
        row: dict[str, Any] = {
            "id": unit.external_id,
            "name": unit.name,
            "parent_id": units[position[parent]].external_id if parent is not None else None,
            "unit_pk": unit.pk,
            "path": paths[i],
            "depth": depths[i],
            "shown": False,
            "reason": CAMPAIGN_OPEN,
        }
        if found.shown[i]:
            row["n_invited"] = found.invited[i]
            row["n_responded"] = found.responded[i] + found.via_code[i]
            row["n_answered_invited"] = found.responded[i]
            row["n_via_code"] = found.via_code[i]
        rows.append(row)
    return {
        **_head(campaign, setup),
        "phase": "participation",
        "instruments": [instrument_meta(inst) for inst in instruments_of(campaign)],
        "previous": {},
        "left_out": 0,
        "units": rows,
    }


def live_rates(campaign: Campaign) -> list[RateRow]:
    """The campaign page's response rates: this participation publication, now, as rows."""
    rows = participation_result(campaign, frozen_setup(campaign))["units"]
    units = Unit.objects.in_bulk([row["unit_pk"] for row in rows])
    # A row's "shown" is about figures (none while open); its counts are there when its
    # participation is.
    return [
        RateRow(
            units[row["unit_pk"]],
            row["depth"],
            row.get("n_invited", 0),
            row.get("n_answered_invited", 0),
            row.get("n_via_code", 0),
            "n_invited" in row,
        )
        for row in rows
    ]


def build_published_result(campaign: Campaign) -> dict[str, Any]:
    """The campaign's published result, without adding to the ledger (see `make_publication`)."""
    return make_publication(campaign)[0]


def make_publication(campaign: Campaign) -> tuple[dict[str, Any], Epoch | None]:
    """The campaign's published result in the JSON shape of DESIGN.md (plus per unit the
    fields pages need: `unit_pk`, `path`, `depth`, `trend`), and the epoch to add to the
    ledger when this publication adds answers to what is already out (else None)."""
    setup = frozen_setup(campaign)
    if campaign.status != Campaign.Status.CLOSED:
        return participation_result(campaign, setup), None
    _thresholds, _mode = setup.thresholds, setup.mode
    instruments = instruments_of(campaign)
    responses, invited = _counts(campaign)
    units, parents = campaign_units(campaign, set(responses) | set(invited), setup.parents)
    extend_tree(campaign, parents, setup.parents)
    index = {u.pk: i for i, u in enumerate(units)}
    pk_of = [u.pk for u in units]
    tree = Tree.from_units((u.pk, parents[u.pk]) for u in units)
    n_direct = np.array([responses.get(pk, 0) for pk in pk_of], dtype=np.int64)
    personal = np.array([invited.get(pk, {}).get("n_invited", 0) for pk in pk_of])
    answered = np.array([invited.get(pk, {}).get("n_responded", 0) for pk in pk_of])
    coded = np.array([invited.get(pk, {}).get("n_coded", 0) for pk in pk_of])
    invited_total = rollup_counts(tree, personal)
    personal_total = rollup_counts(tree, answered)
    coded_total = rollup_counts(tree, coded)
    specs = [spec for inst in instruments for spec in inst["specs"]]
    hists = histograms(campaign, index, specs)
    if not specs:  # an instrument without scale items: the unit decision still holds
        specs = [ItemSpec("_none")]
        hists = {"_none": np.zeros((len(units), 5), dtype=np.int64)}
    text_keys = [key for inst in instruments for key in inst["text_items"]]
    texts = comments(campaign, text_keys)
    salt = hashlib.sha256(f"{settings.SECRET_KEY}:comments:{campaign.pk}".encode()).hexdigest()

    epochs = epochs_of(campaign)
    if not epochs:
        publication, comment_results, new_epoch = _first(
            tree, pk_of, n_direct, specs, hists, setup, text_keys, texts, salt
        )
        breakdown_source = publication
    else:
        publication, comment_results, new_epoch, single = _later(
            tree, pk_of, n_direct, specs, hists, setup, text_keys, texts, salt, epochs
        )
        breakdown_source = publication if single else None
    all_indices: dict[str, np.ndarray] = {}
    for inst in instruments:
        if inst["scoring"] is None:
            continue
        means = {item: publication.means[f"{inst['slug']}.{item}"] for item in inst["scoring"].maps}
        for name, values in indices(means, inst["scoring"]).items():
            all_indices[f"{inst['slug']}.{name}"] = values

    item_keys = [spec.id for inst in instruments for spec in inst["specs"]]
    breakdowns = {}
    if breakdown_source is not None:
        banded = collect(campaign, index, item_keys)
        if banded is not None:
            breakdowns = publish_breakdowns(breakdown_source, banded, instruments, item_keys)

    previous = previous_results(campaign, instruments)
    paths, depths = _paths(units, parents)
    invited_list, answered_list = invited_total.tolist(), personal_total.tolist()
    coded_list = coded_total.tolist()
    index_lists = {key: values.tolist() for key, values in all_indices.items()}
    unit_rows = []
    for i, unit in enumerate(units):
        result = publication.unit_result(i)
        parent = parents[unit.pk]
        row: dict[str, Any] = {
            "id": unit.external_id,
            "name": unit.name,
            "parent_id": units[index[parent]].external_id if parent is not None else None,
            "unit_pk": unit.pk,
            "path": paths[i],
            "depth": depths[i],
            "n_invited": int(invited_list[i]),
            "n_responded": result["n_responded"],
            "n_answered_invited": int(answered_list[i]),
            "n_via_code": int(coded_list[i]),
            "shown": result["shown"],
        }
        if not result["shown"]:
            row["reason"] = result["reason"]
            unit_rows.append(row)
            continue
        row["n_published"] = result["n_published"]
        row["excluded_n"] = result["excluded_n"]
        row["indices"] = {key: round_figure(values[i]) for key, values in index_lists.items()}
        row["items"] = result["items"]
        row["items"].pop("_none", None)
        if i in breakdowns:
            row["breakdowns"] = breakdowns[i]
        if text_keys:
            entries = []
            for key in text_keys:
                shown, reason, published = comment_results[key]
                if shown[i]:
                    entries.append({"item": key, "texts": published.get(unit.pk, [])})
                else:
                    entries.append({"item": key, "reason": str(reason[i])})
            row["comments"] = entries
        else:
            row["comments"] = None
        row["trend"] = {
            key: previous["units"].get(unit.external_id, {}).get(key)
            for key in row["indices"]
            if previous["units"].get(unit.external_id, {}).get(key) is not None
        }
        unit_rows.append(row)
    result = {
        **_head(campaign, setup),
        "phase": "published",
        "publication": len(epochs) + (1 if new_epoch is not None else 0),
        "instruments": [instrument_meta(inst) for inst in instruments],
        "previous": previous["campaigns"],
        "left_out": int(publication.units.left_out[0]),
        "units": unit_rows,
    }
    if breakdown_source is None:
        result["breakdowns_withheld"] = True
    return result, new_epoch


def _text_hash(salt: str, text: str) -> str:
    return hashlib.sha256(f"{salt}\x00ledger\x00{text}".encode()).hexdigest()[:32]


def _shuffled(texts: list[str], salt: str) -> list[str]:
    return sorted(texts, key=lambda t: hashlib.sha256((salt + "\x00" + t).encode()).hexdigest())


def _first(tree, pk_of, n_direct, specs, hists, setup: Setup, text_keys, texts, salt):
    """The first publication: the engine on all answers; its whole input is the first epoch."""
    thresholds, mode = setup.thresholds, setup.mode
    publication = publish(tree, n_direct, specs, hists, thresholds, mode=mode)
    comment_results = {}
    text_counts = np.zeros((len(pk_of), len(text_keys)), dtype=np.int64)
    text_absorbs = np.zeros((len(pk_of), len(text_keys)), dtype=bool)
    text_owned = np.zeros((len(pk_of), len(text_keys)), dtype=bool)
    hashes = []
    for t, key in enumerate(text_keys):
        text_counts[:, t] = [len(texts[key].get(pk, ())) for pk in pk_of]
        decision = decide(
            tree,
            text_counts[:, t],
            thresholds.k_text,
            mode=mode,
            allowed=publication.units.shown,
            below_k_reason="text_below_k_text",
            protection_reason="text_residual_protection",
        )
        text_absorbs[:, t] = decision.absorbs[:, 0]
        text_owned[:, t] = decision.owner[:, 0] >= 0
        published = published_comments(
            decision, {pk: texts[key].get(pk, []) for pk in pk_of}, salt=salt
        )
        comment_results[key] = (decision.shown[:, 0], decision.reason[:, 0], published)
        hashes += [
            (f"{key}\x00{pk}\x00{_text_hash(salt, text)}", bool(text_owned[i, t]))
            for i, pk in enumerate(pk_of)
            for text in texts[key].get(pk, ())
        ]
    epoch = _published_part(
        pk_of,
        n_direct,
        publication.units,
        [spec.id for spec in specs],
        {spec.id: np.asarray(hists[spec.id], dtype=np.int64) for spec in specs},
        publication.item_decision,
        list(text_keys),
        text_counts,
        text_absorbs,
        text_owned,
        hashes,
    )
    return publication, comment_results, epoch


def _published_part(
    pk_of,
    n_direct,
    units,
    item_ids,
    hists,
    items,
    text_ids,
    text_counts,
    text_absorbs,
    text_owned,
    hashes,
) -> Epoch:
    """The epoch of what a publication actually put out: answers it left out of every figure
    (carried past the top) wait for the next publication, where they may form a block of k."""
    unit_in = units.owner[:, 0] >= 0
    return Epoch(
        unit_pks=np.array(pk_of, dtype=np.int64),
        n_direct=np.where(unit_in, n_direct, 0),
        unit_absorbs=units.absorbs[:, 0],
        item_ids=item_ids,
        hists={
            item: np.where((items.owner[:, c] >= 0)[:, None], hists[item], 0)
            for c, item in enumerate(item_ids)
        },
        item_absorbs=items.absorbs,
        text_ids=text_ids,
        text_counts=np.where(text_owned, text_counts, 0),
        text_absorbs=text_absorbs,
        text_hashes=[h for h, owned in hashes if owned],
        n_seen=n_direct,
    )


def _aligned(epoch: Epoch, pk_of: list[int], array: np.ndarray | None, width: int) -> np.ndarray:
    """An epoch's per-unit array in today's unit order (units it did not have: zeros)."""
    here = {int(pk): i for i, pk in enumerate(epoch.unit_pks.tolist())}
    shape = (len(pk_of), width) if array is not None and array.ndim > 1 else (len(pk_of),)
    result = np.zeros(shape, dtype=array.dtype if array is not None else np.int64)
    if array is None:
        return result
    for i, pk in enumerate(pk_of):
        j = here.get(pk)
        if j is not None:
            result[i] = array[j]
    return result


def _later(tree, pk_of, n_direct, specs, hists, setup: Setup, text_keys, texts, salt, epochs):
    """A publication after the first: every epoch published so far, plus the answers that
    arrived since as a new epoch (when there are any). Returns the publication, the comment
    results, the new epoch or None, and whether the first epoch is all there is."""
    thresholds = setup.thresholds
    first = epochs[0]
    item_ids = [spec.id for spec in specs]
    item_k = [thresholds.k_sensitive if s.sensitive else thresholds.k for s in specs]
    below = [SENSITIVE_BELOW_K if s.sensitive else BELOW_K for s in specs]
    n_items = len(specs)

    def stack(epoch: Epoch) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        epoch_hists = {
            item: _aligned(epoch, pk_of, epoch.hists[item], epoch.hists[item].shape[1])
            for item in item_ids
        }
        counts = np.stack([epoch_hists[item].sum(axis=1) for item in item_ids], axis=1)
        return counts, epoch_hists

    # Nothing since the first publication: it is made again exactly, from its own decisions
    # over today's answers (the same answers), left-out ones and background breakdowns included.
    seen = _aligned(first, pk_of, first.n_seen, 1) if first.n_seen is not None else None
    nothing_new = len(epochs) == 1 and seen is not None and (seen == n_direct).all()
    if nothing_new:
        base_n = n_direct.copy()
        base_hists = {item: np.asarray(hists[item], dtype=np.int64) for item in item_ids}
        base_counts = np.stack([base_hists[item].sum(axis=1) for item in item_ids], axis=1)
    else:
        base_n = _aligned(first, pk_of, first.n_direct, 1)
        base_counts, base_hists = stack(first)
    base_units = decision_from_absorbs(
        tree, base_n, _aligned(first, pk_of, first.unit_absorbs, 1), [thresholds.k], setup.mode
    )
    base_items = decision_from_absorbs(
        tree,
        base_counts,
        _aligned(first, pk_of, first.item_absorbs, n_items),
        item_k,
        setup.mode,
        below,
    )
    decided = [(base_units, base_items, base_hists)]
    prior_n = base_n.copy()
    prior_hists = {item: base_hists[item].copy() for item in item_ids}
    for epoch in epochs[1:]:
        counts, epoch_hists = stack(epoch)
        n_e = _aligned(epoch, pk_of, epoch.n_direct, 1)
        units_e = decision_from_absorbs(
            tree, n_e, _aligned(epoch, pk_of, epoch.unit_absorbs, 1), [thresholds.k], "move_up"
        )
        items_e = decision_from_absorbs(
            tree,
            counts,
            _aligned(epoch, pk_of, epoch.item_absorbs, n_items),
            item_k,
            "move_up",
            below,
        )
        decided.append((units_e, items_e, epoch_hists))
        prior_n += n_e
        for item in item_ids:
            prior_hists[item] += epoch_hists[item]
    new_n = n_direct - prior_n
    new_hists = {
        item: np.asarray(hists[item], dtype=np.int64) - prior_hists[item] for item in item_ids
    }
    if (new_n < 0).any() or any((h < 0).any() for h in new_hists.values()):
        raise ValueError(
            "answers published earlier are missing: the campaign cannot be published again"
        )
    new_epoch = None
    if new_n.any():
        new_counts = np.stack([new_hists[item].sum(axis=1) for item in item_ids], axis=1)
        values = [np.asarray(spec.values, dtype=np.float64) for spec in specs]
        sums = np.stack([new_hists[item] @ values[c] for c, item in enumerate(item_ids)], axis=1)
        units_new = later_decision(tree, new_n, thresholds.k, base_units)
        items_new = later_decision(
            tree, new_counts, item_k, base_items, direct_sums=sums, items=specs
        )
        decided.append((units_new, items_new, new_hists))
    base_distributions = decide_distributions(base_items, thresholds.k_dist)
    # Indices are made from the combined means by the caller, per instrument.
    publication = combine(tree, thresholds, specs, decided, base_distributions)
    comment_results, text_new = _later_comments(
        tree, pk_of, setup, text_keys, texts, salt, epochs, base_units
    )
    if new_n.any():
        candidate = _published_part(
            pk_of,
            new_n,
            decided[-1][0],
            item_ids,
            new_hists,
            decided[-1][1],
            list(text_keys),
            *text_new,
        )
        if candidate.n_direct.any() or candidate.text_counts.any():
            new_epoch = candidate
    return publication, comment_results, new_epoch, len(decided) == 1


def _later_comments(tree, pk_of, setup: Setup, text_keys, texts, salt, epochs, base_units):
    """Comments of a later publication: each epoch's comments where its own text decision
    shows them (a later epoch moves up onto the first one's absorbing units, k_text)."""
    k_text = setup.thresholds.k_text
    results = {}
    n_units, n_texts = len(pk_of), len(text_keys)
    new_counts = np.zeros((n_units, n_texts), dtype=np.int64)
    new_absorbs = np.zeros((n_units, n_texts), dtype=bool)
    new_owned = np.zeros((n_units, n_texts), dtype=bool)
    new_hashes: list[tuple[str, bool]] = []
    position = {pk: i for i, pk in enumerate(pk_of)}
    for t, key in enumerate(text_keys):
        # Split today's comments into the epochs that published them, by their hashes.
        known: list[Counter] = []
        for epoch in epochs:
            found: Counter = Counter()
            for entry in epoch.text_hashes:
                item, pk, digest = entry.split("\x00")
                if item == key:
                    found[(int(pk), digest)] += 1
            known.append(found)
        by_epoch: list[dict[int, list[str]]] = [defaultdict(list) for _ in range(len(epochs) + 1)]
        for pk in pk_of:
            for text in texts[key].get(pk, ()):
                digest = _text_hash(salt, text)
                slot = next(
                    (e for e, found in enumerate(known) if found[(pk, digest)] > 0), len(epochs)
                )
                if slot < len(epochs):
                    known[slot][(pk, digest)] -= 1
                by_epoch[slot][position[pk]].append(text)
        first = epochs[0]
        t_first = first.text_ids.index(key) if key in first.text_ids else None
        counts0 = np.array([len(by_epoch[0].get(i, ())) for i in range(n_units)])
        absorbs0 = (
            _aligned(first, pk_of, first.text_absorbs[:, t_first], 1)
            if t_first is not None and first.text_absorbs is not None
            else np.zeros(n_units, dtype=bool)
        )
        base = decision_from_absorbs(
            tree, counts0, absorbs0, [k_text], setup.mode, "text_below_k_text"
        )
        shown = base.shown[:, 0]
        reason = base.reason[:, 0]
        published: dict[int, list[str]] = defaultdict(list)
        for e in range(len(epochs) + 1):
            counts = np.array([len(by_epoch[e].get(i, ())) for i in range(n_units)])
            if not counts.any():
                continue
            if e == 0:
                decision = base
            elif e < len(epochs):
                stored = epochs[e]
                t_e = stored.text_ids.index(key)
                decision = decision_from_absorbs(
                    tree,
                    counts,
                    _aligned(stored, pk_of, stored.text_absorbs[:, t_e], 1),
                    [k_text],
                    "move_up",
                    "text_below_k_text",
                )
            else:
                decision = later_decision(tree, counts, k_text, base)
                new_counts[:, t] = counts
                new_absorbs[:, t] = decision.absorbs[:, 0]
                new_owned[:, t] = decision.owner[:, 0] >= 0
            for unit, found in later_comments(decision, by_epoch[e]).items():
                if shown[unit]:
                    published[pk_of[unit]].extend(found)
        for pk, found in published.items():
            published[pk] = _shuffled(found, salt)
        results[key] = (shown, reason, published)
        new_hashes += [
            (f"{key}\x00{pk_of[i]}\x00{_text_hash(salt, text)}", bool(new_owned[i, t]))
            for i, found in by_epoch[len(epochs)].items()
            for text in found
        ]
    return results, (new_counts, new_absorbs, new_owned, new_hashes)
