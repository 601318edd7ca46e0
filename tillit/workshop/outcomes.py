"""What a workshop leaves in its programme: the board's themes, turned into artefacts with
the dots' priorities, and the close that records agreed terms and consented rules."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from tillit.programmes import actions as programme_actions
from tillit.programmes.catalogue import ARTEFACT_KINDS
from tillit.programmes.models import Artefact
from tillit.workshop.actions import StaleEdit, WorkshopError, touch
from tillit.workshop.contributing import is_consented, vote_targets
from tillit.workshop.models import Contribution, Participant, Theme, Vote, WorkshopSession
from tillit.workshop.tools import THEME_ARTEFACT_KINDS


@transaction.atomic
def do_create_theme(session: WorkshopSession, tool_index: int, title: str) -> Theme:
    """Add a theme to a brainstorm board."""
    if not title.strip():
        raise WorkshopError("empty")
    order = Theme.objects.filter(session=session, tool=tool_index).count()
    theme = Theme.objects.create(
        session=session, tool=tool_index, title=title.strip()[:200], order=order
    )
    touch(session)
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
    touch(theme.session)
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
    touch(contribution.session)
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
    touch(duplicate.session)
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
    touch(session)
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
    touch(session)
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
