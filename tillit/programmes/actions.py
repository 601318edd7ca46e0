"""Business rules of programmes: starting one, step status, participants, sessions and artefacts.

Live workshop tools write artefacts through `do_create_artefact` and `do_update_artefact` too,
so the version check and the schema apply to every writer.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tillit.core.models import normalise_email
from tillit.org.models import Person, Unit
from tillit.programmes.catalogue import ARTEFACT_KINDS
from tillit.programmes.models import (
    Artefact,
    Participant,
    Programme,
    ProgrammeStep,
    ProgrammeTemplate,
    Session,
    TemplateVersion,
    text_for,
)


class StaleEdit(Exception):
    """Someone else saved the artefact after the writer started editing; nothing was written."""

    def __init__(self, current: Artefact) -> None:
        super().__init__(f"artefact {current.pk} is at version {current.version}")
        self.current = current


RESULTS_DIALOGUE = "resultatdialog"


def do_start_results_dialogue(*, campaign, unit: Unit, created_by) -> Programme:
    """A results dialogue for one unit about one closed survey, in the organisation's language;
    its results step shows that survey's published figures for the unit."""
    template = ProgrammeTemplate.objects.filter(slug=RESULTS_DIALOGUE).first()
    version = template.latest() if template else None
    if version is None:
        raise ValueError("the results dialogue template is not installed")
    if campaign.organisation_id != unit.organisation_id:
        raise ValueError("survey and unit of different organisations")
    language = unit.organisation.language
    with transaction.atomic():
        with translation.override(language):
            title = _("Results dialogue: %(unit)s, %(survey)s") % {
                "unit": unit.name,
                "survey": campaign.name,
            }
        programme = do_start_programme(
            organisation=unit.organisation,
            template_version=version,
            title=title[:200],
            language=language,
            units=[unit],
            created_by=created_by,
        )
        programme.campaign = campaign
        programme.save(update_fields=["campaign"])
    return programme


@transaction.atomic
def do_start_programme(
    *,
    organisation,
    template_version: TemplateVersion,
    title: str,
    language: str,
    units: list[Unit],
    created_by,
) -> Programme:
    """Start a programme for one or several units; the starter becomes its facilitator."""
    if not units or any(u.organisation_id != organisation.pk for u in units):
        raise ValueError("a programme needs units of its own organisation")
    programme = Programme.objects.create(
        organisation=organisation,
        template_version=template_version,
        title=title.strip(),
        language=language,
        created_by=created_by,
    )
    programme.units.set(units)
    ProgrammeStep.objects.bulk_create(
        ProgrammeStep(programme=programme, step_id=step["id"], position=index)
        for index, step in enumerate(template_version.definition["steps"])
    )
    if created_by is not None:
        do_add_participant(
            programme,
            created_by.email,
            getattr(created_by, "name", ""),
            Participant.Role.FACILITATOR,
        )
    return programme


def do_set_step_status(step: ProgrammeStep, status: str) -> ProgrammeStep:
    """Set a step's status; `done_at` records when it was (last) marked done."""
    if status not in ProgrammeStep.Status.values:
        raise ValueError(status)
    step.status = status
    step.done_at = timezone.now() if status == ProgrammeStep.Status.DONE else None
    step.save(update_fields=["status", "done_at"])
    return step


def do_set_finished(programme: Programme, finished: bool) -> bool:
    """Finish the programme, or make a finished one run again; False when it already was so
    (a second click changes nothing). Its artefacts stay as they are: open actions are still
    followed up where they are owned."""
    now, before = Programme.Status.DONE, Programme.Status.ACTIVE
    if not finished:
        now, before = before, now
    changed = Programme.objects.filter(pk=programme.pk, status=before).update(
        status=now, finished_at=timezone.now() if finished else None
    )
    programme.refresh_from_db(fields=["status", "finished_at"])
    return bool(changed)


def do_set_checklist(step: ProgrammeStep, ticked: list[int]) -> ProgrammeStep:
    """Store which checklist points are ticked (indexes into the step's checklist)."""
    size = len(step.definition.get("checklist", []))
    step.checked = sorted({i for i in ticked if 0 <= i < size})
    if step.checked and step.status == ProgrammeStep.Status.NOT_STARTED:
        step.status = ProgrammeStep.Status.IN_PROGRESS
    step.save(update_fields=["checked", "status"])
    return step


def do_add_participant(
    programme: Programme, email: str, name: str, role: str, *, invite: bool = False
) -> Participant:
    """Add someone (or change their role); linked to the organisation's person with that e-mail.
    With `invite`, a newcomer gets the invitations of the programme's coming sessions."""
    email = normalise_email(email)
    person = Person.objects.filter(organisation=programme.organisation, email=email).first()
    participant, created = Participant.objects.update_or_create(
        programme=programme,
        email=email,
        defaults={"name": name or (person.name if person else ""), "role": role, "person": person},
    )
    if invite and created:
        from tillit.programmes import mailing

        transaction.on_commit(lambda: mailing.welcome_participant(participant))
    return participant


def do_remove_participant(participant: Participant) -> None:
    """Remove someone from a programme (their artefacts stay)."""
    participant.delete()


