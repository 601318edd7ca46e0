"""A session's current tool as plain values for the participant and facilitator templates.

In two parts, so 500 phones cost one read of the database, not 500: `shared_context()` is what
every phone of a language sees alike (built once per version, live.py caches it), and
`personal_context()` adds one phone's own dots, answers and notes to it, from a `Tally` of every
participant's votes and answers read in one query (also once per version), without touching the
shared part, which other threads read at the same time.
"""

from __future__ import annotations

import copy
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum

from tillit.programmes.catalogue import TOOL_TYPES
from tillit.programmes.models import text_for
from tillit.workshop.contributing import is_consented, vote_targets
from tillit.workshop.models import (
    ConsentResponse,
    Contribution,
    Participant,
    Vote,
    WorkshopSession,
    owner_mark,
    position_key,
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
    shared = shared_context(session, language, facilitator)
    if participant is None and not token:
        return shared
    return personal_context(shared, session, participant, token)


def shared_context(session: WorkshopSession, language: str, facilitator: bool = False) -> dict:
    """The current tool as every participant of a language sees it (the facilitator: with what
    moderation hid), nothing of any one viewer's in it."""
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
        context.update(builder(session, tool, index, contributions, language))
    return context


@dataclass
class Tally:
    """Every participant's dots and consent answers in one tool, read in one query each."""

    # participant → (what, target pk) → dots; participant → scope → dots used
    votes: dict[int, dict[tuple[str, int], int]] = field(default_factory=dict)
    used: dict[int, Counter] = field(default_factory=dict)
    # participant → contribution pk → their answer
    consents: dict[int, dict[int, ConsentResponse]] = field(default_factory=dict)

    def dots(self, participant: Participant, what: str) -> dict[int, int]:
        """The participant's dots per target of one kind ("theme", "artefact", "contribution")."""
        mine = self.votes.get(participant.pk, {})
        return {pk: n for (kind, pk), n in mine.items() if kind == what}

    def used_in(self, participant: Participant, scope: str) -> int:
        return self.used.get(participant.pk, Counter())[scope]


def tally(session: WorkshopSession, index: int, participant: Participant | None = None) -> Tally:
    """The votes and consent answers of a tool: every participant's, or one's."""
    result = Tally()
    kind = session.tool(index).get("type")
    if kind in ("dot_voting", "swot"):
        votes = Vote.objects.filter(session=session, tool=index)
        if participant is not None:
            votes = votes.filter(participant=participant)
        rows = votes.values_list(
            "participant_id", "scope", "theme_id", "artefact_id", "contribution_id", "count"
        )
        for who, scope, theme, artefact, contribution, n in rows:
            targets = {"theme": theme, "artefact": artefact, "contribution": contribution}
            what, pk = next((w, pk) for w, pk in targets.items() if pk is not None)
            result.votes.setdefault(who, {})[(what, pk)] = n
            result.used.setdefault(who, Counter())[scope] += n
    elif kind in ("glossary", "game_rules"):
        answers = ConsentResponse.objects.filter(
            contribution__session=session, contribution__tool=index
        )
        if participant is not None:
            answers = answers.filter(participant=participant)
        for answer in answers:
            result.consents.setdefault(answer.participant_id, {})[answer.contribution_id] = answer
    return result


def personal_context(
    shared: dict,
    session: WorkshopSession,
    participant: Participant | None,
    token: str = "",
    counted: Tally | None = None,
) -> dict:
    """`shared` with one viewer's own parts: their dots, answers and position (from `counted`,
    read for them alone when not given) and, before the reveal, the contributions their
    `token` marks as theirs. `shared` and what it holds are left as they were."""
    if not shared.get("tool"):
        return shared
    context = dict(shared)
    personal = PERSONAL.get(shared["type"])
    if personal and participant is not None:
        if counted is None:
            counted = tally(session, shared["index"], participant)
        context.update(personal(shared, participant, token, counted))
    pool = _own_pool(shared)
    if token and pool is not None and not shared["show_all"]:
        context["mine"] = [c for c in pool if c.mark and c.mark == owner_mark(token, c.key)]
    return context


def _own_pool(context: dict) -> list | None:
    """The contributions a phone may find its own among before the reveal (None: the tool has
    no such list)."""
    if "answers" in context:
        return context["answers"]
    if "notes" in context:
        return context["notes"]
    if "columns" in context:
        return [item for column in context["columns"] for item in column["items"]]
    return None


def _cards(session, tool, index, contributions, language) -> dict:
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


def _board(session, tool, index, contributions, language) -> dict:
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


def _dots(session, tool, index, contributions, language) -> dict:
    what, targets = vote_targets(session, index)
    totals = dict(
        Vote.objects.filter(session=session, tool=index)
        .values(what)
        .annotate(n=Sum("count"))
        .values_list(what, "n")
    )
    rows = [
        {"target": t, "label": t.title, "dots": totals.get(t.pk, 0), "mine": 0} for t in targets
    ]
    voters = Vote.objects.filter(session=session, tool=index, count__gt=0)
    dots = dots_of(tool)
    return {
        "what": what,
        "rows": _bars(sorted(rows, key=lambda r: -r["dots"])),
        "targets": rows,
        "dots": dots,
        "used": 0,
        "left": dots,
        "count": voters.values("participant").distinct().count(),
        "bar_max": BAR_WIDTH,
    }


def _dots_personal(shared: dict, participant, token: str, counted: Tally) -> dict:
    mine = counted.dots(participant, shared["what"])
    used = counted.used_in(participant, str(shared["index"]))
    return {
        "targets": [{**row, "mine": mine.get(row["target"].pk, 0)} for row in shared["targets"]],
        "used": used,
        "left": shared["dots"] - used,
    }


def _dilemma(session, tool, index, contributions, language) -> dict:
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
        "positions": positions,
        "mine": None,
    }


