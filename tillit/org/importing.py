"""Importing an organisation's units and people from CSV or XLSX files.

Three steps, so nothing is written unless the whole file is right:

1. `tables.read_table` turns the uploaded bytes into a header and rows (CSV or an .xlsx workbook).
2. `check_units` / `check_people` validate every row in memory against the file and the
   database and collect EVERY error as (row, column, message), row numbers as Excel shows them.
3. `apply_units` / `apply_people` write the result in one transaction: units through
   `tillit.org.actions` (so each change leaves history), people in bulk.

`import_jobs.run_import` does all three with the column mapping and the preview; the background
task, the commands and the API call it.

Role grants have no "source" field, so the grants an import made are recorded in the
summary of the import job (`summary["grants"]`); the next people import removes only those
of them that are gone from the file, never a grant given by hand.
"""

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from tillit import audit
from tillit.audit.log import Kind
from tillit.core.models import normalise_email
from tillit.org import actions
from tillit.org.models import ImportJob, Organisation, Person, RoleGrant, Unit
from tillit.org.tables import (
    Columns,
    RowError,
    Table,
    cell_text,
    check_header,
    check_width,
    is_email,
    parse_date,
    require_value,
    too_long,
)

Progress = Callable[[int, int], None]

UNIT_COLUMNS = ("unit_id", "parent_id", "name")
UNIT_OPTIONAL = ("manager_email", "type", "cost_centre")
PEOPLE_COLUMNS = ("email", "unit_id", "name")
PEOPLE_OPTIONAL = ("role", "language", "birth_year", "start_date", "gender")

EMPLOYEE, MED, ADMIN = "employee", RoleGrant.Role.MED.value, RoleGrant.Role.ADMIN.value
ROLE_WORDS = {
    EMPLOYEE: [
        "employee",
        "medarbetare",
        "anställd",
        "medarbejder",
        "ansat",
        "medarbeider",
        "ansatt",
        "staff",
    ],
    MED: [
        "med",
        "union rep",
        "union representative",
        "skyddsombud",
        "tillitsvald",
        "förtroendevald",
        "tillidsrepræsentant",
        "arbejdsmiljørepræsentant",
        "tillitsvalgt",
        "verneombud",
    ],
    ADMIN: [
        "admin",
        "process owner",
        "processägare",
        "procesejer",
        "prosesseier",
        "administrator",
    ],
}
ROLES = {word: role for role, words in ROLE_WORDS.items() for word in words}
LANGUAGES = {
    "sv": "sv",
    "se": "sv",
    "svenska": "sv",
    "swedish": "sv",
    "da": "da",
    "dk": "da",
    "dansk": "da",
    "danish": "da",
    "nb": "nb",
    "no": "nb",
    "nn": "nb",
    "norsk": "nb",
    "bokmål": "nb",
    "norwegian": "nb",
    "en": "en",
    "english": "en",
    "engelska": "en",
    "engelsk": "en",
}
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


def _tick(progress: Progress | None, done: int, total: int) -> None:
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
        _tick(progress, done, total)
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
        _tick(progress, offset + done, total)
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


# ---------------------------------------------------------------- people


@dataclass(slots=True)
class PersonRow:
    row: int
    email: str
    name: str
    unit_id: int
    language: str
    birth_year: int | None
    start_date: dt.date | None
    gender: str
    roles: frozenset

    def values(self) -> tuple:
        return (
            self.name,
            self.unit_id,
            self.language,
            self.birth_year,
            self.start_date,
            self.gender,
            True,
        )


@dataclass
class PeoplePlan:
    people: list[PersonRow] = field(default_factory=list)
    grants_wanted: set = field(default_factory=set)  # (email, role, unit pk or None)
    grants_to_add: set = field(default_factory=set)
    grants_to_remove: list = field(default_factory=list)  # RoleGrant pks
    unit_ids: dict = field(default_factory=dict)  # pk -> external id


