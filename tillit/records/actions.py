"""Ending an organisation: archive it (hidden, read-only, every record kept), restore it, or
delete it for good. A site operator's workflows; each `do_…` owns its transaction.

Archiving comes first because deleting destroys records: a Swedish authority may destroy
public records only under a retention decision, a Danish one needs its archive's approval
(docs/retention.md). Deleting is the second step, on an archived organisation only.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from django.apps import apps
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tillit import audit
from tillit.audit.log import Kind
from tillit.audit.models import AuditEntry
from tillit.core.models import User
from tillit.org.models import Organisation
from tillit.org.operating import delete_organisation_rows
from tillit.surveys.models import Campaign


class OrganisationError(ValueError):
    """An operator action that is not allowed in the organisation's state; nothing changed."""


# What the confirmation page names, in this order; every other row that goes is in the total.
NAMED = (
    ("org.Unit", gettext_lazy("units")),
    ("org.Person", gettext_lazy("people")),
    ("org.RoleGrant", gettext_lazy("roles")),
    ("surveys.Campaign", gettext_lazy("surveys")),
    ("surveys.Invitation", gettext_lazy("survey invitations")),
    ("surveys.Response", gettext_lazy("survey responses")),
    ("results.ResultSnapshot", gettext_lazy("published results")),
    ("programmes.Programme", gettext_lazy("programmes")),
    ("programmes.Artefact", gettext_lazy("artefacts and actions")),
    ("workshop.WorkshopSession", gettext_lazy("workshops")),
    ("steering.Signal", gettext_lazy("steering signals")),
    ("steering.BovlReport", gettext_lazy("reported bøvl")),
    ("examples.GoodExample", gettext_lazy("good examples")),
    ("audit.AuditEntry", gettext_lazy("audit log entries")),
)


def _paths_to_organisation() -> dict[type[models.Model], str]:
    """For every model whose rows are deleted with an organisation, a lookup from the model to
    it along CASCADE foreign keys (found from the models, so a new app's tables are counted
    without anyone remembering to add them)."""
    found: dict[type[models.Model], str] = {Organisation: "pk"}
    queue = deque([(Organisation, "")])
    while queue:
        target, path_to_org = queue.popleft()
        for model in apps.get_models():
            if model in found:
                continue
            for field in model._meta.concrete_fields:
                cascades = field.many_to_one or field.one_to_one
                if not cascades or field.related_model is not target:
                    continue
                if field.remote_field.on_delete is not models.CASCADE:
                    continue
                found[model] = f"{field.name}__{path_to_org}" if path_to_org else field.name
                queue.append((model, found[model]))
                break
    found[AuditEntry] = "organisation"  # SET_NULL, but deleted with it (delete_organisation_rows)
    del found[Organisation]
    return found


@dataclass(frozen=True)
class Holdings:
    """What an organisation holds: named counts for the page, and every row in all."""

    named: list[tuple[str, int]]
    total: int

    counts: dict[str, int]  # by model label, for the audit entry


def holdings(organisation: Organisation) -> Holdings:
    """Count what deleting the organisation would delete (one COUNT per table)."""
    counts = {
        model._meta.label: model._default_manager.filter(**{path: organisation.pk}).count()
        for model, path in _paths_to_organisation().items()
    }
    named = [(str(label), counts.get(model, 0)) for model, label in NAMED]
    return Holdings(named=named, total=sum(counts.values()), counts=counts)


def named_counts(stored: dict[str, int]) -> list[tuple[str, int]]:
    """A deletion entry's stored counts (by model label) in the reader's language."""
    return [(str(label), stored.get(model, 0)) for model, label in NAMED]


def open_campaigns(organisation: Organisation) -> list[Campaign]:
    """The organisation's campaigns that take answers: they stop archiving and deleting."""
    return list(Campaign.objects.filter(organisation=organisation, status=Campaign.Status.OPEN))


def _refuse_while_open(organisation: Organisation) -> None:
    if running := open_campaigns(organisation):
        raise OrganisationError(
            _("%(names)s is still open. Close it first: people are answering.")
            % {"names": ", ".join(c.name for c in running)}
        )


def do_archive_organisation(organisation: Organisation, *, by: User) -> None:
    """Hide an organisation from everyone but the site operators; nothing is deleted."""
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
        if organisation.archived_at is not None:
            return
        _refuse_while_open(organisation)
        organisation.archived_at = timezone.now()
        organisation.save(update_fields=["archived_at"])
        audit.record(Kind.ORGANISATION_ARCHIVED, organisation, by)


def do_restore_organisation(organisation: Organisation, *, by: User) -> None:
    """Bring an archived organisation back, as it was."""
    with transaction.atomic():
        updated = Organisation.objects.filter(pk=organisation.pk, archived_at__isnull=False).update(
            archived_at=None
        )
        if updated:
            audit.record(Kind.ORGANISATION_RESTORED, organisation, by)


def do_delete_organisation(
    organisation: Organisation, *, typed_name: str, reference: str = "", by: User
) -> AuditEntry:
    """Delete an archived organisation and everything in it, when the operator typed its name.
    Returns the audit entry that says so, which outlives it (its organisation is null; the
    name, short name, counts and decision reference are in its detail)."""
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
        if typed_name.strip() != organisation.name:
            raise OrganisationError(
                _("The name you typed is not the organisation's name: nothing was deleted.")
            )
        if organisation.archived_at is None:
            raise OrganisationError(_("Archive the organisation first; then it can be deleted."))
        _refuse_while_open(organisation)
        counted = holdings(organisation)
        name, slug = organisation.name, organisation.slug
        delete_organisation_rows(organisation)
        return audit.record(
            Kind.ORGANISATION_DELETED,
            None,
            by,
            name=f"{name} ({slug})",
            count={model: counted.counts.get(model, 0) for model, _label in NAMED}
            | {"all": counted.total},
            reference=reference.strip(),
        )
