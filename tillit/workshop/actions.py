"""Every write of the live workshop: joining, posting, voting, moderating, themes, artefacts.

Each function owns its transaction and bumps the session's `version`, so polls know something
changed. Posting is idempotent by the client-made key; edits name the version they started from.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from tillit.core import throttle
from tillit.programmes import actions as programme_actions
from tillit.programmes.catalogue import ARTEFACT_KINDS
from tillit.programmes.models import Artefact, ProgrammeStep
from tillit.workshop.models import (
    CODE_ALPHABET,
    CODE_LENGTH,
    ConsentResponse,
    Contribution,
    Participant,
    Theme,
    Vote,
    WorkshopSession,
    hash_token,
    owner_mark,
    position_key,
)
from tillit.workshop.tools import (
    RETRO_COLUMNS,
    SWOT_QUADRANTS,
    THEME_ARTEFACT_KINDS,
    dots_of,
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


def _touch(session: WorkshopSession) -> None:
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
        WorkshopSession.objects.filter(code=normalise_code(code), status="open")
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
    _touch(session)
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
    _touch(participant.session)
    return participant


@dataclass
class Post:
    """What a participant sends to the current tool."""

    key: uuid.UUID
    text: str
    extra: dict
    # The poster's cookie token: only its mark is stored, so the phone knows its own notes.
    token: str = ""


def _check_open(session: WorkshopSession, tool_index: int) -> dict:
    if not session.is_open:
        raise WorkshopError("closed")
    if tool_index != session.current:
        raise WorkshopError("moved on")
    return session.tool(tool_index)


def do_post_contribution(
    session: WorkshopSession, participant: Participant, tool_index: int, post: Post
) -> Contribution:
    """Store a contribution to the current tool; a replay of the same key returns the stored one."""
    stored = Contribution.objects.filter(key=post.key).first()
    if stored is not None:
        return stored
    with transaction.atomic():
        session = WorkshopSession.objects.get(pk=session.pk)
        tool = _check_open(session, tool_index)
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
        _touch(session)
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
    _check_open(session, tool_index)
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
    _touch(session)
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
    _touch(contribution.session)
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
        tool = _check_open(session, tool_index)
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
        _touch(session)
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


def votes_used(participant: Participant, scope: str) -> int:
    """Dots the participant has placed in a scope."""
    return (
        Vote.objects.filter(participant=participant, scope=scope).aggregate(n=Sum("count"))["n"]
        or 0
    )


@transaction.atomic
def do_consent(
    participant: Participant, contribution: Contribution, answer: str, reason: str
) -> ConsentResponse:
    """Answer an agreement (glossary) or consent (game rules) round; an objection needs a reason."""
    session = WorkshopSession.objects.get(pk=contribution.session_id)
    _check_open(session, contribution.tool)
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
    _touch(session)
    return response


def is_consented(contribution: Contribution) -> bool:
    """Consented: someone answered and nobody objects."""
    answers = [c.answer for c in contribution.consents.all()]
    return bool(answers) and ConsentResponse.Answer.OBJECT not in answers


# --- facilitator -----------------------------------------------------------------------


@transaction.atomic
def do_hide(contribution: Contribution, hidden: bool = True) -> Contribution:
    """Moderation: hide a contribution from everyone (or show it again)."""
    contribution.hidden = hidden
    contribution.save(update_fields=["hidden"])
    _touch(contribution.session)
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


@transaction.atomic
def do_create_theme(session: WorkshopSession, tool_index: int, title: str) -> Theme:
    """Add a theme to a brainstorm board."""
    if not title.strip():
        raise WorkshopError("empty")
    order = Theme.objects.filter(session=session, tool=tool_index).count()
    theme = Theme.objects.create(
        session=session, tool=tool_index, title=title.strip()[:200], order=order
    )
    _touch(session)
    return theme


@transaction.atomic
def do_rename_theme(theme: Theme, title: str, base_version: int) -> Theme:
    """Rename a theme from `base_version`; StaleEdit if someone renamed it meanwhile."""
    if not title.strip():
        raise WorkshopError("empty")
    updated = Theme.objects.filter(pk=theme.pk, version=base_version).update(
        title=title.strip()[:200], version=F("version") + 1
    )
    if not updated:
        raise StaleEdit(Theme.objects.get(pk=theme.pk))
    _touch(theme.session)
    theme.refresh_from_db()
    return theme


@transaction.atomic
def do_move_to_theme(contribution: Contribution, theme: Theme | None) -> Contribution:
    """Put a note in a theme of its own board (None: back to the unsorted notes)."""
    if theme is not None and (
        theme.session_id != contribution.session_id or theme.tool != contribution.tool
    ):
        raise WorkshopError("theme")
    contribution.theme = theme
    contribution.save(update_fields=["theme"])
    Contribution.objects.filter(merged_into=contribution).update(theme=theme)
    _touch(contribution.session)
    return contribution


@transaction.atomic
def do_merge(duplicate: Contribution, into: Contribution) -> Contribution:
    """Merge a duplicate note into another: it is kept (nothing lost) but shown as one."""
    if (
        duplicate.pk == into.pk
        or duplicate.session_id != into.session_id
        or duplicate.tool != into.tool
        or into.merged_into_id is not None
    ):
        raise WorkshopError("merge")
    Contribution.objects.filter(merged_into=duplicate).update(merged_into=into, theme=into.theme)
    duplicate.merged_into = into
    duplicate.theme = into.theme
    duplicate.save(update_fields=["merged_into", "theme"])
    _touch(duplicate.session)
    return into


def theme_dots(theme: Theme) -> int:
    """All dots on a theme, from every voting tool of the session."""
    return Vote.objects.filter(theme=theme).aggregate(n=Sum("count"))["n"] or 0


def priority_for(dots: int, most: int) -> str:
    """Dots as a priority: high from two thirds of the top count, medium from one third."""
    if dots <= 0 or most <= 0:
        return "low"
    if dots * 3 >= most * 2:
        return "high"
    if dots * 3 >= most:
        return "medium"
    return "low"


def theme_texts(theme: Theme) -> list[str]:
    """Every different text of a theme's notes, a merged duplicate's right after the note it
    was merged into: merging tidies the board, it never drops what someone wrote."""
    notes = list(theme.notes.filter(hidden=False).order_by("created_at", "pk"))
    duplicates: dict[int, list[Contribution]] = {}
    for note in notes:
        if note.merged_into_id is not None:
            duplicates.setdefault(note.merged_into_id, []).append(note)
    texts: list[str] = []
    shown = {note.pk for note in notes if note.merged_into_id is None}
    for note in notes:
        # A duplicate of a hidden note stands on its own: it was not hidden itself.
        if note.merged_into_id is None or note.merged_into_id not in shown:
            group = [note, *duplicates.get(note.pk, [])] if note.pk in shown else [note]
            for text in (n.text for n in group):
                if text not in texts:
                    texts.append(text)
    return texts


def _theme_values(theme: Theme, kind: str, priority: str) -> dict:
    notes = "\n".join(f"– {text}" for text in theme_texts(theme))
    values = {"title": theme.title}
    if kind == "challenge":
        values.update({"hindrance": notes, "priority": priority})
    elif kind == "solution":
        values.update({"wanted_effect": notes})
    elif kind == "lesson":
        values.update({"area": "other", "detail": notes})
    return values


@transaction.atomic
def do_theme_to_artefact(theme: Theme, kind: str, user) -> Artefact:
    """Turn a theme into a challenge, solution or lesson of the programme; its dots across the
    session's votes set the priority (a theme already turned is updated, not duplicated)."""
    if kind not in THEME_ARTEFACT_KINDS:
        raise WorkshopError("kind")
    theme = Theme.objects.select_for_update().get(pk=theme.pk)
    session = theme.session
    most = max((theme_dots(t) for t in Theme.objects.filter(session=session)), default=0)
    priority = priority_for(theme_dots(theme), most)
    values = _theme_values(theme, kind, priority)
    if theme.artefact is not None and theme.artefact.kind == kind:
        artefact = theme.artefact
        merged = {**artefact.values(), **values}
        artefact = programme_actions.do_update_artefact(artefact, merged, artefact.version, user)
    else:
        artefact = programme_actions.do_create_artefact(
            session.step.programme, session.step.step_id, kind, values, user
        )
        theme.artefact = artefact
        theme.save(update_fields=["artefact"])
    _touch(session)
    return artefact


