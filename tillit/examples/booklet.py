"""The seed's "ten cases": chosen examples as a booklet, PDF and DOCX, in the reader's
language – one case per chapter, then the lessons per area (the inventory answers)."""

from __future__ import annotations

import io
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tillit.examples.evidence import evidence_for
from tillit.examples.models import AREAS, GoodExample

MAX_CASES = 10


def context(examples: list[GoodExample], organisation) -> dict[str, Any]:
    """The booklet's chapters and the lessons per area, with evidence and consented names."""
    cases = []
    for example in examples:
        cases.append(
            {
                "example": example,
                "evidence": evidence_for(example),
                "contacts": [
                    (c.shown_name, c.role_title if c.consented else "", c.unit)
                    for c in example.contacts.select_related("unit")
                ],
            }
        )
    lessons = []
    for code, label in AREAS:
        rows = [
            (example.title, row.get("question", ""), row.get("answer", ""))
            for example in examples
            for row in example.inventory
            if row.get("area") == code and row.get("answer")
        ]
        if rows:
            lessons.append((label, rows))
    return {
        "organisation": organisation,
        "cases": cases,
        "lessons": lessons,
        "today": timezone.localdate(),
    }


def booklet_pdf(examples: list[GoodExample], organisation, language: str) -> bytes:
    """The booklet as PDF, laid out from its HTML template."""
    from tillit.core.pdf import html_to_pdf

    with translation.override(language):
        html = render_to_string("examples/booklet.html", context(examples, organisation))
    return html_to_pdf(html)


def booklet_docx(examples: list[GoodExample], organisation, language: str) -> bytes:
    """The booklet as an editable Word document, with the same chapters."""
    from docx import Document

    with translation.override(language):
        data = context(examples, organisation)
        document = Document()
        document.add_heading(_("Good examples"), level=0)
        document.add_paragraph(f"{organisation.name} – {data['today'].isoformat()}")
        for number, case in enumerate(data["cases"], start=1):
            example = case["example"]
            document.add_page_break()
            document.add_heading(f"{number}. {example.title}", level=1)
            facts = [
                (_("Units"), example.unit_names()),
                (_("Areas"), ", ".join(example.area_labels())),
                (_("Trust principles"), ", ".join(example.principle_labels())),
                (_("Type"), example.get_kind_display()),
            ]
            table = document.add_table(rows=0, cols=2)
            for label, value in facts:
                cells = table.add_row().cells
                cells[0].text, cells[1].text = str(label), value or "–"
            for label, text in (
                (_("The problem it solved"), example.problem),
                (_("What changed"), example.what_changed),
                (_("In the unit's own words"), example.story),
                (_("Effort"), example.effort),
                (_("Preconditions"), example.preconditions),
                (_("Barriers"), example.barriers),
            ):
                if text:
                    document.add_heading(str(label), level=2)
                    document.add_paragraph(text)
            evidence = case["evidence"]
            if evidence.any:
                document.add_heading(_("Evidence"), level=2)
                for change in evidence.indices:
                    document.add_paragraph(
                        _("%(unit)s, %(label)s: %(before)s → %(after)s (%(first)s → %(last)s)")
                        % {
                            "unit": change.unit_name,
                            "label": change.label,
                            "before": round(change.before),
                            "after": round(change.after),
                            "first": change.before_campaign,
                            "last": change.after_campaign,
                        },
                        style="List Bullet",
                    )
                for title, hours in evidence.hours_freed:
                    document.add_paragraph(
                        _("%(signal)s: %(hours)s hours a year freed")
                        % {"signal": title, "hours": hours},
                        style="List Bullet",
                    )
                for row in evidence.measurements:
                    document.add_paragraph(
                        f"{row['artefact']} – {row.get('label', '')}: "
                        f"{row.get('before', '')} → {row.get('after', '')} {row.get('unit', '')}",
                        style="List Bullet",
                    )
            document.add_heading(_("Contact"), level=2)
            for name, role, unit in case["contacts"]:
                shown = ", ".join(p for p in (name, role, unit.name if unit else "") if p)
                document.add_paragraph(shown, style="List Bullet")
        if data["lessons"]:
            document.add_page_break()
            document.add_heading(_("Lessons per area"), level=1)
            for label, rows in data["lessons"]:
                document.add_heading(str(label), level=2)
                for title, question, answer in rows:
                    document.add_paragraph(f"{title}: {question} – {answer}", style="List Bullet")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
