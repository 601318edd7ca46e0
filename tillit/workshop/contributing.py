"""Participants' writes to the current tool: notes and answers, positions, edits, dots and
consent answers. Each owns its transaction and bumps the session's version (actions.touch).
Posting is idempotent by the client-made key; edits name the version they started from."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F, Sum

from tillit.programmes.models import Artefact
from tillit.workshop.actions import MAX_TEXT, StaleEdit, WorkshopError, check_open, touch
from tillit.workshop.models import (
    ConsentResponse,
    Contribution,
    Participant,
    Theme,
    Vote,
    WorkshopSession,
    owner_mark,
    position_key,
)
from tillit.workshop.tools import RETRO_COLUMNS, SWOT_QUADRANTS, dots_of


@dataclass
class Post:
    """What a participant sends to the current tool."""

    key: uuid.UUID
    text: str
    extra: dict
    # The poster's cookie token: only its mark is stored, so the phone knows its own notes.
    token: str = ""


def do_post_contribution(
    session: WorkshopSession, participant: Participant, tool_index: int, post: Post
) -> Contribution:
    """Store a contribution to the current tool; a replay of the same key returns the stored one."""
    stored = Contribution.objects.filter(key=post.key).first()
    if stored is not None:
        return stored
    with transaction.atomic():
        session = WorkshopSession.objects.get(pk=session.pk)
        tool = check_open(session, tool_index)
        kind, extra = _validated(session, tool, post)
        try:
            with transaction.atomic():
                contribution = Contribution.objects.create(
                    session=session,
                    tool=tool_index,
                    kind=kind,
                    text=post.text.strip()[:MAX_TEXT],
                    extra=extra,
                    author=participant if tool.get("named") else None,
                    key=post.key,
                    mark=owner_mark(post.token, post.key) if post.token else "",
                )
        except IntegrityError:
            # The same key arrived twice at once (a retry racing the original).
            return Contribution.objects.get(key=post.key)
        touch(session)
        return contribution


def _validated(session: WorkshopSession, tool: dict, post: Post) -> tuple[str, dict]:
    """The contribution kind and clean extra fields for a tool; WorkshopError if not allowed."""
    from tillit.workshop.tools import LIVE_TOOLS

    kind = LIVE_TOOLS[tool["type"]].kind
    if not kind or kind == Contribution.Kind.POSITION:
        raise WorkshopError("nothing to post here")
    if not post.text.strip():
        raise WorkshopError("empty")
    extra: dict = {}
    if kind == Contribution.Kind.ANSWER:
        extra["item"] = session.tool_state()["item"]
    elif kind == Contribution.Kind.SWOT:
        if post.extra.get("quadrant") not in dict(SWOT_QUADRANTS):
            raise WorkshopError("quadrant")
        extra["quadrant"] = post.extra["quadrant"]
    elif kind == Contribution.Kind.RETRO:
        if post.extra.get("column") not in dict(RETRO_COLUMNS):
            raise WorkshopError("column")
        extra["column"] = post.extra["column"]
    elif kind in (Contribution.Kind.TERM, Contribution.Kind.RULE):
        extra["definition"] = str(post.extra.get("definition", "")).strip()[:MAX_TEXT]
    return kind, extra


@transaction.atomic
def do_set_position(
    session: WorkshopSession,
    participant: Participant,
    tool_index: int,
    position: int,
    comment: str,
    token: str,
) -> Contribution:
    """Place the participant on the current dilemma's line (0 = left pole, 100 = right pole);
    one position per phone and dilemma, found again by the phone's `token`."""
    session = WorkshopSession.objects.get(pk=session.pk)
    check_open(session, tool_index)
    if not 0 <= position <= 100:
        raise WorkshopError("position")
    item = session.tool_state(tool_index)["item"]
    if not token:
        raise WorkshopError("no token")
    key = position_key(token, tool_index, item)
    contribution, _created = Contribution.objects.update_or_create(
        key=key,
        defaults={
            "session": session,
            "tool": tool_index,
            "kind": Contribution.Kind.POSITION,
            "text": comment.strip()[:MAX_TEXT],
            "extra": {"item": item, "position": position},
        },
    )
    touch(session)
    return contribution


