"""Labels and plain words for published figures, in the active language."""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from tillit.instruments.definition import labels_for, text_for
from tillit.results.charts import whole
from tillit.results.snapshot import reason_text
from tillit.surveys.questionnaire import AGE_LABELS, TENURE_LABELS


def language() -> str:
    return (get_language() or "sv").split("-")[0]


def index_label(snapshot_data: dict[str, Any], key: str) -> str:
    """ "Ledarskap" for "hme.ledarskap"; "HME – total" for "hme.total"."""
    slug, name = key.split(".", 1)
    for inst in snapshot_data.get("instruments", []):
        if inst["id"] != slug:
            continue
        if name == "total":
            return _("%(instrument)s total") % {"instrument": short_title(inst)}
        return text_for(inst["constructs"].get(key), language()) or name
    return key


def short_title(inst: dict[str, Any]) -> str:
    """ "HME" rather than "HME – Hållbart medarbetarengagemang"."""
    return text_for(inst.get("title"), language()).split(" – ")[0]


def index_keys(snapshot_data: dict[str, Any]) -> list[str]:
    return [key for inst in snapshot_data.get("instruments", []) for key in inst["index_keys"]]


def item_meta(snapshot_data: dict[str, Any], key: str) -> dict[str, Any]:
    slug = key.split(".", 1)[0]
    for inst in snapshot_data.get("instruments", []):
        if inst["id"] == slug:
            return inst["items"].get(key, {})
    return {}


def item_text(snapshot_data: dict[str, Any], key: str) -> str:
    return text_for(item_meta(snapshot_data, key).get("text"), language()) or key


def scale_labels(snapshot_data: dict[str, Any], key: str) -> list[str]:
    return list(labels_for(item_meta(snapshot_data, key).get("labels"), language()))


def scale_range(snapshot_data: dict[str, Any], key: str) -> tuple[int, int]:
    """The lowest and highest value of an item's scale, for "mean 3.8 on a scale of 1–5"."""
    meta = item_meta(snapshot_data, key)
    if "max" in meta:
        return meta["min"], meta["max"]
    # Snapshots stored before the range was kept: one label per value, counting from 1.
    first = next(iter((meta.get("labels") or {}).values()), None)
    return 1, len(first) if first else 5


def change_words(label: str, value: float | None, previous: float | None) -> str:
    """ "Ledarskap 78 – 4 points above last time" (or below, or the same)."""
    if value is None:
        return ""
    shown = whole(value)
    if previous is None:
        return _("%(label)s %(value)s – no comparison with last time") % {
            "label": label,
            "value": shown,
        }
    change = whole(value) - whole(previous)  # the difference of the figures shown
    if change > 0:
        text = ngettext(
            "%(label)s %(value)s – %(n)s point above last time",
            "%(label)s %(value)s – %(n)s points above last time",
            change,
        )
    elif change < 0:
        text = ngettext(
            "%(label)s %(value)s – %(n)s point below last time",
            "%(label)s %(value)s – %(n)s points below last time",
            -change,
        )
    else:
        text = _("%(label)s %(value)s – the same as last time")
    return text % {"label": label, "value": shown, "n": abs(change)}


def signed(change: float | None) -> str:
    """ "+4", "−3", "±0" for a change in whole points."""
    if change is None:
        return ""
    n = round(change)
    return f"+{n}" if n > 0 else (f"−{-n}" if n < 0 else "±0")


def variable_label(variable: str) -> str:
    """ "Age" for "age"."""
    labels = {
        "age": _("Age"),
        "tenure": _("Years in the organisation"),
        "profession": _("Profession group"),
    }
    return labels.get(variable, variable)


def band_label(variable: str, band: str) -> str:
    """ "29 or younger" for age "-29"; "Not stated" for those who did not say."""
    if not band:
        return _("Not stated")
    return str({"age": AGE_LABELS, "tenure": TENURE_LABELS}.get(variable, {}).get(band, band))


def breakdown_tables(
    data: dict[str, Any], unit: dict[str, Any], thresholds: dict[str, int]
) -> list[dict[str, Any]]:
    """A unit's background breakdowns as tables: per variable, rows of group, n, indices."""
    keys = index_keys(data)
    tables = []
    for breakdown in unit.get("breakdowns", []):
        variable = breakdown["variable"]
        rows = []
        for band in breakdown["bands"]:
            rows.append(
                {
                    "label": band_label(variable, band["band"]),
                    "n": band.get("n"),
                    "values": [band.get("indices", {}).get(key) for key in keys],
                    "reason": reason_text(band["reason"], thresholds) if "reason" in band else "",
                }
            )
        tables.append({"variable": variable, "label": variable_label(variable), "rows": rows})
    return tables
