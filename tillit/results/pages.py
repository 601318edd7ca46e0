"""What the result pages and the PDF show, built from the stored snapshot (never recomputed).

Who sees which unit is decided by `tillit.org.access` (admins: all; managers and MED
representatives: their subtrees); these functions take the rows already allowed.
"""

from __future__ import annotations

from functools import reduce
from operator import or_
from typing import Any
from urllib.parse import urlencode

from django.db.models import Q, QuerySet
from django.db.models.fields.json import KT
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from tillit.core.collation import collation_key
from tillit.org.access import Access
from tillit.results import charts
from tillit.results.charts import whole
from tillit.results.models import ResultSnapshot, ResultUnit
from tillit.results.present import (
    breakdown_tables,
    change_words,
    index_keys,
    index_label,
    item_text,
    scale_labels,
    scale_range,
    short_title,
    signed,
)
from tillit.results.reflection import questions_for
from tillit.results.snapshot import reason_text
from tillit.results.theming import theme_label

DEFAULT_LEVELS = 3  # the top unit and two levels below it


def visible_rows(snapshot: ResultSnapshot, access: Access) -> QuerySet[ResultUnit]:
    """The snapshot's units this user may read (nothing for a member without a role).

    By today's tree, as the unit page decides (`Access.can_see_unit`): after a reorganisation
    the snapshot's stored paths are last year's, and the overview and exports would have shown
    a manager units their page refuses (and hidden the ones it shows)."""
    rows = ResultUnit.objects.filter(snapshot=snapshot)
    if access.is_admin:
        return rows
    if not access.unit_paths:
        return rows.none()
    return rows.filter(unit_pk__in=access.visible_units().values("pk"))


def rate(summary: dict[str, Any]) -> int | None:
    """Response rate in whole per cent: answered personal links of those invited (a poster
    code's answers are counted apart); None without invitations or that count (a snapshot
    stored before it, or an open campaign's unit counted in the unit above)."""
    invited = summary.get("n_invited") or 0
    answered = summary.get("n_answered_invited")
    return round(100 * answered / invited) if invited and answered is not None else None


def overview_context(
    snapshot: ResultSnapshot, access: Access, params: dict[str, str]
) -> dict[str, Any]:
    """The heatmap rows (filtered by level, sorted by a column), response rates, histogram."""
    data = snapshot.data
    participation = data.get("phase") == "participation"
    keys = [] if participation else index_keys(data)
    rows = visible_rows(snapshot, access)
    roots, base, deepest = _roots(rows)
    levels = list(range(1, deepest + 2))
    try:
        level = max(1, min(int(params.get("level", DEFAULT_LEVELS)), len(levels) or 1))
    except ValueError:
        level = min(DEFAULT_LEVELS, len(levels) or 1)
    opened, shut = _pks(params.get("open", "")), _pks(params.get("shut", ""))
    tree = Branches(rows, base, level, opened, shut)
    # Only the listed units' summaries are read: at 5,000 units decoding every summary was
    # most of the page's time on PostgreSQL. The histogram reads one index per unit in SQL.
    within = reduce(
        or_,
        (Q(path__startswith=path, depth__lt=depth + level) for path, depth in roots),
        Q(parent_external_id__in=tree.opened_ids),
    )
    listed = tree.listed(rows.filter(within))
    sort = params.get("sort", "")
    descending = params.get("dir") == "desc"
    if sort in keys or sort in ("name", "rate", "n"):
        missing = [s for s in listed if _sort_value(s, sort) is None]
        present = [s for s in listed if _sort_value(s, sort) is not None]
        present.sort(key=lambda s: _sort_value(s, sort), reverse=descending)
        listed = present + missing
    else:
        sort = ""
    table = []
    for s in listed:
        cells = []
        for key in keys:
            value = s.get("indices", {}).get(key) if s["shown"] else None
            cells.append({"value": value, "css": charts.heat_class(value)})
        table.append(
            {
                "summary": s,
                "indent": s["depth"] - base[s["id"]] if not sort else 0,
                "toggle": None if sort else tree.toggle(s, params),
                "rate": rate(s),
                "answered": s.get("n_answered_invited"),
                "cells": cells,
                "reason": ""
                if s["shown"] or participation
                else reason_text(s["reason"], data["thresholds"]),
            }
        )
    columns = [
        {
            "key": key,
            "label": index_label(data, key),
            "next_dir": "asc" if sort == key and descending else "desc",
            "sorted": ("descending" if descending else "ascending") if sort == key else "",
        }
        for key in keys
    ]
    chart_key = next((k for k in keys if k.endswith(".total")), keys[0] if keys else "")
    theme_columns, theme_rows = _theme_table(data, listed)
    return {
        "theme_columns": theme_columns,
        "theme_rows": theme_rows,
        "snapshot": snapshot,
        "data": data,
        "participation": participation,
        "columns": columns,
        "rows": table,
        "levels": levels,
        "level": level,
        "sort": sort,
        "branches": urlencode({k: params[k] for k in ("open", "shut") if params.get(k)}),
        "dir": "desc" if descending else "asc",
        "name_dir": "desc" if sort == "name" and not descending else "asc",
        "histogram": _histogram(rows, chart_key, data),
        "totals": _totals(rows, [s for s in listed if s["depth"] == base[s["id"]]]),
        "top": next((s for s in listed if s["depth"] == base[s["id"]]), None),
        "legend": [
            (charts.heat_class(v), label)
            for v, label in (
                (40, "< 50"),
                (55, "50–59"),
                (65, "60–69"),
                (75, "70–79"),
                (85, "≥ 80"),
            )
        ],
    }


