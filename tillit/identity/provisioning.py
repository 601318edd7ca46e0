"""People created, changed and deactivated one at a time (SCIM, single sign-on, the API).

Every change goes through the file import's own checks and writer (`org.people_import`, with
`partial=True`), so a person from SCIM is validated exactly like a row of an HR file.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tillit.core.models import normalise_email
from tillit.org import people_import, tables
from tillit.org.models import Organisation, Person

# The import's columns a single person can carry; roles stay with the file import and the
# roles page.
FIELDS = ("email", "unit_id", "name", "language", "birth_year", "start_date", "gender")


def _row(person: Person | None, values: dict[str, object]) -> dict[str, str]:
    """The person's import row: the given values over what is stored (absent means keep)."""
    row = dict.fromkeys(FIELDS, "")
    if person is not None:
        row.update(
            email=person.email,
            unit_id=person.unit.external_id,
            name=person.name,
            language=person.language,
            birth_year=str(person.birth_year or ""),
            start_date=person.start_date.isoformat() if person.start_date else "",
            gender=person.gender,
        )
    for key, value in values.items():
        if key in row and value is not None:
            row[key] = str(value)
    return row


def check_people_rows(
    organisation: Organisation, rows: list[dict[str, object]], *, partial: bool = True
) -> tuple[people_import.PeoplePlan, list[tables.RowError]]:
    """Validate people given as dicts of import columns, numbered 1.. as in a request body."""
    columns = list(FIELDS)
    table = tables.Table(
        columns=columns,
        rows=[(number, [row.get(c, "") for c in columns]) for number, row in enumerate(rows, 1)],
    )
    return people_import.check_people(organisation, table, partial=partial)


def save_person(
    organisation: Organisation, values: dict[str, object], *, person: Person | None = None, by=None
) -> Person:
    """Create or change one person; raises `tables.FileErrors` and changes nothing when
    a value is wrong. Without `person`, an existing one is found by e-mail."""
    email = normalise_email(str(values.get("email") or (person.email if person else "")))
    if person is None:
        person = (
            Person.objects.select_related("unit")
            .filter(organisation=organisation, email=email)
            .first()
        )
    row = _row(person, values)
    plan, errors = check_people_rows(organisation, [row])
    if errors:
        raise tables.FileErrors(errors)
    new_email = plan.people[0].email
    if (
        person is not None
        and person.email != new_email
        and Person.objects.filter(organisation=organisation, email=new_email).exists()
    ):
        raise tables.FileErrors(
            [
                tables.RowError(
                    1, "email", _("%(email)s belongs to another person.") % {"email": new_email}
                )
            ]
        )
    with transaction.atomic():
        if person is not None and person.email != new_email:
            # A new e-mail address for the same person (a name change): keep the row.
            Person.objects.filter(pk=person.pk).update(email=plan.people[0].email)
        people_import.apply_people(organisation, plan, by=by, partial=True)
    return Person.objects.select_related("unit").get(
        organisation=organisation, email=plan.people[0].email
    )


def set_active(person: Person, active: bool) -> Person:
    """Deactivate (left the organisation) or reactivate a person; kept, never deleted, so
    earlier invitations and roles still make sense."""
    if person.active != active:
        person.active = active
        person.left_at = None if active else timezone.now()
        person.save(update_fields=["active", "left_at"])
    return person