def _dilemma_personal(shared: dict, participant, token: str, counted: Tally) -> dict:
    if not token:
        return {"mine": None}
    key = position_key(token, shared["index"], shared["item"])
    return {"mine": next((c for c in shared["positions"] if c.key == key), None)}


def _swot(session, tool, index, contributions, language) -> dict:
    notes = list(contributions)
    totals = dict(
        Vote.objects.filter(session=session, tool=index)
        .values("contribution")
        .annotate(n=Sum("count"))
        .values_list("contribution", "n")
    )
    dots = dots_of(tool)
    quadrants = []
    for key, label in SWOT_QUADRANTS:
        members = [n for n in notes if n.extra.get("quadrant") == key]
        for note in members:
            note.mine = 0
            note.dots = totals.get(note.pk, 0)
        quadrants.append({"key": key, "label": label, "notes": members, "left": dots, "dots": dots})
    return {"quadrants": quadrants, "count": len(notes), "choices": SWOT_QUADRANTS}


def _swot_personal(shared: dict, participant, token: str, counted: Tally) -> dict:
    mine = counted.dots(participant, "contribution")
    quadrants = []
    for quadrant in shared["quadrants"]:
        notes = [copy.copy(note) for note in quadrant["notes"]]
        for note in notes:
            note.mine = mine.get(note.pk, 0)
        used = counted.used_in(participant, f"{shared['index']}:{quadrant['key']}")
        quadrants.append({**quadrant, "notes": notes, "left": quadrant["dots"] - used})
    return {"quadrants": quadrants}


def _consent(session, tool, index, contributions, language) -> dict:
    proposals = list(
        contributions.annotate(
            agree=Count("consents", filter=Q(consents__answer="agree")),
            live_with=Count("consents", filter=Q(consents__answer="live_with")),
            objections=Count("consents", filter=Q(consents__answer="object")),
        ).prefetch_related("consents")
    )
    for proposal in proposals:
        proposal.mine = None
        proposal.consented = is_consented(proposal)
        proposal.reasons = [c.reason for c in proposal.consents.all() if c.answer == "object"]
    return {
        "proposals": proposals,
        "count": len(proposals),
        "answers": ConsentResponse.Answer.choices,
    }


def _consent_personal(shared: dict, participant, token: str, counted: Tally) -> dict:
    mine = counted.consents.get(participant.pk, {})
    proposals = [copy.copy(proposal) for proposal in shared["proposals"]]
    for proposal in proposals:
        proposal.mine = mine.get(proposal.pk)
    return {"proposals": proposals}


def _retro(session, tool, index, contributions, language) -> dict:
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

# What one participant's view adds to the shared one, per tool type.
PERSONAL = {
    "dot_voting": _dots_personal,
    "dilemma_line": _dilemma_personal,
    "swot": _swot_personal,
    "glossary": _consent_personal,
    "game_rules": _consent_personal,
}


def tool_list(session: WorkshopSession, language: str) -> list[dict]:
    """The session's tools in order, for the facilitator's agenda."""
    return [
        {"index": i, "title": tool_title(t, language), "current": i == session.current}
        for i, t in enumerate(session.tools)
    ]


def contributions_n(session: WorkshopSession) -> int:
    return Contribution.objects.filter(session=session).count()