def _roots(rows: QuerySet[ResultUnit]) -> tuple[list[tuple[str, int]], dict[str, int], int]:
    """The tops of the subtrees a user sees ((path, depth) each), per unit its top's depth,
    and the deepest unit's depth below its top: a manager who also sits on a MED group
    elsewhere sees two trees whose tops lie at different depths, and each is counted,
    indented and cut at levels from its own top."""
    tops: list[tuple[str, int]] = []
    base: dict[str, int] = {}
    deepest = 0
    for external_id, parent, path, depth in rows.order_by("path").values_list(
        "external_id", "parent_external_id", "path", "depth"
    ):
        if parent in base:
            base[external_id] = base[parent]
        else:
            tops.append((path, depth))
            base[external_id] = depth
        deepest = max(deepest, depth - base[external_id])
    return tops, base, deepest


def _pks(value: str) -> set[int]:
    """Unit ids from an address: plain ASCII digits within the database's integer range (a
    "²" is a digit to `isdigit`, and a 30-digit id overflowed SQLite)."""
    parts = (part.strip() for part in value.split(","))
    return {
        int(part)
        for part in parts
        if part.isascii() and part.isdigit() and len(part) <= 18  # < 2**63
    }


class Branches:
    """Which branches of the overview's tree are open: every unit above the chosen number of
    levels, except those in `shut`, and the units in `opened` below them. The state travels in
    the page's address (`open`, `shut`: unit ids), so it survives reloads and can be shared."""

    def __init__(
        self,
        rows: QuerySet[ResultUnit],
        base: dict[str, int],
        level: int,
        opened: set[int],
        shut: set[int],
    ) -> None:
        self.rows, self.base, self.level, self.opened, self.shut = rows, base, level, opened, shut
        self.opened_ids = (
            list(rows.filter(unit_pk__in=opened).values_list("external_id", flat=True))
            if opened
            else []
        )
        self.parents: set[str] = set()

    def is_open(self, summary: dict[str, Any]) -> bool:
        if summary["unit_pk"] in self.shut:
            return False
        return summary["unit_pk"] in self.opened or self._above_level(summary)

    def _above_level(self, summary: dict[str, Any]) -> bool:
        return summary["depth"] < self.base[summary["id"]] + self.level - 1

    def listed(self, candidates: QuerySet[ResultUnit]) -> list[dict[str, Any]]:
        """The candidates' summaries (in tree order) whose every ancestor is open. Candidates
        are the units above the level and the children of opened units; one whose parent is
        neither a candidate nor opened tops a tree this user may see."""
        summaries = list(candidates.values_list("summary", flat=True))
        candidate_ids = {s["id"] for s in summaries}
        opened_ids = set(self.opened_ids)
        shown: dict[str, bool] = {}  # external id → listed and open
        listed = []
        for summary in summaries:
            parent = summary.get("parent_id")
            if (parent in candidate_ids or parent in opened_ids) and not shown.get(parent):
                continue  # a closed or unlisted parent hides the branch
            listed.append(summary)
            shown[summary["id"]] = self.is_open(summary)
        # Only the listed units' children are looked for: which of them have units below.
        self.parents = set(
            self.rows.filter(parent_external_id__in=[s["id"] for s in listed])
            .values_list("parent_external_id", flat=True)
            .distinct()
        )
        return listed

    def toggle(self, summary: dict[str, Any], params: dict[str, str]) -> dict[str, Any] | None:
        """The address that opens or closes this unit's branch; None for a unit without
        units below it."""
        if summary["id"] not in self.parents:
            return None
        pk, expanded = summary["unit_pk"], self.is_open(summary)
        opened, shut = set(self.opened), set(self.shut)
        if expanded:
            opened.discard(pk)
            if self._above_level(summary):
                shut.add(pk)
        else:
            shut.discard(pk)
            if not self._above_level(summary):
                opened.add(pk)
        query = {k: v for k, v in params.items() if k not in ("open", "shut")}
        query["level"] = str(self.level)
        if opened:
            query["open"] = ",".join(map(str, sorted(opened)))
        if shut:
            query["shut"] = ",".join(map(str, sorted(shut)))
        return {"expanded": expanded, "query": urlencode(query)}


