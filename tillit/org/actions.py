"""Workflows that change the unit tree. Imports and the edit form both go through here, so
every change is validated the same way and leaves the same history."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tillit.org.models import Unit, UnitChange


class TreeError(ValueError):
    """A change that would break the tree (a cycle, a parent in another organisation)."""


@dataclass
class UnitFields:
    """The editable facts of a unit, as a file row or a form gives them."""

    name: str
    parent: Unit | None
    unit_type: str = ""
    cost_centre: str = ""
    manager_email: str = ""


def check_parent(unit: Unit, parent: Unit | None) -> None:
    """Refuse a parent that is the unit itself, lies below it, or belongs elsewhere."""
    if parent is None:
        return
    if parent.organisation_id != unit.organisation_id:
        raise TreeError(_("The parent unit belongs to another organisation."))
    if unit.pk and parent.is_within(unit):
        raise TreeError(
            _("%(parent)s lies below %(unit)s, so it cannot be its parent.")
            % {"parent": parent.name, "unit": unit.name}
        )


def do_update_unit(
    unit: Unit, fields: UnitFields, *, by=None, source: str = ""
) -> list[UnitChange]:
    """Apply new facts to a unit, moving its subtree when the parent changes; log each change."""
    check_parent(unit, fields.parent)
    changes: list[UnitChange] = []

    def log(kind: str, field: str, old: object, new: object) -> None:
        changes.append(
            UnitChange(
                unit=unit,
                kind=kind,
                field=field,
                old_value=str(old or "")[:255],
                new_value=str(new or "")[:255],
                changed_by=by,
                source=source,
            )
        )

    if fields.name != unit.name:
        log(UnitChange.Kind.RENAMED, "name", unit.name, fields.name)
    new_parent_id = fields.parent.pk if fields.parent else None
    if new_parent_id != unit.parent_id:
        old_parent = unit.parent.external_id if unit.parent_id else ""
        log(
            UnitChange.Kind.MOVED,
            "parent",
            old_parent,
            fields.parent.external_id if fields.parent else "",
        )
    for field in ("unit_type", "cost_centre", "manager_email"):
        old, new = getattr(unit, field), getattr(fields, field)
        if field == "manager_email":
            new = (new or "").strip().lower()
        if old != new:
            log(UnitChange.Kind.EDITED, field, old, new)
    if not changes:
        return []
    with transaction.atomic():
        unit.name = fields.name
        unit.parent = fields.parent
        unit.unit_type = fields.unit_type
        unit.cost_centre = fields.cost_centre
        unit.manager_email = fields.manager_email
        unit.save()
        UnitChange.objects.bulk_create(changes)
    return changes


def do_close_unit(unit: Unit, *, by=None, source: str = "") -> bool:
    """Close a unit; it stays in the tree for old results. False if it was already closed.

    Refused while open units lie below it: an open unit under a closed one would have no
    place in today's tree.
    """
    if unit.closed_at is not None:
        return False
    open_children = unit.children.filter(closed_at__isnull=True).count()
    if open_children:
        raise TreeError(
            ngettext(
                "%(unit)s still has %(n)d open unit below it. Close or move it first.",
                "%(unit)s still has %(n)d open units below it. Close or move them first.",
                open_children,
            )
            % {"unit": unit.name, "n": open_children}
        )
    with transaction.atomic():
        unit.closed_at = timezone.now()
        unit.save(update_fields=["closed_at"])
        UnitChange.objects.create(
            unit=unit, kind=UnitChange.Kind.CLOSED, changed_by=by, source=source
        )
    return True


def do_reopen_unit(unit: Unit, *, by=None, source: str = "") -> bool:
    """Reopen a closed unit. False if it was open. Refused while the unit above is closed."""
    if unit.closed_at is None:
        return False
    if unit.parent_id and unit.parent.is_closed:
        raise TreeError(
            _("%(parent)s, the unit above, is closed. Reopen it first.")
            % {"parent": unit.parent.name}
        )
    with transaction.atomic():
        unit.closed_at = None
        unit.save(update_fields=["closed_at"])
        UnitChange.objects.create(
            unit=unit, kind=UnitChange.Kind.REOPENED, changed_by=by, source=source
        )
    return True


def do_create_unit(
    organisation, external_id: str, fields: UnitFields, *, by=None, source: str = ""
) -> Unit:
    """Create a unit and log its birth."""
    with transaction.atomic():
        unit = Unit(
            organisation=organisation,
            external_id=external_id,
            name=fields.name,
            parent=fields.parent,
            unit_type=fields.unit_type,
            cost_centre=fields.cost_centre,
            manager_email=fields.manager_email,
        )
        check_parent(unit, fields.parent)
        unit.save()
        UnitChange.objects.create(
            unit=unit,
            kind=UnitChange.Kind.CREATED,
            new_value=unit.name,
            changed_by=by,
            source=source,
        )
    return unit