@transaction.atomic
def do_edit_contribution(
    contribution: Contribution, text: str, base_version: int, extra: dict | None = None
) -> Contribution:
    """Save an edit that started from `base_version`; StaleEdit if someone saved in between."""
    if not text.strip():
        raise WorkshopError("empty")
    values = {"text": text.strip()[:MAX_TEXT], "version": F("version") + 1}
    if extra is not None:
        values["extra"] = {**contribution.extra, **extra}
    updated = Contribution.objects.filter(pk=contribution.pk, version=base_version).update(**values)
    if not updated:
        raise StaleEdit(Contribution.objects.get(pk=contribution.pk))
    touch(contribution.session)
    contribution.refresh_from_db()
    return contribution


def vote_targets(session: WorkshopSession, tool_index: int) -> tuple[str, list]:
    """What a dot-voting tool votes on: ("theme", themes of the latest board before it) or
    ("artefact", the programme's artefacts of the configured kind)."""
    tool = session.tool(tool_index)
    for index in range(tool_index - 1, -1, -1):
        if session.tools[index]["type"] == "brainstorm":
            themes = list(Theme.objects.filter(session=session, tool=index))
            if themes:
                return "theme", themes
            break
    kind = tool.get("config", {}).get("of") or "challenge"
    return "artefact", list(
        Artefact.objects.filter(programme=session.step.programme, kind=kind).order_by("pk")
    )


def do_vote(
    session: WorkshopSession, participant: Participant, tool_index: int, target, delta: int
) -> Vote:
    """Add (delta=1) or take back (delta=-1) a dot; a participant has N dots per tool (per SWOT
    quadrant), checked under a lock on the participant so parallel clicks cannot exceed it."""
    if delta not in (1, -1):
        raise WorkshopError("delta")
    with transaction.atomic():
        participant = Participant.objects.select_for_update().get(pk=participant.pk)
        session = WorkshopSession.objects.get(pk=session.pk)
        tool = check_open(session, tool_index)
        scope, field = _vote_scope(session, tool, tool_index, target)
        vote, _created = Vote.objects.get_or_create(
            participant=participant,
            tool=tool_index,
            **{field: target},
            defaults={"session": session, "scope": scope},
        )
        if delta > 0:
            used = (
                Vote.objects.filter(participant=participant, scope=scope).aggregate(n=Sum("count"))[
                    "n"
                ]
                or 0
            )
            if used >= dots_of(tool):
                raise WorkshopError("no dots left")
        elif vote.count == 0:
            return vote
        vote.count += delta
        vote.save(update_fields=["count"])
        touch(session)
        return vote


def _vote_scope(session, tool: dict, tool_index: int, target) -> tuple[str, str]:
    if tool["type"] == "dot_voting":
        what, targets = vote_targets(session, tool_index)
        if target not in targets:
            raise WorkshopError("target")
        return str(tool_index), what
    if tool["type"] == "swot" and isinstance(target, Contribution):
        if target.session_id != session.pk or target.tool != tool_index or target.hidden:
            raise WorkshopError("target")
        return f"{tool_index}:{target.extra.get('quadrant')}", "contribution"
    raise WorkshopError("no voting here")


@transaction.atomic
def do_consent(
    participant: Participant, contribution: Contribution, answer: str, reason: str
) -> ConsentResponse:
    """Answer an agreement (glossary) or consent (game rules) round; an objection needs a reason."""
    session = WorkshopSession.objects.get(pk=contribution.session_id)
    check_open(session, contribution.tool)
    if contribution.kind not in (Contribution.Kind.TERM, Contribution.Kind.RULE):
        raise WorkshopError("target")
    if answer not in ConsentResponse.Answer.values:
        raise WorkshopError("answer")
    if answer == ConsentResponse.Answer.OBJECT and not reason.strip():
        raise WorkshopError("reason")
    response, _created = ConsentResponse.objects.update_or_create(
        participant=participant,
        contribution=contribution,
        defaults={"answer": answer, "reason": reason.strip()[:MAX_TEXT]},
    )
    touch(session)
    return response


def is_consented(contribution: Contribution) -> bool:
    """Consented: someone answered and nobody objects."""
    answers = [c.answer for c in contribution.consents.all()]
    return bool(answers) and ConsentResponse.Answer.OBJECT not in answers