def _sort_value(summary: dict[str, Any], sort: str):
    if sort == "name":
        return collation_key(summary["name"])
    if sort == "rate":
        return rate(summary)
    if sort == "n":
        return summary.get("n_responded")
    return summary.get("indices", {}).get(sort) if summary["shown"] else None


def _totals(rows: QuerySet[ResultUnit], tops: list[dict[str, Any]]) -> dict[str, Any]:
    # An open campaign's small units carry no counts (they are in the unit above's), and
    # snapshots stored before poster answers were counted apart lack that count.
    counted = [s for s in tops if "n_answered_invited" in s]
    invited = sum(s["n_invited"] for s in counted)
    responded = sum(s["n_answered_invited"] for s in counted)
    return {
        "invited": invited,
        "responded": responded,
        "via_code": sum(s.get("n_via_code") or 0 for s in counted),
        "answers": sum(s.get("n_responded") or 0 for s in tops),
        "rate": round(100 * responded / invited) if invited else None,
        "shown": rows.filter(shown=True).count(),
        "units": rows.count(),
    }


def _histogram(rows: QuerySet[ResultUnit], key: str, data: dict[str, Any]) -> dict:
    found = (
        rows.filter(shown=True).annotate(value=KT(f"summary__indices__{key}")).values_list("value")
        if key
        else []
    )
    values = [float(value) for (value,) in found if value not in (None, "null")]
    edges = list(range(0, 100, 10))
    counts = [0] * len(edges)
    for value in values:
        counts[min(int(value // 10), len(edges) - 1)] += 1
    label = index_label(data, key) if key else ""
    title = _("How many shown units have each level of %(index)s") % {"index": label}
    return {
        "svg": charts.histogram(counts, edges, title),
        "title": title,
        "rows": [
            (f"{e}–{e + 9 if e < 90 else 100}", c) for e, c in zip(edges, counts, strict=True)
        ],
        "n": len(values),
        "label": label,
    }


def unit_context(
    snapshot: ResultSnapshot,
    row: ResultUnit,
    language_for_questions: str,
    theme: str = "",
    query: str = "",
) -> dict[str, Any]:
    """One unit's page (and PDF): indices beside parent and organisation, trend, items,
    strongest and weakest constructs, comments, or the reason it is hidden."""
    data = snapshot.data
    unit = row.data
    thresholds = data["thresholds"]
    keys = index_keys(data)
    others = {
        r.external_id: r.summary
        for r in ResultUnit.objects.filter(snapshot=snapshot, depth=0).only(
            "external_id", "summary"
        )
    }
    parent = None
    if unit.get("parent_id"):
        parent_row = (
            ResultUnit.objects.filter(snapshot=snapshot, external_id=unit["parent_id"])
            .only("summary", "unit_pk")
            .first()
        )
        parent = parent_row.summary if parent_row else None
    root = next(iter(others.values()), None) if row.depth else None
    if parent is not None and root is not None and parent["id"] == root["id"]:
        parent = None  # a unit right below the top: one column for it, not the same one twice
    context: dict[str, Any] = {
        "snapshot": snapshot,
        "data": data,
        "unit": unit,
        "parent": parent,
        "root": root,
        "rate": rate(unit),
        "children": list(
            ResultUnit.objects.filter(snapshot=snapshot, parent_external_id=row.external_id)
            .order_by("position")
            .values_list("unit_pk", "summary")
        ),
    }
    if not unit["shown"]:
        context["reason"] = reason_text(unit["reason"], thresholds)
        return context
    trend = unit.get("trend", {})
    index_rows = []
    for key in keys:
        value = unit["indices"].get(key)
        previous = trend.get(key)
        label = index_label(data, key)
        index_rows.append(
            {
                "key": key,
                "label": label,
                "value": value,
                "parent": _index(parent, key),
                "root": _index(root, key),
                "previous": previous,
                "change": signed(whole(value) - whole(previous))
                if value is not None and previous is not None
                else "",
                "words": change_words(label, value, previous),
                "is_total": key.endswith(".total"),
            }
        )
    constructs = [r for r in index_rows if not r["is_total"] and r["value"] is not None]
    constructs.sort(key=lambda r: r["value"])
    context.update(
        {
            "excluded": reason_text("answers_excluded", thresholds, unit["excluded_n"])
            if unit["excluded_n"]
            else "",
            "index_rows": index_rows,
            "comparison_svg": charts.comparison_bars(
                [(r["label"], r["value"], r["root"]) for r in index_rows],
                _("Indices of this unit (bars) and of the organisation (black marks)"),
            ),
            **strongest_and_weakest(constructs),
            "items": _items(data, unit),
            "comments": _comments(data, unit, theme, query),
            "themes": unit_themes(data, unit, get_language() or language_for_questions),
            "theme_filter": theme,
            "query": query,
            "questions": questions_for(
                [r["key"] for r in constructs[:3]], data, language_for_questions
            ),
            # One name per earlier campaign, though several instruments may share it.
            "previous_names": ", ".join(
                {p["id"]: p["name"] for p in data.get("previous", {}).values()}.values()
            ),
            "breakdowns": breakdown_tables(data, unit, thresholds),
            "index_labels": [index_label(data, key) for key in keys],
        }
    )
    return context


THEME_COLUMNS = 8


def _theme_table(data: dict[str, Any], listed: list[dict[str, Any]]) -> tuple[list, list]:
    """Units × the campaign's most frequent themes: counts where a unit's comments are shown."""
    language = get_language() or "sv"
    themes = sorted(data.get("themes", []), key=lambda t: -t["count"])[:THEME_COLUMNS]
    columns = [{"id": t["id"], "label": theme_label(t, language)} for t in themes]
    rows = [
        {
            "summary": s,
            "cells": [s["theme_counts"].get(t["id"], 0) for t in themes],
        }
        for s in listed
        if s["shown"] and "theme_counts" in s
    ]
    return (columns, rows) if rows else ([], [])


def _index(summary: dict[str, Any] | None, key: str) -> float | None:
    if not summary or not summary.get("shown"):
        return None
    return summary.get("indices", {}).get(key)


def strongest_and_weakest(constructs: list[dict]) -> dict[str, list[dict]]:
    """Up to two strongest and two weakest areas (sorted rows), each strictly apart from the
    other list as shown (whole numbers): areas that tie are neither strong nor weak."""
    weakest = constructs[:2]
    # Never the same construct in both lists (HME has only three).
    strongest = list(reversed(constructs[max(2, len(constructs) - 2) :]))
    if not weakest or not strongest:
        return {"weakest": [], "strongest": []}
    low, high = whole(weakest[-1]["value"]), whole(strongest[-1]["value"])
    strongest = [r for r in strongest if whole(r["value"]) > low]
    weakest = [r for r in weakest if whole(r["value"]) < high]
    if not strongest or not weakest:
        return {"weakest": [], "strongest": []}
    return {"weakest": weakest, "strongest": strongest}


def _items(data: dict[str, Any], unit: dict[str, Any]) -> list[dict[str, Any]]:
    thresholds = data["thresholds"]
    result = []
    for key, item in unit["items"].items():
        text = item_text(data, key)
        entry: dict[str, Any] = {"key": key, "text": text}
        if "reason" in item:
            entry["reason"] = reason_text(item["reason"], thresholds)
        else:
            entry["n"] = item["n"]
            entry["mean"] = item["mean"]
            entry["low"], entry["high"] = scale_range(data, key)
            if item["dist"]:
                labels = scale_labels(data, key) or [str(v + 1) for v in range(len(item["dist"]))]
                total = sum(item["dist"]) or 1
                entry["dist"] = [
                    (labels[i] if i < len(labels) else str(i + 1), c, round(100 * c / total))
                    for i, c in enumerate(item["dist"])
                ]
                entry["svg"] = charts.stacked_bar(item["dist"], labels, text)
            else:
                entry["dist_reason"] = reason_text(item.get("dist_reason", ""), thresholds)
        result.append(entry)
    return result


def unit_themes(data: dict[str, Any], unit: dict[str, Any], language: str) -> list[dict[str, Any]]:
    """A unit's themes, most frequent first: name, count and quotes, all from its shown comments."""
    known = {theme["id"]: theme for theme in data.get("themes", [])}
    # Snapshots themed before comments carried their language have none (strict=False).
    written_in = {
        text: lang
        for comments in unit.get("comments") or []
        for text, lang in zip(
            comments.get("texts", []), comments.get("languages", []), strict=False
        )
    }
    return [
        {
            "id": entry["id"],
            "label": theme_label(known[entry["id"]], language),
            "terms": known[entry["id"]].get("terms", []),
            "emerging": known[entry["id"]].get("key") is None,
            "count": entry["count"],
            "quotes": [
                {"text": quote, "language": written_in.get(quote, "")} for quote in entry["quotes"]
            ],
        }
        for entry in unit.get("themes") or []
        if entry["id"] in known
    ]


def _comments(
    data: dict[str, Any], unit: dict[str, Any], theme: str = "", query: str = ""
) -> list[dict[str, Any]]:
    """The unit's comment lists, each comment with its theme's name; only those of `theme`
    and those containing `query` (case-insensitive) when given."""
    known = {t["id"]: t for t in data.get("themes", [])}
    language = get_language() or "sv"
    needle = query.casefold().strip()
    result = []
    for entry in unit.get("comments") or []:
        block: dict[str, Any] = {"question": item_text(data, entry["item"])}
        if "texts" in entry:
            ids = entry.get("themes") or [None] * len(entry["texts"])
            languages = entry.get("languages") or [""] * len(entry["texts"])
            rows = [
                {
                    "text": text,
                    "theme": theme_label(known[tid], language) if tid in known else "",
                    "language": written_in,
                }
                for text, tid, written_in in zip(entry["texts"], ids, languages, strict=True)
                if (not theme or tid == theme) and (not needle or needle in text.casefold())
            ]
            block["entries"] = rows
            block["texts"] = [row["text"] for row in rows]
            block["total"] = len(entry["texts"])
        else:
            block["reason"] = reason_text(entry["reason"], data["thresholds"])
        result.append(block)
    return result


def latest_unit_results(
    unit_pks: list[int],
    instrument: str | None = None,
    access: Access | None = None,
    *,
    campaign_id: int | None = None,
    every_instrument: bool = False,
) -> list[dict[str, Any]]:
    """Per unit, what the newest closed campaign (with `instrument`, when given; or the one
    `campaign_id` names) published for it: indices with plain words, or why it is hidden;
    `may_open` when `access` may read the unit's results page. Only `instrument`'s indices
    unless `every_instrument` (a results dialogue shows HME and the trust principles alike);
    `groups` holds them per instrument. Published figures are safe to show to the team, since
    disclosure control already holds for them."""
    # Every candidate row at once, newest campaign first, without the snapshots' documents; then
    # each chosen snapshot's document once (it was one query and one document per unit).
    rows = (
        ResultUnit.objects.filter(
            unit_pk__in=unit_pks,
            snapshot__computed_at__isnull=False,
            snapshot__campaign__status="closed",
        )
        # Closed, but its publication not made yet: participation is all it holds.
        .exclude(snapshot__data__phase="participation")
        .select_related("snapshot__campaign")
        .defer("snapshot__data")
        .order_by("-snapshot__campaign__closes_on", "-snapshot__campaign_id")
    )
    if campaign_id is not None:
        rows = rows.filter(snapshot__campaign_id=campaign_id)
    elif instrument:
        rows = rows.filter(
            snapshot__campaign__campaign_instruments__version__instrument__slug=instrument
        )
    newest: dict[int, ResultUnit] = {}
    for candidate in rows:
        newest.setdefault(candidate.unit_pk, candidate)
    documents = dict(
        ResultSnapshot.objects.filter(
            pk__in={row.snapshot_id for row in newest.values()}
        ).values_list("pk", "data")
    )
    found = []
    for unit_pk in unit_pks:
        row = newest.get(unit_pk)
        if row is None:
            continue
        data, unit = documents[row.snapshot_id], row.data
        entry: dict[str, Any] = {
            "unit_pk": unit_pk,
            "name": unit["name"],
            "campaign": row.snapshot.campaign,
            "shown": unit["shown"],
            "rate": rate(unit),
            "indices": [],
            "groups": [],
            "may_open": access is not None
            and (access.is_admin or any(row.path.startswith(p) for p in access.unit_paths)),
        }
        if not unit["shown"]:
            entry["reason"] = reason_text(unit["reason"], data["thresholds"])
        else:
            trend = unit.get("trend", {})
            titles = {inst["id"]: short_title(inst) for inst in data.get("instruments", [])}
            for key in index_keys(data):
                slug = key.split(".", 1)[0]
                if instrument and not every_instrument and slug != instrument:
                    continue
                label, value = index_label(data, key), unit["indices"].get(key)
                index = {
                    "label": label,
                    "value": value,
                    "words": change_words(label, value, trend.get(key)),
                }
                entry["indices"].append(index)
                if not entry["groups"] or entry["groups"][-1]["slug"] != slug:
                    entry["groups"].append(
                        {"slug": slug, "title": titles.get(slug, slug), "indices": []}
                    )
                entry["groups"][-1]["indices"].append(index)
        found.append(entry)
    return found
