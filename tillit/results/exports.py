"""Exports of a published result: JSON, an XLSX workbook, a PDF per unit and a ZIP of PDFs.

Every export reads `published_json()` (the stored snapshot), the same data the pages show, so
no export can publish a figure the pages do not.
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from tillit.core.pdf import html_to_pdf, many_html_to_pdf
from tillit.results.charts import bar_gradient
from tillit.results.models import ResultSnapshot
from tillit.results.present import (
    breakdown_tables,
    index_keys,
    index_label,
    item_text,
    scale_range,
)
from tillit.results.snapshot import published_json
from tillit.results.theming import theme_label


def json_bytes(snapshot: ResultSnapshot, unit_pks: set[int] | None = None) -> bytes:
    """The published result as UTF-8 JSON (DESIGN.md's shape)."""
    data = published_json(snapshot, unit_pks)
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")


def _append(sheet, values: list) -> None:
    """A row of a sheet. openpyxl takes text that starts with "=" for a formula; Tillit writes
    none, and a unit called "=Ekonomi+Lön" (from an HR file) must stay text in Excel. Checked
    per row as it is written: a pass over every cell afterwards added a quarter to the time of
    an export of 5,000 units."""
    sheet.append(values)
    for column, value in enumerate(values, start=1):
        if isinstance(value, str) and value.startswith("="):
            sheet.cell(row=sheet.max_row, column=column).data_type = "s"


def _item_keys(data: dict[str, Any]) -> list[str]:
    """The snapshot's scale items, by key."""
    return [
        key
        for inst in data.get("instruments", [])
        for key, meta in inst["items"].items()
        if meta["type"] == "scale"
    ]


def _rate(unit: dict[str, Any]) -> float | None:
    # Answered personal links of those invited; poster-code answers are not in it.
    invited, answered = unit.get("n_invited"), unit.get("n_answered_invited")
    return round(answered / invited, 3) if invited and answered is not None else None


def xlsx_bytes(snapshot: ResultSnapshot, unit_pks: set[int] | None = None) -> bytes:
    """A workbook with one sheet of indices per unit and one of items; hidden units carry
    their reason and no figures."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    data = published_json(snapshot, unit_pks)
    keys = index_keys(data)
    book = Workbook()
    sheet = book.active
    sheet.title = _("Indices")[:31]
    _append(
        sheet,
        [
            _("Unit id"),
            _("Unit"),
            _("Parent unit id"),
            _("Invited"),
            _("Answered"),
            _("Response rate"),
            _("Shown"),
            _("Answers behind the figures"),
            _("Answers not included"),
            *[index_label(data, key) for key in keys],
            _("Why not shown"),
        ],
    )
    for unit in data["units"]:
        row = [
            unit["id"],
            unit["name"],
            unit["parent_id"] or "",
            unit.get("n_invited"),
            unit.get("n_responded"),
            _rate(unit),
            _("yes") if unit["shown"] else _("no"),
        ]
        if unit["shown"]:
            row += [unit["n_published"], unit["excluded_n"]]
            row += [unit["indices"].get(key) for key in keys]
            row.append(unit.get("excluded_text", ""))
        else:
            row += [None, None] + [None] * len(keys) + [unit["reason_text"]]
        _append(sheet, row)
    items = book.create_sheet(_("Items")[:31])
    # One column per scale value of any item (1–5 beside 0–10 gives 0 … 10), so every
    # distribution is whole and each count sits under its own value.
    ranges = {key: scale_range(data, key) for key in _item_keys(data)}
    values = sorted({v for low, high in ranges.values() for v in range(low, high + 1)})
    _append(
        items,
        [
            _("Unit id"),
            _("Unit"),
            _("Question id"),
            _("Question"),
            _("Answers"),
            _("Mean"),
            _("Scale"),
            *[str(v) for v in values],
            _("Why not shown"),
        ],
    )
    blank = [None] * len(values)
    thresholds = data["thresholds"]
    from tillit.results.snapshot import reason_text

    for unit in data["units"]:
        if not unit["shown"]:
            _append(
                items,
                [unit["id"], unit["name"], "", "", None, None, None, *blank, unit["reason_text"]],
            )
            continue
        for key, item in unit["items"].items():
            low, high = ranges[key]
            head = [unit["id"], unit["name"], key, item_text(data, key)]
            if "reason" in item:
                why = reason_text(item["reason"], thresholds)
                _append(items, [*head, None, None, f"{low}–{high}", *blank, why])
                continue
            counts = list(blank)
            for offset, count in enumerate(item["dist"] or []):
                counts[values.index(low + offset)] = count
            why = "" if item["dist"] else reason_text(item.get("dist_reason", ""), thresholds)
            _append(items, [*head, item["n"], item["mean"], f"{low}–{high}", *counts, why])
    background = book.create_sheet(_("Background")[:31])
    _append(
        background,
        [
            _("Unit id"),
            _("Unit"),
            _("Background"),
            _("Group"),
            _("Answers"),
            *[index_label(data, key) for key in keys],
            _("Why not shown"),
        ],
    )
    for unit in data["units"]:
        if not unit["shown"]:
            continue
        for table in breakdown_tables(data, unit, thresholds):
            for band in table["rows"]:
                _append(
                    background,
                    [unit["id"], unit["name"], table["label"], band["label"], band["n"]]
                    + band["values"]
                    + [band["reason"]],
                )
    comments = book.create_sheet(_("Comments")[:31])
    _append(comments, [_("Unit id"), _("Unit"), _("Question id"), _("Comment"), _("Theme")])
    known = {theme["id"]: theme for theme in data.get("themes", [])}
    language = translation.get_language() or "sv"
    for unit in data["units"]:
        for entry in unit.get("comments") or [] if unit["shown"] else []:
            ids = entry.get("themes") or [None] * len(entry.get("texts", []))
            for text, theme_id in zip(entry.get("texts", []), ids, strict=True):
                label = theme_label(known[theme_id], language) if theme_id in known else ""
                _append(comments, [unit["id"], unit["name"], entry["item"], text, label])
    for ws in (sheet, items, background, comments):
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "C2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def unit_html(snapshot: ResultSnapshot, row, language: str) -> str:
    """A unit's report as an HTML document in `language` (what the PDF is made of; never
    served to a browser, so its bars' widths and gradients are style attributes)."""
    from django.template.loader import render_to_string

    from tillit.results.pages import unit_context

    with translation.override(language):
        context = unit_context(snapshot, row, language)
        for item in context.get("items", []):  # a hidden unit has none: its report says why
            if item.get("dist"):
                item["bar"] = bar_gradient([count for _label, count, _share in item["dist"]])
        context.update(
            {
                "campaign": snapshot.campaign,
                "language": language,
                "logo": report_logo(snapshot.campaign.organisation),
            }
        )
        return render_to_string("results/report.html", context)


def report_logo(organisation) -> str:
    """The organisation's logo as a data: URL for the PDF (WeasyPrint reads it inline)."""
    if not organisation.logo:
        return ""
    import base64

    encoded = base64.b64encode(bytes(organisation.logo)).decode("ascii")
    return f"data:{organisation.logo_type};base64,{encoded}"


def unit_pdf(snapshot: ResultSnapshot, row, language: str) -> bytes:
    """A unit's report as PDF, in `language`."""
    return html_to_pdf(unit_html(snapshot, row, language))


def report_filename(campaign_name: str, unit_name: str) -> str:
    return f"{slugify(campaign_name)}-{slugify(unit_name) or 'unit'}.pdf"


def run_batch(batch_id: int) -> str:
    """Build a batch's ZIP of unit PDFs, saving progress after each report."""
    from tillit.results.models import ReportBatch, ResultSnapshot, ResultUnit

    batch = ReportBatch.objects.select_related("campaign").get(pk=batch_id)
    if batch.finished:
        return batch.status
    # A batch is started from the results page, so its campaign's snapshot is stored.
    snapshot = ResultSnapshot.objects.get(campaign=batch.campaign)
    rows = list(
        ResultUnit.objects.filter(snapshot=snapshot, unit_pk__in=batch.unit_pks).order_by(
            "position"
        )
    )
    batch.status, batch.total, batch.processed = ReportBatch.Status.RUNNING, len(rows), 0
    batch.save(update_fields=["status", "total", "processed"])
    out = io.BytesIO()
    documents = (unit_html(snapshot, row, batch.language) for row in rows)
    try:
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            pdfs = many_html_to_pdf(documents, settings.REPORT_PROCESSES)
            for n, (row, pdf) in enumerate(zip(rows, pdfs, strict=True), start=1):
                name = f"{n:04d}-{report_filename(batch.campaign.name, row.data['name'])}"
                archive.writestr(name, pdf)
                ReportBatch.objects.filter(pk=batch.pk).update(processed=n)
    except Exception as error:  # the status page must say it failed, not spin forever
        ReportBatch.objects.filter(pk=batch.pk).update(
            status=ReportBatch.Status.FAILED, error=str(error)[:2000]
        )
        raise
    ReportBatch.objects.filter(pk=batch.pk).update(
        status=ReportBatch.Status.DONE, content=out.getvalue(), processed=len(rows)
    )
    return ReportBatch.Status.DONE