def _parse_roles(value: str) -> frozenset | None:
    if not value:
        return frozenset()
    roles = set()
    for word in re.split(r"[,;/+|&]", value):
        word = " ".join(word.strip().lower().replace("_", " ").replace("-", " ").split())
        if not word:
            continue
        role = ROLES.get(word)
        if role is None:
            return None
        if role != EMPLOYEE:
            roles.add(role)
    return frozenset(roles)


def previous_import_grants(organisation: Organisation) -> list[list[str]]:
    """The grants the last finished people import made, as [email, role, unit external id]."""
    if organisation.pk is None:
        return []
    job = (
        ImportJob.objects.filter(
            organisation=organisation,
            kind=ImportJob.Kind.PEOPLE,
            status=ImportJob.Status.DONE,
        )
        .order_by("-created_at", "-pk")
        .only("summary")
        .first()
    )
    return list(job.summary.get("grants", [])) if job else []


def _person_details(number: int, cells: list, col: Columns, errors: list, this_year: int):
    """The optional columns of a person's row, parsed; problems go to `errors`."""
    role_text = cell_text(col.get(cells, "role"))
    roles = _parse_roles(role_text)
    if roles is None:
        errors.append(
            RowError(
                number,
                "role",
                _("Unknown role %(value)s. Accepted values: %(accepted)s.")
                % {"value": role_text, "accepted": ", ".join(sorted(ROLES))},
            )
        )
    language_text = cell_text(col.get(cells, "language"))
    language = LANGUAGES.get(language_text.lower(), "") if language_text else ""
    if language_text and not language:
        errors.append(
            RowError(
                number,
                "language",
                _("Unknown language %(value)s. Accepted values: %(accepted)s.")
                % {"value": language_text, "accepted": ", ".join(sorted(LANGUAGES))},
            )
        )
    year_text = cell_text(col.get(cells, "birth_year"))
    birth_year = None
    if year_text:
        birth_year = int(year_text) if year_text.isdigit() else None
        if birth_year is None or not 1900 <= birth_year <= this_year:
            errors.append(
                RowError(
                    number,
                    "birth_year",
                    _("%(value)s is not a birth year between 1900 and %(year)d.")
                    % {"value": year_text, "year": this_year},
                )
            )
    raw_date = col.get(cells, "start_date")
    start_date = None
    if cell_text(raw_date):
        start_date = parse_date(raw_date)
        if start_date is None:
            errors.append(
                RowError(
                    number,
                    "start_date",
                    _("%(value)s is not a date. Write it as 2024-03-01, 01.03.2024 or 01/03/2024.")
                    % {"value": cell_text(raw_date)},
                )
            )
    gender = cell_text(col.get(cells, "gender"))
    too_long(gender, 20, number, "gender", errors)
    return roles, language, birth_year, start_date, gender