def default_agenda(step: ProgrammeStep) -> str:
    """A session agenda in the programme's language: purpose, tools, checklist."""
    from django.utils import translation

    from tillit.programmes.catalogue import TOOL_TYPES

    programme, definition = step.programme, step.definition
    lines = [programme.text(definition.get("title")), "", programme.text(definition.get("purpose"))]
    with translation.override(programme.language):
        for tool in definition.get("tools", []):
            label = programme.text(tool.get("title")) or str(TOOL_TYPES[tool["type"]].label)
            lines.append(f"- {label} ({TOOL_TYPES[tool['type']].minutes} min)")
    for item in definition.get("checklist", []):
        lines.append(f"[ ] {text_for(item, programme.language)}")
    return "\n".join(lines).strip()


def do_plan_session(
    step: ProgrammeStep, date: datetime.datetime, place: str, agenda: str = ""
) -> Session:
    """Plan a session of a step (an empty agenda is filled from the step) and invite the
    programme's participants by e-mail with an .ics, after the commit."""
    from tillit.programmes import mailing

    session = Session.objects.create(
        step=step, date=date, place=place.strip(), agenda=agenda.strip() or default_agenda(step)
    )
    transaction.on_commit(lambda: mailing.invite_to_session(session))
    return session


def _split(kind: str, values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Schema values → (model columns, JSON data); dates become ISO text in data."""
    columns, data = {}, {}
    for field in ARTEFACT_KINDS[kind].fields:
        value = values.get(field.name)
        if field.column:
            columns[field.name] = (
                normalise_email(value) if field.type in ("email", "person") else value
            )
            if field.type in ("text", "choice") and value is None:
                columns[field.name] = ""
        else:
            if isinstance(value, datetime.date):
                value = value.isoformat()
            if field.type == "ref" and value is not None:
                value = int(value)
            if value not in (None, ""):
                data[field.name] = value
    return columns, data


@transaction.atomic
def do_create_artefact(
    programme: Programme,
    step_id: str,
    kind: str,
    values: dict[str, Any],
    user,
    unit: Unit | None = None,
    *,
    notify: bool = True,
) -> Artefact:
    """Record an artefact produced in a step (values as the kind's form cleans them); an
    action's owner is told by e-mail unless `notify` is off (the demo)."""
    if kind not in ARTEFACT_KINDS:
        raise ValueError(kind)
    columns, data = _split(kind, values)
    if unit is None:
        unit = programme.units.order_by("depth", "pk").first()
    artefact = Artefact.objects.create(
        organisation=programme.organisation,
        programme=programme,
        step_id=step_id,
        unit=unit,
        kind=kind,
        data=data,
        created_by=user,
        updated_by=user,
        **columns,
    )
    if artefact.owner_email and notify:
        _tell_owner_after_commit(artefact)
    return artefact


def _tell_owner_after_commit(artefact: Artefact) -> None:
    # After the commit: an owner must never hear of an action that was rolled back.
    from tillit.programmes import mailing

    transaction.on_commit(lambda: mailing.tell_owner(artefact))


@transaction.atomic
def do_update_artefact(
    artefact: Artefact, values: dict[str, Any], base_version: int, user
) -> Artefact:
    """Save an edit that started from `base_version`; raise StaleEdit if someone saved meanwhile.

    The check and the write are one conditional UPDATE, so two writers from the same version
    cannot both succeed, whatever the timing.
    """
    columns, data = _split(artefact.kind, values)
    before = (artefact.owner_email, artefact.due_date)
    updated = Artefact.objects.filter(pk=artefact.pk, version=base_version).update(
        data=data,
        version=F("version") + 1,
        updated_by=user,
        updated_at=timezone.now(),
        **columns,
    )
    if not updated:
        raise StaleEdit(Artefact.objects.get(pk=artefact.pk))
    artefact.refresh_from_db()
    if artefact.owner_email and (artefact.owner_email, artefact.due_date) != before:
        _tell_owner_after_commit(artefact)  # a new owner, or a new date to keep
    return artefact


@transaction.atomic
def do_add_measurement(
    action: Artefact, label: str, before: str, after: str, unit: str, user
) -> Artefact:
    """Add a before/after measurement to an action (appended, so it never conflicts)."""
    action = Artefact.objects.select_for_update().get(pk=action.pk)
    action.measurements = [
        *action.measurements,
        {
            "label": label.strip(),
            "before": before.strip(),
            "after": after.strip(),
            "unit": unit.strip(),
        },
    ]
    action.version += 1
    action.updated_by = user
    action.updated_at = timezone.now()
    action.save(update_fields=["measurements", "version", "updated_by", "updated_at"])
    return action


@transaction.atomic
def do_add_log_entry(
    action: Artefact, text: str, user, date: datetime.date | None = None
) -> Artefact:
    """Add a logbook entry to an action (appended, so it never conflicts)."""
    action = Artefact.objects.select_for_update().get(pk=action.pk)
    entry = {
        "date": (date or timezone.localdate()).isoformat(),
        "text": text.strip(),
        "by": getattr(user, "email", "") or "",
    }
    action.logbook = [*action.logbook, entry]
    action.version += 1
    action.updated_by = user
    action.updated_at = timezone.now()
    action.save(update_fields=["logbook", "version", "updated_by", "updated_at"])
    return action


def do_set_action_status(action: Artefact, status: str, base_version: int, user) -> Artefact:
    """Change an action's status, with the same version check as any edit."""
    values = {**action.values(), "status": status}
    return do_update_artefact(action, values, base_version, user)


def unit_actions(*units: Unit):
    """The actions of units, to be shown with their next results (a results dialogue's step)."""
    return Artefact.objects.filter(unit__in=units, kind="action").order_by("due_date", "pk")
