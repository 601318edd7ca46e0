"""A session's current tool as plain values for the participant and facilitator templates."""

from __future__ import annotations

from collections import Counter, defaultdict

from django.db.models import Count, Q, Sum

from tillit.programmes.catalogue import TOOL_TYPES
from tillit.programmes.models import text_for
from tillit.workshop.actions import is_consented, vote_targets, votes_used
from tillit.workshop.models import (
    ConsentResponse,
    Contribution,
    Participant,
    Vote,
    WorkshopSession,
    owner_mark,
)
from tillit.workshop.tools import RETRO_COLUMNS, SWOT_QUADRANTS, THEME_ARTEFACT_KINDS, dots_of

BAR_WIDTH = 300  # px of the longest result bar (SVG, so no inline style is needed)
BINS = 10


def tool_title(tool: dict, language: str) -> str:
    """The tool's own title, or its type's label."""
    return text_for(tool.get("title"), language) or str(TOOL_TYPES[tool["type"]].label)


def tool_context(
    session: WorkshopSession,
    language: str,
    participant: Participant | None = None,
    facilitator: bool = False,
    token: str = "",
) -> dict:
    """Everything the templates need to show the current tool to one viewer; `token` (the
    phone's cookie) picks out its own contributions, which it sees before the reveal."""
    index = session.current
    tool = session.tool(index)
    if not tool:
        return {"tool": None}
    config = tool.get("config", {})
    revealed = session.is_revealed(index)
    contributions = (
        session.contributions.filter(tool=index, merged_into__isnull=True)
        .select_related("author")
        .annotate(duplicates_n=Count("duplicates"))
    )
    if not facilitator:
        contributions = contributions.filter(hidden=False)
    context = {
        "tool": tool,
        "type": tool["type"],
        "index": index,
        "title": tool_title(tool, language),
        "revealed": revealed,
        "show_all": revealed or facilitator,
        "named": tool.get("named"),
        "prompts": [text_for(t, language) for t in config.get("prompts", [])],
        "questions": [text_for(t, language) for t in config.get("questions", [])],
        "count": 0,
    }
    builder = BUILDERS.get(tool["type"])
    if builder:
        context.update(builder(session, tool, index, contributions, language, participant))
    if token and not context["show_all"]:
        context["mine"] = [c for c in _own_pool(context) if c.mark == owner_mark(token, c.key)]
    return context


def _own_pool(context: dict) -> list:
    """The contributions a phone may find its own among before the reveal."""
    if "answers" in context:
        return context["answers"]
    if "notes" in context:
        return context["notes"]
    return [item for column in context.get("columns", []) for item in column["items"]]


def _cards(session, tool, index, contributions, language, participant) -> dict:
    cards = tool["config"].get("cards", [])
    item = session.tool_state(index)["item"]
    answers = [c for c in contributions if c.extra.get("item") == item]
    return {
        "card": text_for(cards[item]["text"], language) if cards else "",
        "item": item,
        "item_number": item + 1,
        "items_n": len(cards),
        "answers": answers,
        "count": len(answers),
    }


def _board(session, tool, index, contributions, language, participant) -> dict:
    notes = list(contributions)
    themes = list(session.themes.filter(tool=index).select_related("artefact"))
    by_theme = defaultdict(list)
    for note in notes:
        by_theme[note.theme_id].append(note)
    for theme in themes:
        theme.members = by_theme.get(theme.pk, [])
    return {
        "notes": notes,
        "unsorted": by_theme.get(None, []),
        "themes": themes,
        "count": len(notes),
        "artefact_kinds": THEME_ARTEFACT_KINDS,
        "produces": tool["config"].get("produces") or "challenge",
    }


def _bars(rows: list[dict]) -> list[dict]:
    most = max((r["dots"] for r in rows), default=0) or 1
    for row in rows:
        row["width"] = round(BAR_WIDTH * row["dots"] / most)
    return rows


def _dots(session, tool, index, contributions, language, participant) -> dict:
    what, targets = vote_targets(session, index)
    field = what
    totals = dict(
        Vote.objects.filter(session=session, tool=index)
        .values(field)
        .annotate(n=Sum("count"))
        .values_list(field, "n")
    )
    mine = {}
    if participant is not None:
        mine = dict(
            Vote.objects.filter(participant=participant, tool=index).values_list(field, "count")
        )
    rows = [
        {"target": t, "label": t.title, "dots": totals.get(t.pk, 0), "mine": mine.get(t.pk, 0)}
        for t in targets
    ]
    voters = Vote.objects.filter(session=session, tool=index, count__gt=0)
    dots = dots_of(tool)
    used = votes_used(participant, str(index)) if participant else 0
    return {
        "what": what,
        "rows": _bars(sorted(rows, key=lambda r: -r["dots"])),
        "targets": rows,
        "dots": dots,
        "used": used,
        "left": dots - used,
        "count": voters.values("participant").distinct().count(),
        "bar_max": BAR_WIDTH,
    }