def check_people(
    organisation: Organisation,
    table: Table,
    progress: Progress | None = None,
    *,
    total: int = 0,
    partial: bool = False,
) -> tuple[PeoplePlan, list[RowError]]:
    """Validate a people file completely against itself and the organisation's units.

    `partial`: the rows are some of the people (SCIM, an API call, a single sign-on), not
    all of them, so the imported grants are left as they are."""
    errors = check_header(table, PEOPLE_COLUMNS, PEOPLE_OPTIONAL)
    plan = PeoplePlan()
    if errors:
        return plan, errors
    col = Columns(table, PEOPLE_COLUMNS + PEOPLE_OPTIONAL)
    units = {}
    if organisation.pk:
        units = {
            ext: (pk, closed)
            for pk, ext, closed in Unit.objects.filter(organisation=organisation).values_list(
                "pk", "external_id", "closed_at"
            )
        }
    plan.unit_ids = {pk: ext for ext, (pk, _closed) in units.items()}
    first_row: dict[str, int] = {}
    this_year = timezone.localdate().year
    total = total or len(table.rows)
    for done, (number, cells) in enumerate(table.rows, start=1):
        _tick(progress, done, total)
        check_width(table, number, cells, errors)
        n_errors = len(errors)
        email = normalise_email(cell_text(col.get(cells, "email")))
        unit_ext = cell_text(col.get(cells, "unit_id"))
        name = cell_text(col.get(cells, "name"))
        if require_value(email, number, "email", errors):
            if len(email) > 254 or not is_email(email):
                errors.append(
                    RowError(
                        number,
                        "email",
                        _("%(value)s is not a valid e-mail address.") % {"value": email},
                    )
                )
            elif email in first_row:
                errors.append(
                    RowError(
                        number,
                        "email",
                        _(
                            "The e-mail address %(email)s appears twice: in row %(first)d "
                            "and row %(row)d."
                        )
                        % {"email": email, "first": first_row[email], "row": number},
                    )
                )
            else:
                first_row[email] = number
        if require_value(name, number, "name", errors):
            too_long(name, 200, number, "name", errors)
        unit_pk = None
        if require_value(unit_ext, number, "unit_id", errors):
            found = units.get(unit_ext)
            if found is None:
                errors.append(
                    RowError(
                        number,
                        "unit_id",
                        _("There is no unit with unit_id %(id)s. Import the units first.")
                        % {"id": unit_ext},
                    )
                )
            elif found[1] is not None:
                errors.append(
                    RowError(
                        number,
                        "unit_id",
                        _("The unit %(id)s is closed; people cannot be placed in it.")
                        % {"id": unit_ext},
                    )
                )
            else:
                unit_pk = found[0]
        roles, language, birth_year, start_date, gender = _person_details(
            number, cells, col, errors, this_year
        )
        if len(errors) == n_errors:
            plan.people.append(
                PersonRow(
                    number,
                    email,
                    name,
                    unit_pk,
                    language,
                    birth_year,
                    start_date,
                    gender,
                    roles,
                )
            )
            for role in roles:
                plan.grants_wanted.add((email, role, unit_pk if role == MED else None))
    if not table.rows:
        errors.append(RowError(2, "", _("The file has no people.")))
    if not errors and not partial:
        errors.extend(_plan_grants(organisation, plan))
    return plan, errors


def _plan_grants(organisation: Organisation, plan: PeoplePlan) -> list[RowError]:
    """Which grants to add and which earlier imported grants to remove; keep one admin."""
    existing = {}
    if organisation.pk:
        existing = {
            (email, role, unit_id): pk
            for pk, email, role, unit_id in RoleGrant.objects.filter(
                organisation=organisation
            ).values_list("pk", "email", "role", "unit_id")
        }
    by_ext = {ext: pk for pk, ext in plan.unit_ids.items()}
    imported = set()
    for email, role, unit_ext in previous_import_grants(organisation):
        imported.add((email, role, by_ext.get(unit_ext) if unit_ext else None))
    plan.grants_to_add = plan.grants_wanted - existing.keys()
    removed = [key for key in existing if key in imported and key not in plan.grants_wanted]
    plan.grants_to_remove = [existing[key] for key in removed]
    admins_before = {key for key in existing if key[1] == ADMIN}
    admins_after = (admins_before - set(removed)) | {k for k in plan.grants_to_add if k[1] == ADMIN}
    if admins_before and not admins_after:
        return [
            RowError(
                1,
                "role",
                _(
                    "The file takes the admin role from everyone, so nobody could manage the "
                    "organisation. Keep at least one admin in the role column."
                ),
            )
        ]
    return []


