"""Template content turned into plain values for pages and reports, in one language."""

from __future__ import annotations

from dataclasses import dataclass, field

from tillit.programmes.catalogue import ARTEFACT_KINDS, TOOL_TYPES
from tillit.programmes.models import text_for


@dataclass
class ToolView:
    type: str
    title: str
    purpose: str
    how: str
    minutes: int
    custom_guide: str
    lines: list[str] = field(default_factory=list)
    pairs: list[tuple[str, str]] = field(default_factory=list)


def tool_view(tool: dict, language: str) -> ToolView:
    """A tool of a step with its guide and its configuration as readable lines."""
    spec = TOOL_TYPES[tool["type"]]
    config = tool.get("config", {})
    view = ToolView(
        type=tool["type"],
        title=text_for(tool.get("title"), language) or str(spec.label),
        purpose=str(spec.purpose),
        how=str(spec.how),
        minutes=spec.minutes,
        custom_guide=text_for(tool.get("guide"), language),
    )
    for key in ("prompts", "questions", "items", "methods"):
        view.lines += [text_for(t, language) for t in config.get(key, [])]
    for card in config.get("cards", []) + config.get("terms", []):
        text = text_for(card.get("text"), language)
        term = text_for(card.get("term"), language)
        view.lines.append(f"{term}: {text}" if term else text)
    for dilemma in config.get("dilemmas", []):
        view.pairs.append(
            (text_for(dilemma["left"], language), text_for(dilemma["right"], language))
        )
    return view


def step_title(definition: dict, step_id: str, language: str) -> str:
    """The title of a step of a template definition."""
    for step in definition["steps"]:
        if step["id"] == step_id:
            return text_for(step["title"], language)
    return step_id


def kinds_for(step: dict) -> list[tuple[str, str]]:
    """(kind, label) of the artefacts a step produces, for its 'add' links."""
    return [(k, str(ARTEFACT_KINDS[k].label)) for k in step.get("produces", [])]
