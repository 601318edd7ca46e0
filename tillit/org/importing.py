"""Importing an organisation's units and people from CSV or XLSX files.

Three steps, so nothing is written unless the whole file is right:

1. `tables.read_table` turns the uploaded bytes into a header and rows (CSV or an .xlsx workbook).
2. `check_units` / `people_import.check_people` validate every row in memory against the file
   and the database and collect EVERY error as (row, column, message), row numbers as Excel
   shows them.
3. `apply_units` / `people_import.apply_people` write the result in one transaction: units
   through `tillit.org.actions` (so each change leaves history), people in bulk.

`import_jobs.run_import` does all three with the column mapping and the preview; the background
task, the commands and the API call it. This module holds the units' import and what both
share; `people_import` the people's.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from tillit.core.models import normalise_email
from tillit.org import actions
from tillit.org.models import Organisation, Person, Unit
from tillit.org.tables import (
    Columns,
    RowError,
    Table,
    cell_text,
    check_header,
    check_width,
    is_email,
    require_value,
    too_long,
)

Progress = Callable[[int, int], None]

UNIT_COLUMNS = ("unit_id", "parent_id", "name")
UNIT_OPTIONAL = ("manager_email", "type", "cost_centre")
PROGRESS_EVERY = 500
BATCH = 1000


#: Names listed per kind of change in a preview or summary; the counts are always complete.
DETAILS_LISTED = 500


class Details:
    """What an import changes, by name: the preview shows it, the summary keeps it."""

    def __init__(self, kinds: Iterable[str]):
        self.lists: dict[str, list] = {kind: [] for kind in kinds}

    def add(self, kind: str, item: list) -> None:
        if len(self.lists[kind]) < DETAILS_LISTED:
            self.lists[kind].append(item)

    def as_dict(self) -> dict:
        return self.lists


def tick(progress: Progress | None, done: int, total: int) -> None:
    """Report progress every PROGRESS_EVERY rows and at the end."""
    if progress is not None and (done % PROGRESS_EVERY == 0 or done == total):
        progress(done, total)


# ---------------------------------------------------------------- units


@dataclass(slots=True)
class UnitRow:
    row: int
    external_id: str
    parent_id: str
    name: str
    manager_email: str = ""
    unit_type: str = ""
    cost_centre: str = ""
    depth: int = 0


@dataclass
class UnitPlan:
    units: list[UnitRow]  # parents before children


def check_units(
    organisation: Organisation, table: Table, progress: Progress | None = None, *, total: int = 0
) -> tuple[UnitPlan, list[RowError]]:
    """Validate a units file completely; the plan is only usable when there are no errors."""
    errors = check_header(table, UNIT_COLUMNS, UNIT_OPTIONAL)
    if errors:
        return UnitPlan([]), errors
    col = Columns(table, UNIT_COLUMNS + UNIT_OPTIONAL)
    by_id: dict[str, UnitRow] = {}
    rows: list[UnitRow] = []
    total = total or len(table.rows)
    for done, (number, cells) in enumerate(table.rows, start=1):
        tick(progress, done, total)
        check_width(table, number, cells, errors)
        unit_id = cell_text(col.get(cells, "unit_id"))
        name = cell_text(col.get(cells, "name"))
        unit = UnitRow(
            number,
            unit_id,
            cell_text(col.get(cells, "parent_id")),
            name,
            normalise_email(cell_text(col.get(cells, "manager_email"))),
            cell_text(col.get(cells, "type")),
            cell_text(col.get(cells, "cost_centre")),
        )
        ok = require_value(unit_id, number, "unit_id", errors)
        ok = not too_long(unit_id, 64, number, "unit_id", errors) and ok
        require_value(name, number, "name", errors)
        too_long(unit.parent_id, 64, number, "parent_id", errors)
        too_long(name, 200, number, "name", errors)
        too_long(unit.unit_type, 60, number, "type", errors)
        too_long(unit.cost_centre, 60, number, "cost_centre", errors)
        if unit.manager_email and not is_email(unit.manager_email):
            errors.append(
                RowError(
                    number,
                    "manager_email",
                    _("%(value)s is not a valid e-mail address.") % {"value": unit.manager_email},
                )
            )
        if not ok:
            continue
        if unit_id in by_id:
            errors.append(
                RowError(
                    number,
                    "unit_id",
                    _("The unit_id %(id)s appears twice: in row %(first)d and row %(row)d.")
                    % {"id": unit_id, "first": by_id[unit_id].row, "row": number},
                )
            )
            continue
        by_id[unit_id] = unit
        rows.append(unit)
    if not table.rows:
        errors.append(RowError(2, "", _("The file has no units.")))
    errors.extend(_check_tree(rows, by_id))
    if errors:
        return UnitPlan([]), sorted(errors, key=lambda e: e.row)
    return UnitPlan(sorted(rows, key=lambda u: (u.depth, u.row))), []


def _check_tree(rows: list[UnitRow], by_id: dict[str, UnitRow]) -> list[RowError]:
    """Exactly one top unit, every parent in the file, no cycles; sets each row's depth."""
    errors = []
    roots = [u for u in rows if not u.parent_id]
    for extra in roots[1:]:
        errors.append(
            RowError(
                extra.row,
                "parent_id",
                _(
                    "%(id)s has no parent_id, but %(root)s (row %(row)d) is already the top "
                    "unit. A file has exactly one top unit."
                )
                % {"id": extra.external_id, "root": roots[0].external_id, "row": roots[0].row},
            )
        )
    for unit in rows:
        if unit.parent_id and unit.parent_id not in by_id:
            errors.append(
                RowError(
                    unit.row,
                    "parent_id",
                    _("The parent_id %(parent)s is not a unit_id in this file.")
                    % {"parent": unit.parent_id},
                )
            )
    # Depths by walking up; a walk that comes back on itself is a cycle.
    depth: dict[str, int] = {}
    for unit in rows:
        trail: list[str] = []
        on_trail: set[str] = set()
        current = unit.external_id
        while current not in depth:
            if current in on_trail:
                cycle = trail[trail.index(current) :]
                for member in cycle:
                    depth[member] = -1
                first = min((by_id[m] for m in cycle), key=lambda u: u.row)
                start = cycle.index(first.external_id)
                ring = cycle[start:] + cycle[:start] + [first.external_id]
                errors.append(
                    RowError(
                        first.row,
                        "parent_id",
                        _("The units %(cycle)s are each other's parents (a cycle).")
                        % {"cycle": " → ".join(ring)},
                    )
                )
                break
            row = by_id.get(current)
            if row is None or not row.parent_id:
                depth[current] = -1 if row is None else 0
                break
            trail.append(current)
            on_trail.add(current)
            current = row.parent_id
        for member in reversed(trail):
            if member in depth:
                continue
            parent_depth = depth.get(by_id[member].parent_id, -1)
            depth[member] = parent_depth + 1 if parent_depth >= 0 else -1
    for unit in rows:
        unit.depth = depth.get(unit.external_id, -1)
    if not roots and rows:
        errors.append(
            RowError(
                rows[0].row,
                "parent_id",
                _("No unit is the top unit: exactly one row must have an empty parent_id."),
            )
        )
    return errors


