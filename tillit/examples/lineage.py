"""An example's lineage: the example it came from, the examples made from it, and the units
that adopted any of them – as rows for a table and a small SVG tree drawn on the server.

Only what the reader may read enters: examples of other organisations appear when shared;
adoptions show the unit and stage (no people).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from tillit.examples.models import Adoption, GoodExample

STAGE_FILLS = {
    "considering": "#f4f6f9",
    "testing": "#c6d7ee",
    "implemented": "#8fb0dc",
    "abandoned": "#e8e8e8",
}


@dataclass
class Node:
    depth: int
    label: str
    kind: str  # "example" | "adoption"
    detail: str
    stage: str = ""
    current: bool = False
    example: GoodExample | None = None


def _root(example: GoodExample, readable) -> GoodExample:
    seen = {example.pk}
    while example.origin_id and example.origin_id not in seen:
        parent = example.origin
        if not readable(parent):
            break
        seen.add(parent.pk)
        example = parent
    return example


def lineage(example: GoodExample, readable) -> list[Node]:
    """The tree around `example` from its first ancestor the reader may read, depth first."""
    nodes: list[Node] = []

    def visit(current: GoodExample, depth: int) -> None:
        nodes.append(
            Node(
                depth,
                current.title,
                "example",
                f"{current.organisation.name} – {current.get_kind_display()}",
                current=current.pk == example.pk,
                example=current,
            )
        )
        for adoption in current.adoptions.select_related("unit"):
            result = adoption.follow_ups.first()
            detail = adoption.get_stage_display()
            if result:
                detail += f" – {result.get_behaviour_changed_display()}"
            nodes.append(
                Node(depth + 1, adoption.unit.name, "adoption", detail, stage=adoption.stage)
            )
        for child in current.offspring.select_related("organisation").order_by("pk"):
            if readable(child) and depth < 8:
                visit(child, depth + 1)

    visit(_root(example, readable), 0)
    return nodes


def _short(text: str, size: int) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def svg(nodes: list[Node]) -> SafeString:
    """The lineage as an indented tree: one box per example or adopting unit, joined by lines
    to their parent; adoptions filled by stage (the table beside it carries the words)."""
    row, indent, box_width = 34, 28, 360
    width = indent * max((n.depth for n in nodes), default=0) + box_width + 8
    height = row * len(nodes) + 4
    parts, parents = [], {}
    for i, node in enumerate(nodes):
        x, y = 4 + node.depth * indent, 4 + i * row
        parents[node.depth] = (x, y)
        if node.depth and node.depth - 1 in parents:
            px, py = parents[node.depth - 1]
            parts.append(
                f'<path d="M{px + 10} {py + 26} V{y + 13} H{x}" fill="none" '
                'stroke="#555555" stroke-width="1.5"/>'
            )
        fill = STAGE_FILLS.get(node.stage, "#ffffff")
        stroke = "#15365f" if node.current else "#555555"
        width_line = 3 if node.current else 1
        dash = ' stroke-dasharray="4 3"' if node.kind == "adoption" else ""
        text = _short(f"{node.label} ({node.detail})", 40)
        parts.append(
            f'<rect x="{x}" y="{y}" width="{box_width - 8}" height="26" rx="4" fill="{fill}" '
            f'stroke="{stroke}" stroke-width="{width_line}"{dash}/>'
            f'<text x="{x + 8}" y="{y + 18}" font-size="13" fill="#111111">{escape(text)}'
            f"<title>{escape(node.label)} ({escape(node.detail)})</title></text>"
        )
    title = _("Lineage of the example")
    # Every text inside is escaped above; the numbers are ours.
    return mark_safe(  # noqa: S308
        f'<svg class="chart lineage-svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg" '
        f'preserveAspectRatio="xMinYMin meet"><title>{escape(title)}</title>'
        f"{''.join(parts)}</svg>"
    )


def adoption_count(example: GoodExample) -> dict[str, int]:
    """How many units stand at each stage."""
    counts = dict.fromkeys(Adoption.Stage.values, 0)
    for stage in example.adoptions.values_list("stage", flat=True):
        counts[stage] += 1
    return counts
