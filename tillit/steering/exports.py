"""Files the register hands out: the heatmap as XLSX and the escalation letter (PDF, DOCX)."""

from __future__ import annotations

import datetime as dt
import io

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.text import slugify
from django.utils.translation import gettext as _

from tillit.steering.burden import Burden
from tillit.steering.models import Decision, Signal

MIME = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def download(content: bytes, filename: str) -> HttpResponse:
    """A file download with the type its extension names."""
    response = HttpResponse(content, content_type=MIME[filename.rsplit(".", 1)[-1]])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _text_cell(value):
    # A unit called "=Ekonomi" (from an HR file) must stay text in Excel, never a formula.
    return "'" + value if isinstance(value, str) and value.startswith("=") else value


def burden_xlsx(result: Burden, today: dt.date) -> bytes:
    """Hours per employee per year (units × types), total hours, the heaviest signals, and
    the signals unused for a year and past their review date (the page shows the first few)."""
    from openpyxl import Workbook

    kinds = [str(label) for _value, label in Signal.Kind.choices]
    book = Workbook(write_only=True)
    per_employee = book.create_sheet(_("Hours per employee")[:31])
    per_employee.append([_("Unit id"), _("Unit"), _("Staff"), *kinds, _("All")])
    for row in result.rows:
        per_employee.append(
            [
                row.unit_id,
                _text_cell(row.name),
                row.staff,
                *[None if v is None else round(v, 2) for v in row.per_employee],
                None if row.total_per_employee is None else round(row.total_per_employee, 2),
            ]
        )
    totals = book.create_sheet(_("Hours per year")[:31])
    totals.append([_("Unit id"), _("Unit"), _("Staff"), *kinds, _("All")])
    for row in result.rows:
        totals.append(
            [
                row.unit_id,
                _text_cell(row.name),
                row.staff,
                *[round(v, 1) for v in row.hours],
                round(row.total, 1),
            ]
        )
    signals = book.create_sheet(_("Heaviest signals")[:31])
    signals.append([_("Signal id"), _("Signal"), _("Hours per year")])
    for signal, hours in result.heaviest(limit=100_000):
        signals.append([signal.id, _text_cell(signal.title), round(hours, 1)])
    unused = book.create_sheet(_("Not used in a year")[:31])
    unused.append([_("Signal id"), _("Signal"), _("Output last used")])
    for signal in result.unused(today):
        unused.append([signal.id, _text_cell(signal.title), signal.last_used])
    past = book.create_sheet(_("Past review date")[:31])
    past.append([_("Signal id"), _("Signal"), _("Review date")])
    for signal in result.past_review(today):
        past.append([signal.id, _text_cell(signal.title), signal.review_date])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def letter_context(decision: Decision) -> dict:
    """What the escalation letter says: the signal, its cost, the board's reason."""
    signal = decision.signal
    return {
        "decision": decision,
        "signal": signal,
        "organisation": signal.organisation,
        "reports": signal.reports.count(),
    }


def letter_filename(decision: Decision, extension: str) -> str:
    """e.g. `escalation-12-double-registration.pdf`."""
    return f"escalation-{decision.pk}-{slugify(decision.signal.title)[:40]}.{extension}"


def letter_pdf(decision: Decision) -> bytes:
    """The escalation letter as PDF, laid out from its HTML template."""
    from tillit.core.pdf import html_to_pdf

    return html_to_pdf(render_to_string("steering/letter.html", letter_context(decision)))


def letter_docx(decision: Decision) -> bytes:
    """The escalation letter as an editable Word document."""
    from docx import Document

    context = letter_context(decision)
    signal = context["signal"]
    document = Document()
    document.add_paragraph(str(context["organisation"]))
    document.add_paragraph(decision.escalate_to)
    document.add_paragraph(decision.decided_on.isoformat())
    document.add_heading(
        _("Request to change a steering signal: %(title)s") % {"title": signal.title}, level=1
    )
    document.add_paragraph(signal.description)
    rows = [
        (_("Issuer level"), signal.get_issuer_level_display()),
        (_("Legal basis"), signal.legal_basis or "–"),
        (_("Hours per year it costs us"), f"{decision.hours_before}"),
        (_("Reports from employees"), str(context["reports"])),
    ]
    table = document.add_table(rows=0, cols=2)
    for label, value in rows:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = str(label), str(value)
    document.add_heading(_("The review board's reason"), level=2)
    document.add_paragraph(decision.reason)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