def apply_people(
    organisation: Organisation,
    plan: PeoplePlan,
    *,
    by=None,
    progress: Progress | None = None,
    offset: int = 0,
    total: int = 0,
    partial: bool = False,
) -> dict:
    """Create, update and deactivate people and sync imported grants. Call inside a transaction.

    `partial` (rows from `check_people(partial=True)`): people missing from the rows stay."""
    fields = ("name", "unit_id", "language", "birth_year", "start_date", "gender", "active")
    existing = {
        row[0]: (row[1], row[2:])
        for row in Person.objects.filter(organisation=organisation).values_list(
            "email", "pk", *fields
        )
    }
    total = total or len(plan.people)
    now = timezone.now()
    summary = dict.fromkeys(("created", "updated", "reactivated", "deactivated", "unchanged"), 0)
    details = Details(("created", "reactivated", "deactivated", "grants_added", "grants_removed"))
    to_create: list[Person] = []
    to_update: list[Person] = []

    def flush(final: bool = False) -> None:
        if to_create and (final or len(to_create) >= BATCH):
            Person.objects.bulk_create(to_create)
            to_create.clear()
        if to_update and (final or len(to_update) >= BATCH):
            Person.objects.bulk_update(to_update, [*fields, "left_at"], batch_size=BATCH // 2)
            to_update.clear()

    for done, row in enumerate(plan.people, start=1):
        _tick(progress, offset + done, total)
        values = row.values()
        found = existing.get(row.email)
        if found is None:
            to_create.append(
                Person(
                    organisation_id=organisation.pk,
                    email=row.email,
                    name=row.name,
                    unit_id=row.unit_id,
                    language=row.language,
                    birth_year=row.birth_year,
                    start_date=row.start_date,
                    gender=row.gender,
                )
            )
            summary["created"] += 1
            details.add("created", [row.name, row.email])
        elif found[1] != values:
            was_active = found[1][-1]
            to_update.append(
                Person(
                    pk=found[0],
                    organisation_id=organisation.pk,
                    email=row.email,
                    name=row.name,
                    unit_id=row.unit_id,
                    language=row.language,
                    birth_year=row.birth_year,
                    start_date=row.start_date,
                    gender=row.gender,
                    active=True,
                    left_at=None,
                )
            )
            summary["updated"] += 1
            summary["reactivated"] += not was_active
            if not was_active:
                details.add("reactivated", [row.name, row.email])
        else:
            summary["unchanged"] += 1
        flush()
    flush(final=True)
    in_file = {row.email for row in plan.people}
    leaving = [
        pk
        for email, (pk, values) in existing.items()
        if values[-1] and email not in in_file and not partial
    ]
    for start in range(0, len(leaving), BATCH // 2):
        Person.objects.filter(pk__in=leaving[start : start + BATCH // 2]).update(
            active=False, left_at=now
        )
    summary["deactivated"] = len(leaving)
    for email, (_pk, values) in sorted(existing.items(), key=lambda item: item[1][1][0]):
        if values[-1] and email not in in_file:
            details.add("deactivated", [values[0], email])
    unit_names = dict(Unit.objects.filter(organisation=organisation).values_list("pk", "name"))
    removed = RoleGrant.objects.filter(pk__in=plan.grants_to_remove).select_related("unit")
    for grant in removed.order_by("email"):
        unit_name = grant.unit.name if grant.unit else ""
        details.add("grants_removed", [grant.email, grant.role, unit_name])
        audit.record(
            Kind.ROLE_REVOKED, organisation, by, email=grant.email, role=grant.role, unit=unit_name
        )
    for email, role, unit in sorted(plan.grants_to_add, key=str):
        details.add("grants_added", [email, role, unit_names.get(unit, "") if unit else ""])
        audit.record(
            Kind.ROLE_GRANTED,
            organisation,
            by,
            email=email,
            role=role,
            unit=plan.unit_ids.get(unit, ""),
        )
    RoleGrant.objects.filter(pk__in=plan.grants_to_remove).delete()
    RoleGrant.objects.bulk_create(
        [
            RoleGrant(
                organisation=organisation, email=email, role=role, unit_id=unit, granted_by=by
            )
            for email, role, unit in sorted(plan.grants_to_add, key=str)
        ]
    )
    summary["grants_added"] = len(plan.grants_to_add)
    summary["grants_removed"] = len(plan.grants_to_remove)
    summary["details"] = details.as_dict()
    # Remembered so the next import knows which grants it may take back.
    summary["grants"] = sorted(
        [email, role, plan.unit_ids.get(unit, "") if unit else ""]
        for email, role, unit in plan.grants_wanted
    )
    return summary
