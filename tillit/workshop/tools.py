"""The live tools: which programme tool types run in the room, and how each behaves."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class LiveTool:
    """How a tool type behaves live: what it collects, named or not, hidden until revealed."""

    kind: str  # Contribution.Kind of what participants post
    named: bool
    reveal: bool  # others' contributions hidden from participants until the facilitator reveals


LIVE_TOOLS: dict[str, LiveTool] = {
    "dialogue_cards": LiveTool("answer", named=False, reveal=True),
    "brainstorm": LiveTool("note", named=False, reveal=True),
    "dot_voting": LiveTool("", named=False, reveal=True),
    "dilemma_line": LiveTool("position", named=False, reveal=True),
    "swot": LiveTool("swot", named=False, reveal=False),
    "glossary": LiveTool("term", named=True, reveal=False),
    "game_rules": LiveTool("rule", named=True, reveal=False),
    "retro": LiveTool("retro", named=False, reveal=True),
}

SWOT_QUADRANTS = (
    ("strength", _("Strengths")),
    ("weakness", _("Weaknesses")),
    ("opportunity", _("Opportunities")),
    ("threat", _("Threats")),
)
RETRO_COLUMNS = (
    ("worked", _("What worked")),
    ("change", _("What to change")),
    ("next", _("Next steps")),
)
THEME_ARTEFACT_KINDS = ("challenge", "solution", "lesson")
DEFAULT_DOTS = 3


def live_tools_of(step_definition: dict) -> list[dict]:
    """The step's tools that run live, with their behaviour, ready to copy into a session.

    A step's reflection questions run as a board whose prompts they are: each phone writes
    its thoughts anonymously, hidden until revealed, and the board's themes become the step's
    lessons – what a brainstorm does, so it is one.
    """
    tools = []
    for tool in step_definition.get("tools", []):
        kind, config = tool["type"], dict(tool.get("config") or {})
        if kind == "reflection":
            kind, config["prompts"] = "brainstorm", config.pop("questions", [])
        live = LIVE_TOOLS.get(kind)
        if live is None:
            continue
        tools.append(
            {
                "type": kind,
                "title": tool.get("title") or {},
                "config": config,
                "named": live.named,
                "reveal": live.reveal,
            }
        )
    return tools


def dots_of(tool: dict) -> int:
    """How many dots each participant has in a voting tool (per quadrant in SWOT)."""
    return int(tool.get("config", {}).get("dots") or DEFAULT_DOTS)
