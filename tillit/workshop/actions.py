"""A live session's life and the facilitator's controls: start, join, reveal, move between
tools and items, moderate. The participants' writes are in contributing.py, what a session
leaves in the programme (themes, artefacts, the close) in outcomes.py; both build on this one.

Each function owns its transaction and bumps the session's `version` (`touch`), so polls and
event streams know something changed.
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F

from tillit.core import throttle
from tillit.programmes import actions as programme_actions
from tillit.programmes.models import ProgrammeStep
from tillit.workshop.models import (
    CODE_ALPHABET,
    CODE_LENGTH,
    Contribution,
    Participant,
    WorkshopSession,
    hash_token,
)
from tillit.workshop.tools import (
    live_tools_of,
)

MAX_TEXT = 1000


class WorkshopError(ValueError):
    """A write that the rules refuse; the message is shown to the person."""


class StaleEdit(Exception):
    """Someone saved after the writer started editing; nothing was written."""

    def __init__(self, current) -> None:
        super().__init__(f"{type(current).__name__} {current.pk} is at version {current.version}")
        self.current = current


def touch(session: WorkshopSession) -> None:
    """Bump the session's version: every write does, so polls and event streams see it."""
    WorkshopSession.objects.filter(pk=session.pk).update(version=F("version") + 1)


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(code: str) -> str:
    """What a person typed, as a code: upper case, spaces and dashes removed."""
    return "".join(code.split()).replace("-", "").upper()


def do_start_session(step: ProgrammeStep, facilitator) -> WorkshopSession:
    """Open a live session of a step with a fresh join code, its live tools copied."""
    tools = live_tools_of(step.definition)
    if not tools:
        raise WorkshopError("this step has no live tools")
    for _attempt in range(20):
        try:
            with transaction.atomic():
                session = WorkshopSession.objects.create(
                    step=step, facilitator=facilitator, code=_new_code(), tools=tools
                )
                _seed(session)
                if step.status == ProgrammeStep.Status.NOT_STARTED:
                    programme_actions.do_set_step_status(step, ProgrammeStep.Status.IN_PROGRESS)
                return session
        except IntegrityError:
            continue  # the code is in use by another open session: draw again
    raise WorkshopError("no free join code")


def _seed(session: WorkshopSession) -> None:
    """Terms a glossary tool ships with become proposals everyone can respond to."""
    language = session.step.programme.language
    for index, tool in enumerate(session.tools):
        if tool["type"] != "glossary":
            continue
        for term in tool["config"].get("terms", []):
            title = _text(term.get("term"), language) or _text(term.get("text"), language)
            definition = _text(term.get("text"), language) if term.get("term") else ""
            Contribution.objects.create(
                session=session,
                tool=index,
                kind=Contribution.Kind.TERM,
                text=title,
                extra={"definition": definition},
                key=uuid.uuid4(),
            )


def _text(texts, language: str) -> str:
    from tillit.programmes.models import text_for

    return text_for(texts, language) if isinstance(texts, dict) else (texts or "")


def open_session_by_code(code: str) -> WorkshopSession | None:
    """The open session with this code, or None."""
    return (
        WorkshopSession.objects.filter(
            code=normalise_code(code),
            status="open",
            step__programme__organisation__archived_at__isnull=True,
        )
        .select_related("step__programme")
        .first()
    )


def _guess_key(address: str) -> str:
    return throttle.key_for("workshop-code-miss", address)


def may_try_code(address: str) -> bool:
    """False once this client has tried too many codes that open nothing (guessing codes)."""
    return throttle.count(_guess_key(address)) < settings.JOIN_THROTTLE_ATTEMPTS


def record_code_miss(address: str) -> None:
    """Count a code from this client that opened nothing.

    Only misses count: a whole room joins from one school's or office's address at once.
    """
    throttle.hit(_guess_key(address), settings.JOIN_THROTTLE_WINDOW)


@transaction.atomic
def do_join(session: WorkshopSession, name: str, language: str) -> tuple[Participant, str]:
    """Join a session; returns the participant and the cookie token (only its hash is kept)."""
    if not session.is_open:
        raise WorkshopError("closed")
    token = secrets.token_urlsafe(24)
    participant = Participant.objects.create(
        session=session,
        token_hash=hash_token(token),
        display_name=name.strip()[:80],
        language=language,
    )
    touch(session)
    return participant, token


