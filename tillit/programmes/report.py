"""The programme report – every step's artefacts, decisions and lessons – as PDF and DOCX.

Both formats are built from one `report_data()` made under `translation.override` with the
programme's language, so the labels match the content.
"""

from __future__ import annotations

import io

from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from tillit.core.pdf import html_to_pdf
from tillit.programmes.catalogue import ARTEFACT_KINDS
from tillit.programmes.models import Programme, text_for


def filename(programme: Programme) -> str:
    return slugify(programme.title) or f"programme-{programme.pk}"


def report_data(programme: Programme) -> dict:
    """Everything the report shows, with translated labels (call inside the language override)."""
    language = programme.language
    definition = programme.definition
    artefacts = list(programme.artefacts.all())
    steps = []
    for step in programme.steps.all():
        step_def = step.definition
        checklist = [
            (text_for(item, language), index in step.checked)
            for index, item in enumerate(step_def.get("checklist", []))
        ]
        groups = []
        for kind, spec in ARTEFACT_KINDS.items():
            items = [a for a in artefacts if a.step_id == step.step_id and a.kind == kind]
            if items:
                groups.append(
                    {
                        "label": str(spec.plural),
                        "items": [
                            {
                                "title": a.title,
                                "rows": a.display_rows(),
                                "measurements": a.measurements,
                                "logbook": a.logbook,
                                "overdue": a.is_overdue,
                            }
                            for a in items
                        ],
                    }
                )
        steps.append(
            {
                "title": text_for(step_def.get("title"), language),
                "purpose": text_for(step_def.get("purpose"), language),
                "status": step.get_status_display(),
                "done_at": formats.date_format(step.done_at, "SHORT_DATE_FORMAT")
                if step.done_at
                else "",
                "sessions": [
                    f"{formats.date_format(timezone.localtime(s.date), 'SHORT_DATETIME_FORMAT')}"
                    f"{' – ' + s.place if s.place else ''}"
                    for s in step.sessions.all()
                ],
                "checklist": checklist,
                "groups": groups,
            }
        )
    return {
        "programme": programme,
        "method": text_for(definition["title"], language),
        "description": text_for(definition["description"], language),
        "units": ", ".join(u.name for u in programme.units.order_by("path")),
        "participants": [
            f"{p.name or p.email} ({p.get_role_display()})" for p in programme.participants.all()
        ],
        "steps": steps,
        "generated": formats.date_format(timezone.localdate(), "SHORT_DATE_FORMAT"),
        "labels": {
            "report": _("Programme report"),
            "method": _("Method"),
            "units": _("Units"),
            "participants": _("Participants"),
            "status": _("Status"),
            "done": _("Done"),
            "sessions": _("Sessions"),
            "checklist": _("Checklist"),
            "measurements": _("Measurements (before → after)"),
            "logbook": _("Logbook"),
            "overdue": _("Overdue"),
            "generated": _("Generated"),
            "nothing": _("Nothing recorded in this step yet."),
        },
    }


def html(programme: Programme) -> str:
    """The report as an HTML document (what the PDF is made of)."""
    with translation.override(programme.language):
        data = report_data(programme)
        return render_to_string("programmes/report.html", data)


def pdf(programme: Programme) -> bytes:
    """The report as PDF, rendered by WeasyPrint."""
    return html_to_pdf(html(programme))


def docx(programme: Programme) -> bytes:
    """The report as a Word document, for further editing."""
    from docx import Document

    with translation.override(programme.language):
        data = report_data(programme)
    labels = data["labels"]
    document = Document()
    document.core_properties.language = programme.language
    document.add_heading(f"{labels['report']}: {programme.title}", level=0)
    document.add_paragraph(f"{labels['method']}: {data['method']}")
    document.add_paragraph(f"{labels['units']}: {data['units']}")
    document.add_paragraph(data["description"])
    if data["participants"]:
        document.add_paragraph(f"{labels['participants']}: " + "; ".join(data["participants"]))
    for step in data["steps"]:
        document.add_heading(step["title"], level=1)
        status = f"{labels['status']}: {step['status']}"
        if step["done_at"]:
            status += f" ({step['done_at']})"
        document.add_paragraph(status)
        if step["purpose"]:
            document.add_paragraph(step["purpose"])
        for session in step["sessions"]:
            document.add_paragraph(f"{labels['sessions']}: {session}", style="List Bullet")
        for text, ticked in step["checklist"]:
            document.add_paragraph(f"{'☑' if ticked else '☐'} {text}")
        if not step["groups"]:
            document.add_paragraph(labels["nothing"])
        for group in step["groups"]:
            document.add_heading(group["label"], level=2)
            for item in group["items"]:
                title = item["title"] + (f" – {labels['overdue']}" if item["overdue"] else "")
                document.add_heading(title, level=3)
                for label, value in item["rows"]:
                    document.add_paragraph(f"{label}: {value}")
                for m in item["measurements"]:
                    document.add_paragraph(
                        f"{labels['measurements']}: {m['label']}: {m['before']} → "
                        f"{m.get('after') or '–'} {m.get('unit', '')}".rstrip(),
                        style="List Bullet",
                    )
                for entry in item["logbook"]:
                    document.add_paragraph(
                        f"{labels['logbook']} {entry['date']}: {entry['text']}", style="List Bullet"
                    )
    document.add_paragraph(f"{labels['generated']}: {data['generated']}")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
