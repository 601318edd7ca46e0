"""Importing the register from a spreadsheet, and exporting it as one that imports again.

The file is read by `org.tables.read_table` (CSV in the Nordic Excel dialects, or XLSX) and
checked with its header and cell helpers, so the rules are the organisation import's: every
error is collected with its row and column as Excel shows them, and a file with any error
changes nothing. A row with a `signal_id` updates that signal (leaving history, and going
through the same version check as an edit); a row without one adds a signal.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from tillit.core.models import User
from tillit.org.models import Organisation, Unit
from tillit.org.tables import (
    Columns,
    FileErrors,
    RowError,
    cell_text,
    check_header,
    check_width,
    is_email,
    parse_date,
    read_table,
    require_value,
    too_long,
)
from tillit.steering import actions
from tillit.steering.models import Signal

REQUIRED = ("title", "type", "issuer_level", "units", "frequency", "minutes")
OPTIONAL = (
    "signal_id",
    "description",
    "self_imposed",
    "owner_email",
    "legal_basis",
    "people_per_unit",
    "share_of_staff",
    "irritation",
    "output_users",
    "decision_fed",
    "last_used",
    "start_date",
    "review_date",
    "status",
)
COLUMNS = REQUIRED + OPTIONAL
YES = {"yes", "y", "ja", "j", "true", "1", "x", "kyllä"}
NO = {"no", "n", "nej", "nei", "false", "0", ""}


def _choices(choices: list[tuple[str, Any]]) -> dict[str, str]:
    """A choice's code and its label in each of the four languages, lower-cased, to its code."""
    found = {}
    for code, label in choices:
        found[code.lower()] = code
        for language in ("sv", "da", "nb", "en"):
            with translation.override(language):
                found[str(label).lower()] = code
    return found


def _number(value, number: int, column: str, errors: list, low: float, high: float):
    text = cell_text(value).replace(" ", "").replace("%", "").replace(",", ".")
    try:
        result = Decimal(text)
    except InvalidOperation:
        result = None
    if result is None or not result.is_finite() or not low <= result <= high:
        errors.append(
            RowError(
                number,
                column,
                _("%(column)s must be a number from %(low)s to %(high)s, not “%(value)s”.")
                % {"column": column, "low": low, "high": high, "value": cell_text(value)},
            )
        )
        return None
    return result


@dataclass
class SignalPlan:
    """The checked rows: values and units per row, and the signal a row updates (if any)."""

    rows: list[tuple[int, dict[str, Any], list[Unit], Signal | None]] = field(default_factory=list)