def participant_for(session: WorkshopSession, token: str | None) -> Participant | None:
    """The participant a cookie token belongs to in this session, or None."""
    if not token:
        return None
    return Participant.objects.filter(session=session, token_hash=hash_token(token)).first()


@transaction.atomic
def do_set_name(participant: Participant, name: str) -> Participant:
    """Give or change the name shown with contributions to named tools."""
    participant.display_name = name.strip()[:80]
    participant.save(update_fields=["display_name"])
    touch(participant.session)
    return participant


def check_open(session: WorkshopSession, tool_index: int) -> dict:
    """The tool a participant writes to; WorkshopError when closed or no longer current."""
    if not session.is_open:
        raise WorkshopError("closed")
    if tool_index != session.current:
        raise WorkshopError("moved on")
    return session.tool(tool_index)


@transaction.atomic
def do_hide(contribution: Contribution, hidden: bool = True) -> Contribution:
    """Moderation: hide a contribution from everyone (or show it again)."""
    contribution.hidden = hidden
    contribution.save(update_fields=["hidden"])
    touch(contribution.session)
    return contribution


def _set_state(session: WorkshopSession, index: int, **changes) -> WorkshopSession:
    session = WorkshopSession.objects.select_for_update().get(pk=session.pk)
    state = dict(session.state)
    state[str(index)] = {**session.tool_state(index), **changes}
    session.state = state
    if "item" in changes:
        session.screen_page = 0
    session.version += 1
    session.save(update_fields=["state", "screen_page", "version"])
    return session


@transaction.atomic
def do_reveal(session: WorkshopSession, revealed: bool = True) -> WorkshopSession:
    """Show participants each other's contributions to the current tool (or hide them again)."""
    return _set_state(session, session.current, revealed=revealed)


@transaction.atomic
def do_show_item(session: WorkshopSession, item: int) -> WorkshopSession:
    """Show another card or dilemma of the current tool, its contributions hidden until revealed."""
    config = session.tool().get("config", {})
    size = len(config.get("cards") or config.get("dilemmas") or [])
    if not 0 <= item < size:
        raise WorkshopError("item")
    return _set_state(session, session.current, item=item, revealed=False)


@transaction.atomic
def do_add_dilemma(session: WorkshopSession, left: str, right: str) -> WorkshopSession:
    """Add the group's own dilemma to the current dilemma line and show it."""
    if not left.strip() or not right.strip():
        raise WorkshopError("poles")
    session = WorkshopSession.objects.select_for_update().get(pk=session.pk)
    tool = session.tool()
    if tool.get("type") != "dilemma_line":
        raise WorkshopError("not a dilemma line")
    language = session.step.programme.language
    dilemmas = [
        *tool["config"].get("dilemmas", []),
        {"left": {language: left.strip()}, "right": {language: right.strip()}},
    ]
    tools = list(session.tools)
    tools[session.current] = {**tool, "config": {**tool["config"], "dilemmas": dilemmas}}
    session.tools = tools
    session.save(update_fields=["tools"])
    return _set_state(session, session.current, item=len(dilemmas) - 1, revealed=False)


@transaction.atomic
def do_next_tool(session: WorkshopSession, step: int = 1) -> WorkshopSession:
    """Move everyone to the next (or previous, step=-1) tool."""
    session = WorkshopSession.objects.select_for_update().get(pk=session.pk)
    target = session.current + step
    if not 0 <= target < len(session.tools):
        raise WorkshopError("no such tool")
    session.current = target
    session.screen_page = 0
    session.version += 1
    session.save(update_fields=["current", "screen_page", "version"])
    return session


@transaction.atomic
def do_show_code(session: WorkshopSession, shown: bool) -> WorkshopSession:
    """Show or hide the join code and QR on the presenter screen."""
    WorkshopSession.objects.filter(pk=session.pk).update(show_code=shown, version=F("version") + 1)
    session.refresh_from_db()
    return session


@transaction.atomic
def do_turn_page(session: WorkshopSession, step: int, pages: int) -> WorkshopSession:
    """Show the next (step=1) or previous (step=-1) page of the board on the presenter screen."""
    session = WorkshopSession.objects.select_for_update().get(pk=session.pk)
    page = max(0, min(session.screen_page + step, pages - 1))
    if page != session.screen_page:
        session.screen_page = page
        session.version += 1
        session.save(update_fields=["screen_page", "version"])
    return session
