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
from tillit.results.present import breakdown_tables, index_keys, index_label, item_text
from tillit.results.snapshot import published_json


def json_bytes(snapshot: ResultSnapshot, unit_pks: set[int] | None = None) -> bytes:
    """The published result as UTF-8 JSON (DESIGN.md's shape)."""
    data = published_json(snapshot, unit_pks)
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")


def _rate(unit: dict[str, Any]) -> float | None:
    return round(unit["n_responded"] / unit["n_invited"], 3) if unit["n_invited"] else None


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
    sheet.append(
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
        ]
    )
    for unit in data["units"]:
        row = [
            unit["id"],
            unit["name"],
            unit["parent_id"] or "",
            unit["n_invited"],
            unit["n_responded"],
            _rate(unit),
            _("yes") if unit["shown"] else _("no"),
        ]
        if unit["shown"]:
            row += [unit["n_published"], unit["excluded_n"]]
            row += [unit["indices"].get(key) for key in keys]
            row.append(unit.get("excluded_text", ""))
        else:
            row += [None, None] + [None] * len(keys) + [unit["reason_text"]]
        sheet.append(row)
    items = book.create_sheet(_("Items")[:31])
    items.append(
        [
            _("Unit id"),
            _("Unit"),
            _("Question id"),
            _("Question"),
            _("Answers"),
            _("Mean (1–5)"),
            *[str(v) for v in range(1, 6)],
            _("Why not shown"),
        ]
    )
    thresholds = data["thresholds"]
    from tillit.results.snapshot import reason_text

    for unit in data["units"]:
        if not unit["shown"]:
            items.append(
                [unit["id"], unit["name"], "", "", None, None] + [None] * 5 + [unit["reason_text"]]
            )
            continue
        for key, item in unit["items"].items():
            if "reason" in item:
                row = [unit["id"], unit["name"], key, item_text(data, key), None, None]
                items.append(row + [None] * 5 + [reason_text(item["reason"], thresholds)])
                continue
            dist = item["dist"] or [None] * 5
            why = "" if item["dist"] else reason_text(item.get("dist_reason", ""), thresholds)
            items.append(
                [unit["id"], unit["name"], key, item_text(data, key), item["n"], item["mean"]]
                + list(dist[:5])
                + [None] * (5 - len(dist[:5]))
                + [why]
            )
    background = book.create_sheet(_("Background")[:31])
    background.append(
        [
            _("Unit id"),
            _("Unit"),
            _("Background"),
            _("Group"),
            _("Answers"),
            *[index_label(data, key) for key in keys],
            _("Why not shown"),
        ]
    )
    for unit in data["units"]:
        if not unit["shown"]:
            continue
        for table in breakdown_tables(data, unit, thresholds):
            for band in table["rows"]:
                background.append(
                    [unit["id"], unit["name"], table["label"], band["label"], band["n"]]
                    + band["values"]
                    + [band["reason"]]
                )
    for ws in (sheet, items, background):
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
        context.update({"campaign": snapshot.campaign, "language": language})
        return render_to_string("results/report.html", context)


def unit_pdf(snapshot: ResultSnapshot, row, language: str) -> bytes:
    """A unit's report as PDF, in `language`."""
    return html_to_pdf(unit_html(snapshot, row, language))


def report_filename(campaign_name: str, unit_name: str) -> str:
    return f"{slugify(campaign_name)}-{slugify(unit_name) or 'unit'}.pdf"


def run_batch(batch_id: int) -> str:
    """Build a batch's ZIP of unit PDFs, saving progress after each report."""
    from tillit.results.models import ReportBatch, ResultUnit
    from tillit.results.snapshot import get_snapshot

    batch = ReportBatch.objects.select_related("campaign").get(pk=batch_id)
    if batch.finished:
        return batch.status
    snapshot = get_snapshot(batch.campaign)
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