def _dilemma(session, tool, index, contributions, language, participant) -> dict:
    dilemmas = tool["config"].get("dilemmas", [])
    item = session.tool_state(index)["item"]
    dilemma = dilemmas[item] if dilemmas else {"left": {}, "right": {}}
    positions = [c for c in contributions if c.extra.get("item") == item]
    bins = Counter(min(c.extra["position"] // BINS, BINS - 1) for c in positions)
    most = max(bins.values(), default=0) or 1
    histogram = [
        {"bin": b, "n": bins.get(b, 0), "height": round(120 * bins.get(b, 0) / most), "x": b * 40}
        for b in range(BINS)
    ]
    for row in histogram:
        row["y"] = 130 - row["height"]
    mine = None
    if participant is not None:
        mine = next(
            (
                c
                for c in session.contributions.filter(tool=index, kind="position")
                if c.extra.get("item") == item and c.key == _position_key(participant, index, item)
            ),
            None,
        )
    return {
        "left": text_for(dilemma["left"], language),
        "right": text_for(dilemma["right"], language),
        "item": item,
        "item_number": item + 1,
        "items_n": len(dilemmas),
        "histogram": histogram,
        "left_comments": [c for c in positions if c.text and c.extra["position"] < 50],
        "middle_comments": [c for c in positions if c.text and c.extra["position"] == 50],
        "right_comments": [c for c in positions if c.text and c.extra["position"] > 50],
        "count": len(positions),
        "mine": mine,
    }


def _position_key(participant, index, item):
    import uuid

    from tillit.workshop.actions import POSITION_NAMESPACE

    return uuid.uuid5(POSITION_NAMESPACE, f"{participant.pk}:{index}:{item}")


def _swot(session, tool, index, contributions, language, participant) -> dict:
    notes = list(contributions)
    totals = dict(
        Vote.objects.filter(session=session, tool=index)
        .values("contribution")
        .annotate(n=Sum("count"))
        .values_list("contribution", "n")
    )
    mine = {}
    if participant is not None:
        mine = dict(
            Vote.objects.filter(participant=participant, tool=index).values_list(
                "contribution", "count"
            )
        )
    dots = dots_of(tool)
    quadrants = []
    for key, label in SWOT_QUADRANTS:
        members = [n for n in notes if n.extra.get("quadrant") == key]
        for note in members:
            note.mine = mine.get(note.pk, 0)
            note.dots = totals.get(note.pk, 0)
        used = votes_used(participant, f"{index}:{key}") if participant else 0
        quadrants.append(
            {"key": key, "label": label, "notes": members, "left": dots - used, "dots": dots}
        )
    return {"quadrants": quadrants, "count": len(notes), "choices": SWOT_QUADRANTS}


def _consent(session, tool, index, contributions, language, participant) -> dict:
    proposals = list(
        contributions.annotate(
            agree=Count("consents", filter=Q(consents__answer="agree")),
            live_with=Count("consents", filter=Q(consents__answer="live_with")),
            objections=Count("consents", filter=Q(consents__answer="object")),
        ).prefetch_related("consents")
    )
    mine = {}
    if participant is not None:
        mine = {
            c.contribution_id: c
            for c in ConsentResponse.objects.filter(
                participant=participant, contribution__in=proposals
            )
        }
    for proposal in proposals:
        proposal.mine = mine.get(proposal.pk)
        proposal.consented = is_consented(proposal)
        proposal.reasons = [c.reason for c in proposal.consents.all() if c.answer == "object"]
    return {
        "proposals": proposals,
        "count": len(proposals),
        "answers": ConsentResponse.Answer.choices,
    }


def _retro(session, tool, index, contributions, language, participant) -> dict:
    items = list(contributions)
    columns = [
        {"key": key, "label": label, "items": [i for i in items if i.extra.get("column") == key]}
        for key, label in RETRO_COLUMNS
    ]
    return {"columns": columns, "count": len(items), "choices": RETRO_COLUMNS}


BUILDERS = {
    "dialogue_cards": _cards,
    "brainstorm": _board,
    "dot_voting": _dots,
    "dilemma_line": _dilemma,
    "swot": _swot,
    "glossary": _consent,
    "game_rules": _consent,
    "retro": _retro,
}


def tool_list(session: WorkshopSession, language: str) -> list[dict]:
    """The session's tools in order, for the facilitator's agenda."""
    return [
        {"index": i, "title": tool_title(t, language), "current": i == session.current}
        for i, t in enumerate(session.tools)
    ]


def contributions_n(session: WorkshopSession) -> int:
    return Contribution.objects.filter(session=session).count()