def check_signals(organisation: Organisation, content: bytes, filename: str = "") -> SignalPlan:
    """Read and check a register file; raise FileErrors with every problem, write nothing."""
    table = read_table(content, filename)
    errors = check_header(table, REQUIRED, OPTIONAL)
    if errors:
        raise FileErrors(errors)
    col = Columns(table, COLUMNS)
    units = {u.external_id.lower(): u for u in Unit.objects.filter(organisation=organisation)}
    existing = {s.pk: s for s in Signal.objects.filter(organisation=organisation)}
    kinds = _choices(Signal.Kind.choices)
    levels = _choices(Signal.Level.choices)
    statuses = _choices(Signal.Status.choices)
    codes = {
        "type": Signal.Kind.values,
        "issuer_level": Signal.Level.values,
        "status": Signal.Status.values,
    }
    plan = SignalPlan()
    seen_ids: set[int] = set()
    for number, cells in table.rows:
        check_width(table, number, cells, errors)
        values: dict[str, Any] = {}
        title = cell_text(col.get(cells, "title"))
        if require_value(title, number, "title", errors) and not too_long(
            title, 200, number, "title", errors
        ):
            values["title"] = title
        for column, choices, name in (
            ("type", kinds, "kind"),
            ("issuer_level", levels, "issuer_level"),
            ("status", statuses, "status"),
        ):
            text = cell_text(col.get(cells, column))
            if not text and column == "status":
                continue
            if not require_value(text, number, column, errors):
                continue
            if text.lower() not in choices:
                errors.append(
                    RowError(
                        number,
                        column,
                        _("“%(value)s” is not a known %(column)s (one of: %(known)s).")
                        % {"value": text, "column": column, "known": ", ".join(codes[column])},
                    )
                )
            else:
                values[name] = choices[text.lower()]
        hit: list[Unit] = []
        unit_text = cell_text(col.get(cells, "units"))
        if require_value(unit_text, number, "units", errors):
            for ext in re.split(r"[\s,;|]+", unit_text):
                if not ext:
                    continue
                unit = units.get(ext.lower())
                if unit is None:
                    errors.append(
                        RowError(
                            number,
                            "units",
                            _("No unit has the id “%(value)s”.") % {"value": ext},
                        )
                    )
                else:
                    hit.append(unit)
        for column, name, high in (
            ("frequency", "frequency", 10000),
            ("minutes", "minutes", 100000),
        ):
            if require_value(cell_text(col.get(cells, column)), number, column, errors):
                values[name] = _number(col.get(cells, column), number, column, errors, 0, high)
        people = cell_text(col.get(cells, "people_per_unit"))
        share = cell_text(col.get(cells, "share_of_staff"))
        if bool(people) == bool(share):
            errors.append(
                RowError(
                    number,
                    "people_per_unit",
                    _(
                        "Give either people_per_unit or share_of_staff (per cent), "
                        "not both or none."
                    ),
                )
            )
        elif people:
            values["performers_kind"] = Signal.Performers.PEOPLE
            values["performers"] = _number(people, number, "people_per_unit", errors, 0, 10000)
        else:
            values["performers_kind"] = Signal.Performers.SHARE
            values["performers"] = _number(share, number, "share_of_staff", errors, 0, 100)
        irritation = cell_text(col.get(cells, "irritation"))
        if irritation:
            value = _number(irritation, number, "irritation", errors, 1, 5)
            values["irritation"] = int(value) if value is not None else None
        flag = cell_text(col.get(cells, "self_imposed")).lower()
        if flag in YES | NO:
            values["self_imposed"] = flag in YES
        else:
            errors.append(
                RowError(
                    number,
                    "self_imposed",
                    _("self_imposed must be yes or no, not “%(value)s”.") % {"value": flag},
                )
            )
        email = cell_text(col.get(cells, "owner_email")).lower()
        if email and not is_email(email):
            errors.append(
                RowError(
                    number,
                    "owner_email",
                    _("“%(value)s” is not an e-mail address.") % {"value": email},
                )
            )
        values["owner_email"] = email
        for column, limit in (("legal_basis", 300), ("output_users", 300), ("decision_fed", 300)):
            text = cell_text(col.get(cells, column))
            if not too_long(text, limit, number, column, errors):
                values[column] = text
        values["description"] = cell_text(col.get(cells, "description"))
        for column in ("last_used", "start_date", "review_date"):
            raw = col.get(cells, column)
            if cell_text(raw) == "":
                values[column] = None
                continue
            date = parse_date(raw)
            if date is None:
                errors.append(
                    RowError(
                        number,
                        column,
                        _("“%(value)s” is not a date (write 2026-03-01 or 01.03.2026).")
                        % {"value": cell_text(raw)},
                    )
                )
            values[column] = date
        target = None
        signal_id = cell_text(col.get(cells, "signal_id"))
        if signal_id:
            target = existing.get(int(signal_id)) if signal_id.isdigit() else None
            if target is None:
                errors.append(
                    RowError(
                        number,
                        "signal_id",
                        _("No signal of this organisation has the id “%(value)s”.")
                        % {"value": signal_id},
                    )
                )
            elif target.pk in seen_ids:
                errors.append(
                    RowError(
                        number,
                        "signal_id",
                        _("The signal %(value)s appears twice in the file.") % {"value": signal_id},
                    )
                )
            else:
                seen_ids.add(target.pk)
        plan.rows.append((number, values, hit, target))
    if not table.rows:
        errors.append(RowError(2, "", _("The file has no rows below its header.")))
    if errors:
        raise FileErrors(errors)
    return plan


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0


def import_signals(
    organisation: Organisation, content: bytes, filename: str, user: User | None
) -> ImportSummary:
    """Check the whole file, then write it in one transaction (all or nothing)."""
    plan = check_signals(organisation, content, filename)
    summary = ImportSummary()
    with transaction.atomic():
        for _row, values, hit, target in plan.rows:
            if target is None:
                values.setdefault("status", Signal.Status.ACTIVE)
                actions.do_create_signal(organisation, values, hit, user, source="import")
                summary.created += 1
            else:
                actions.do_update_signal(target, values, hit, target.version, user, source="import")
                summary.updated += 1
    return summary


def _cell(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, str) and value.startswith("="):
        return "'" + value  # a title from a file must stay text in Excel, never a formula
    return value


def export_xlsx(
    organisation: Organisation, signals: list[Signal], hours: dict[int, float], cost: Decimal
) -> bytes:
    """The register as a workbook whose first sheet imports again (the same columns), with
    the computed hours and money beside them."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook(write_only=False)
    sheet = book.active
    sheet.title = _("Register")[:31]
    header = [*COLUMNS, "hours_per_year", "cost_per_year"]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for s in signals:
        units = " ".join(hit.unit.external_id for hit in s.hits.all())
        people = s.performers if s.performers_kind == Signal.Performers.PEOPLE else None
        share = s.performers if s.performers_kind == Signal.Performers.SHARE else None
        h = round(hours.get(s.pk, 0.0), 1)
        row = [
            s.title,
            s.kind,
            s.issuer_level,
            units,
            s.frequency,
            s.minutes,
            s.pk,
            s.description,
            "yes" if s.self_imposed else "no",
            s.owner_email,
            s.legal_basis,
            people,
            share,
            s.irritation,
            s.output_users,
            s.decision_fed,
            s.last_used,
            s.start_date,
            s.review_date,
            s.status,
            h,
            float((Decimal(str(h)) * cost).quantize(Decimal(1))),
        ]
        sheet.append([_cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