@transaction.atomic
def do_store_priorities(session: WorkshopSession, tool_index: int, user) -> list[Artefact]:
    """Store a dot vote's result: themes become (or update) artefacts with their priority;
    voted artefacts get their priority where their kind has one."""
    what, targets = vote_targets(session, tool_index)
    stored = []
    if what == "theme":
        board = session.tools[targets[0].tool] if targets else {}
        kind = board.get("config", {}).get("produces") or "challenge"
        kind = kind if kind in THEME_ARTEFACT_KINDS else "challenge"
        for theme in targets:
            stored.append(do_theme_to_artefact(theme, kind, user))
        return stored
    counts = {
        a.pk: Vote.objects.filter(artefact=a, tool=tool_index).aggregate(n=Sum("count"))["n"] or 0
        for a in targets
    }
    most = max(counts.values(), default=0)
    for artefact in targets:
        if not any(f.name == "priority" for f in ARTEFACT_KINDS[artefact.kind].fields):
            continue
        values = {**artefact.values(), "priority": priority_for(counts[artefact.pk], most)}
        stored.append(
            programme_actions.do_update_artefact(artefact, values, artefact.version, user)
        )
    _touch(session)
    return stored


@transaction.atomic
def do_close_session(session: WorkshopSession, user) -> list[Artefact]:
    """Close the session: agreed glossary terms and consented game rules become artefacts."""
    session = WorkshopSession.objects.select_for_update().get(pk=session.pk)
    if not session.is_open:
        return []
    made = []
    proposals = (
        session.contributions.filter(
            kind__in=(Contribution.Kind.TERM, Contribution.Kind.RULE),
            hidden=False,
            merged_into__isnull=True,
        )
        .prefetch_related("consents")
        .order_by("pk")
    )
    programme, step_id = session.step.programme, session.step.step_id
    for proposal in proposals:
        if not is_consented(proposal):
            continue
        definition = proposal.extra.get("definition", "")
        if proposal.kind == Contribution.Kind.TERM:
            kind, values = "glossary_term", {"title": proposal.text, "definition": definition}
        else:
            kind, values = "game_rule", {"title": proposal.text, "why": definition}
        made.append(programme_actions.do_create_artefact(programme, step_id, kind, values, user))
    session.status = WorkshopSession.Status.CLOSED
    session.closed_at = timezone.now()
    session.version += 1
    session.save(update_fields=["status", "closed_at", "version"])
    return made


@dataclass
class Saved:
    """What a closed session left behind, for the facilitator's closing message."""

    contributions: int
    participants: int
    artefacts: int


def saved_by(session: WorkshopSession, made: list[Artefact]) -> Saved:
    """Counts of what the session stored: contributions kept (merged duplicates included,
    hidden ones not), participants, and the programme's artefacts it recorded."""
    from_themes = set(
        Theme.objects.filter(session=session, artefact__isnull=False).values_list(
            "artefact", flat=True
        )
    )
    return Saved(
        contributions=Contribution.objects.filter(session=session, hidden=False).count(),
        participants=Participant.objects.filter(session=session).count(),
        artefacts=len(from_themes | {a.pk for a in made}),
    )
