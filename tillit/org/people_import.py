"""Importing an organisation's people from CSV or XLSX files: `check_people` validates every
row, `apply_people` writes the plan in one transaction (see `tillit.org.importing` for the three
steps, which the units' import shares).

Role grants have no "source" field, so the grants an import made are recorded in the
summary of the import job (`summary["grants"]`); the next people import removes only those
of them that are gone from the file, never a grant given by hand.
"""

import datetime as dt
import re
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from tillit import audit
from tillit.audit.log import Kind
from tillit.core.models import normalise_email
from tillit.org.importing import BATCH, Details, Progress, tick
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
        tick(progress, done, total)
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
        tick(progress, offset + done, total)
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