def apply_units(
    organisation: Organisation,
    plan: UnitPlan,
    *,
    by=None,
    progress: Progress | None = None,
    offset: int = 0,
    total: int = 0,
) -> dict:
    """Create, update, reopen and close units to match the file. Call inside a transaction."""
    summary = dict.fromkeys(
        ("created", "updated", "moved", "renamed", "reopened", "closed", "unchanged"), 0
    )
    details = Details(("created", "renamed", "moved", "reopened", "closed"))
    existing = {u.external_id: u for u in Unit.objects.filter(organisation=organisation)}
    names = {ext: u.name for ext, u in existing.items()}
    names.update((row.external_id, row.name) for row in plan.units)
    stale_paths = False
    total = total or len(plan.units)
    for done, row in enumerate(plan.units, start=1):
        tick(progress, offset + done, total)
        if stale_paths:
            # A move rewrote paths of a subtree in the database; refresh the copies here.
            fresh = Unit.objects.filter(organisation=organisation).values_list(
                "pk", "path", "depth"
            )
            by_pk = {u.pk: u for u in existing.values()}
            for pk, path, depth in fresh:
                by_pk[pk].path, by_pk[pk].depth = path, depth
            stale_paths = False
        parent = existing[row.parent_id] if row.parent_id else None
        fields = actions.UnitFields(
            name=row.name,
            parent=parent,
            unit_type=row.unit_type,
            cost_centre=row.cost_centre,
            manager_email=row.manager_email,
        )
        unit = existing.get(row.external_id)
        if unit is None:
            existing[row.external_id] = actions.do_create_unit(
                organisation, row.external_id, fields, by=by, source="import"
            )
            summary["created"] += 1
            details.add("created", [row.name, names.get(row.parent_id, "")])
            continue
        # Move first, then reopen: a reopened unit must sit under its new (open) parent.
        changes = actions.do_update_unit(unit, fields, by=by, source="import")
        reopened = actions.do_reopen_unit(unit, by=by, source="import")
        kinds = {c.kind for c in changes}
        for change in changes:
            if change.kind == "renamed":
                details.add("renamed", [change.old_value, change.new_value])
            elif change.kind == "moved":
                old_parent = names.get(change.old_value, change.old_value)
                details.add("moved", [row.name, old_parent, names.get(row.parent_id, "")])
        if reopened:
            details.add("reopened", [row.name])
        summary["reopened"] += reopened
        summary["updated"] += bool(changes)
        summary["moved"] += "moved" in kinds
        summary["renamed"] += "renamed" in kinds
        summary["unchanged"] += not changes and not reopened
        stale_paths = "moved" in kinds
    in_file = {row.external_id for row in plan.units}
    gone = [u for ext, u in existing.items() if ext not in in_file and not u.is_closed]
    for unit in sorted(gone, key=lambda u: -u.depth):
        if actions.do_close_unit(unit, by=by, source="import"):
            summary["closed"] += 1
            details.add("closed", [unit.name])
    summary["details"] = details.as_dict()
    summary["people_in_closed_units"] = Person.objects.filter(
        organisation=organisation, active=True, unit__closed_at__isnull=False
    ).count()
    return summary
