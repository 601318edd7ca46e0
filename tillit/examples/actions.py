"""Workflows of the library: each `do_<verb>` owns its transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from tillit.core.models import User
from tillit.examples.evidence import evidence_for
from tillit.examples.models import (
    Adoption,
    Comment,
    Contact,
    ExamplesRole,
    ExampleVersion,
    FollowUp,
    GoodExample,
    codes,
)
from tillit.org.models import Organisation, Unit
from tillit.programmes.models import Artefact, Programme

# The fields a person edits (the form's and the version's texts).
TEXT_FIELDS = (
    "title",
    "problem",
    "what_changed",
    "story",
    "effort",
    "preconditions",
    "barriers",
    "kind",
    "language",
)
# The seed's areas as a Goda exempel programme's lessons name them.
LESSON_AREAS = {"leadership", "steering", "culture", "work_organisation"}
# A follow-up's answer moves the adoption: behaviour changed means implemented.
STAGE_AFTER = {
    FollowUp.Changed.YES: Adoption.Stage.IMPLEMENTED,
    FollowUp.Changed.PARTLY: Adoption.Stage.TESTING,
}


class NotAllowed(ValueError):
    """A step the workflow does not allow (publishing a draft nobody reviewed …)."""


def search_text(example: GoodExample) -> str:
    """Every searchable text of the example in one string (the title is indexed apart)."""
    parts = [example.problem, example.what_changed, example.story, example.effort]
    parts += [example.preconditions, example.barriers]
    parts += [row.get("answer", "") for row in example.inventory]
    if example.pk:
        parts += [u.name for u in example.units.all()]
    return "\n".join(p for p in parts if p)


def _save(example: GoodExample, units: list[Unit] | None = None) -> GoodExample:
    example.updated_at = timezone.now()
    example.save()
    if units is not None:
        example.units.set(units)
    example.search_text = search_text(example)
    example.save(update_fields=["search_text"])
    return example


def _check_units(organisation: Organisation, units: list[Unit]) -> None:
    if not units:
        raise NotAllowed("an example needs at least one unit")
    if any(u.organisation_id != organisation.pk for u in units):
        raise NotAllowed("units of another organisation")


def _set_values(example: GoodExample, values: dict[str, Any]) -> None:
    for name in TEXT_FIELDS:
        if name in values:
            setattr(example, name, values[name])
    if "areas" in values:
        example.areas = codes(values["areas"])
    if "principles" in values:
        example.principles = codes(values["principles"])
    if "languages" in values:
        example.languages = codes(values["languages"])
    if "origin" in values:
        example.origin = values["origin"]
    if "inventory" in values:
        example.inventory = values["inventory"]


@transaction.atomic
def do_create_example(
    organisation: Organisation, values: dict[str, Any], units: list[Unit], user: User | None
) -> GoodExample:
    """A new draft from the short form (or any other source)."""
    _check_units(organisation, units)
    example = GoodExample(organisation=organisation, author=user)
    _set_values(example, values)
    return _save(example, units)


@transaction.atomic
def do_update_example(
    example: GoodExample, values: dict[str, Any], units: list[Unit] | None, user: User | None
) -> GoodExample:
    """Edit an unpublished example; a published one goes back to draft for its next version."""
    if units is not None:
        _check_units(example.organisation, units)
    _set_values(example, values)
    if "signals" in values:
        example.signals.set(values["signals"])
    if "artefacts" in values:
        example.artefacts.set(values["artefacts"])
    return _save(example, units)


@transaction.atomic
def do_draft_from_programme(programme: Programme, user: User | None) -> list[GoodExample]:
    """A Goda exempel programme's stories become drafts: each story with the programme's
    lessons in the seed's areas as its inventory answers, for the programme's units."""
    artefacts = Artefact.objects.filter(programme=programme)
    lessons = [a for a in artefacts if a.kind == "lesson" and a.data.get("area") in LESSON_AREAS]
    inventory = [
        {"area": a.data["area"], "question": a.title, "answer": a.data.get("detail", "")}
        for a in lessons
    ]
    units = list(programme.units.all())
    drafts = []
    for story in artefacts.filter(kind="story"):
        if GoodExample.objects.filter(source_programme=programme, title=story.title).exists():
            continue  # made from this story before: asking twice makes no second draft
        text = story.data.get("text", "")
        example = GoodExample(
            organisation=programme.organisation,
            author=user,
            title=story.title,
            problem=text.split("\n")[0][:500],
            what_changed="",
            story=text,
            inventory=inventory,
            areas=codes(sorted({row["area"] for row in inventory})),
            language=programme.language,
            languages=codes([programme.language]),
            source_programme=programme,
        )
        _save(example, units)
        drafts.append(example)
    return drafts


@transaction.atomic
def do_propose_from_artefact(artefact: Artefact, user: User | None) -> GoodExample:
    """ "Propose as a good example": a programme's lesson or experiment becomes a draft that
    points to the experiment (its measurements are the example's evidence)."""
    if artefact.kind not in ("lesson", "action"):
        raise NotAllowed("only lessons and experiments are proposed as examples")
    programme = artefact.programme
    units = [artefact.unit] if artefact.unit else list(programme.units.all()) if programme else []
    _check_units(artefact.organisation, units)
    data = artefact.data
    area = data.get("area")
    example = GoodExample(
        organisation=artefact.organisation,
        author=user,
        title=artefact.title,
        problem=data.get("detail", "") or data.get("test_scope", "") or artefact.title,
        what_changed=data.get("what_changes", "") or data.get("detail", ""),
        barriers=data.get("barriers", ""),
        areas=codes([area] if area in LESSON_AREAS else []),
        language=programme.language if programme else artefact.organisation.language,
        source_programme=programme,
    )
    _save(example, units)
    if artefact.kind == "action":
        example.artefacts.add(artefact)
    return example


def _status(example: GoodExample, status: str) -> None:
    example.status = status
    example.updated_at = timezone.now()
    example.save(update_fields=["status", "updated_at"])


@transaction.atomic
def do_submit_for_review(example: GoodExample) -> None:
    """The author hands the draft to the curators."""
    if example.status != GoodExample.Status.DRAFT:
        raise NotAllowed("only a draft is sent for review")
    _status(example, GoodExample.Status.REVIEW)


@transaction.atomic
def do_comment(example: GoodExample, text: str, user: User | None) -> Comment:
    """A comment to the author (or the author's reply)."""
    if not text.strip():
        raise NotAllowed("an empty comment")
    return Comment.objects.create(example=example, author=user, text=text.strip())


@transaction.atomic
def do_return_to_author(example: GoodExample, text: str, user: User | None) -> None:
    """The curator sends the example back to draft with a comment saying what to change."""
    if example.status != GoodExample.Status.REVIEW:
        raise NotAllowed("only an example in review is sent back")
    do_comment(example, text, user)
    _status(example, GoodExample.Status.DRAFT)


def version_data(example: GoodExample) -> dict[str, Any]:
    """What a published version keeps: the texts, areas, units and contact ids – never a
    contact's name, which is read (with its consent) when shown."""
    data = {name: getattr(example, name) for name in TEXT_FIELDS}
    data.update(
        areas=example.areas,
        principles=example.principles,
        inventory=example.inventory,
        units=[u.pk for u in example.units.all()],
        contacts=[c.pk for c in example.contacts.all()],
    )
    return data


@transaction.atomic
def do_publish(example: GoodExample, user: User | None) -> ExampleVersion:
    """Publish a reviewed example as its next version (the earlier ones stay readable)."""
    locked = GoodExample.objects.select_for_update().get(pk=example.pk)
    if locked.status != GoodExample.Status.REVIEW:
        raise NotAllowed("only an example in review is published")
    locked.version += 1
    locked.status = GoodExample.Status.PUBLISHED
    locked.published_at = timezone.now()
    locked.has_evidence = evidence_for(locked).any
    locked.save(update_fields=["version", "status", "published_at", "has_evidence"])
    example.refresh_from_db()
    return ExampleVersion.objects.create(
        example=locked, number=locked.version, data=version_data(locked), published_by=user
    )


@transaction.atomic
def do_reopen(example: GoodExample) -> None:
    """A published example goes back to draft for a new version (the last one stays kept)."""
    if example.status != GoodExample.Status.PUBLISHED:
        raise NotAllowed("only a published example is reopened")
    example.shared = False
    example.save(update_fields=["shared"])
    _status(example, GoodExample.Status.DRAFT)


@transaction.atomic
def do_set_shared(example: GoodExample, shared: bool) -> None:
    """Opt an example in to (or out of) the library other organisations read."""
    if shared and example.status != GoodExample.Status.PUBLISHED:
        raise NotAllowed("only a published example is shared")
    example.shared = shared
    example.save(update_fields=["shared"])


@transaction.atomic
def do_add_contact(
    example: GoodExample, unit: Unit, name: str, email: str, role_title: str, consent: bool
) -> Contact:
    """A contact person; named on pages only with recorded consent."""
    if unit.organisation_id != example.organisation_id:
        raise NotAllowed("a unit of another organisation")
    return Contact.objects.create(
        example=example,
        unit=unit,
        name=name.strip(),
        email=email.strip().lower(),
        role_title=role_title.strip(),
        consent_given_at=timezone.now() if consent else None,
    )


@transaction.atomic
def do_withdraw_consent(contact: Contact) -> None:
    """Consent withdrawn: the name and e-mail are erased, only the unit remains."""
    contact.consent_withdrawn_at = timezone.now()
    contact.name = ""
    contact.email = ""
    contact.role_title = ""
    contact.save()


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


@transaction.atomic
def do_adopt(
    example: GoodExample,
    unit: Unit,
    values: dict[str, Any],
    user: User | None,
    today: dt.date | None = None,
) -> Adoption:
    """A unit adopts an example; its manager is asked after `follow_up_months` months."""
    if example.status != GoodExample.Status.PUBLISHED:
        raise NotAllowed("only a published example is adopted")
    stage = values.get("stage") or Adoption.Stage.CONSIDERING
    if stage == Adoption.Stage.ABANDONED and not values.get("why_abandoned", "").strip():
        raise NotAllowed("say why it was abandoned")
    programme = values.get("programme")
    if programme is not None and programme.organisation_id != unit.organisation_id:
        raise NotAllowed("a programme of another organisation")
    months = values.get("follow_up_months") or 6
    return Adoption.objects.create(
        example=example,
        unit=unit,
        stage=stage,
        why_abandoned=values.get("why_abandoned", ""),
        adapted=values.get("adapted", ""),
        programme=programme,
        follow_up_months=months,
        follow_up_due=_add_months(today or timezone.localdate(), months),
        created_by=user,
    )


@transaction.atomic
def do_answer_follow_up(
    adoption: Adoption, changed: str, result: str, user: User | None
) -> FollowUp:
    """The manager's answer moves the stage: changed → implemented, partly → testing, no →
    stays (or abandoned when it was only being considered); the next ask is set again."""
    if changed not in FollowUp.Changed.values or not result.strip():
        raise NotAllowed("answer both questions")
    stage = STAGE_AFTER.get(changed, adoption.stage)
    if changed == FollowUp.Changed.NO and adoption.stage == Adoption.Stage.CONSIDERING:
        stage = Adoption.Stage.ABANDONED
        adoption.why_abandoned = result.strip()
    adoption.stage = stage
    if stage in (Adoption.Stage.IMPLEMENTED, Adoption.Stage.ABANDONED):
        adoption.follow_up_due = None
    else:
        adoption.follow_up_due = _add_months(timezone.localdate(), adoption.follow_up_months)
    adoption.follow_up_sent_on = None
    adoption.save()
    return FollowUp.objects.create(
        adoption=adoption,
        behaviour_changed=changed,
        result=result.strip(),
        stage_after=stage,
        answered_by=user,
    )


@transaction.atomic
def do_update_adoption(adoption: Adoption, values: dict[str, Any]) -> Adoption:
    """The adopting unit changes its stage or what it adapted."""
    if values.get("stage") == Adoption.Stage.ABANDONED and not values.get("why_abandoned"):
        raise NotAllowed("say why it was abandoned")
    for name in ("stage", "why_abandoned", "adapted", "programme"):
        if name in values:
            setattr(adoption, name, values[name])
    adoption.save()
    return adoption


def do_grant_curator(organisation: Organisation, email: str) -> ExamplesRole:
    """Make `email` a curator of the organisation's library."""
    role, _created = ExamplesRole.objects.get_or_create(
        organisation=organisation, email=email.strip().lower(), role=ExamplesRole.Role.CURATOR
    )
    return role


def do_revoke_curator(role: ExamplesRole) -> None:
    role.delete()
