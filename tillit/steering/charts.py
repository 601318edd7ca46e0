"""The burden heatmap as SVG written on the server (units × signal types).

The page shows the same figures in a table, so colour never carries a number alone. Fills
run from light to dark in one hue, so their order survives grey-scale printing; text on the
two darkest fills is white (both meet 4.5:1).
"""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

FILLS = ("#f4f6f9", "#c6d7ee", "#8fb0dc", "#2f62a3", "#15365f")
TEXT_ON = ("#111111", "#111111", "#111111", "#ffffff", "#ffffff")


def band(value: float | None, top: float) -> int:
    """The fill band (0–4) of a value against the largest value shown."""
    if not value or top <= 0:
        return 0
    return min(4, 1 + int(3.999 * value / top))


def _short(text: str, size: int) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def heatmap(
    row_labels: list[str],
    column_labels: list[str],
    values: list[list[float | None]],
    title: str,
) -> SafeString:
    """A grid of hours per employee per year: one row per unit, one column per type."""
    label_width, cell_width, cell_height, head = 190, 96, 30, 34
    width = label_width + cell_width * len(column_labels)
    height = head + cell_height * len(row_labels) + 4
    top = max((v or 0 for row in values for v in row), default=0)
    parts = []
    for c, label in enumerate(column_labels):
        x = label_width + c * cell_width + cell_width / 2
        parts.append(
            f'<text x="{x:.0f}" y="22" text-anchor="middle" font-size="12" fill="#111111">'
            f"{escape(_short(label, 14))}<title>{escape(label)}</title></text>"
        )
    for r, label in enumerate(row_labels):
        y = head + r * cell_height
        parts.append(
            f'<text x="0" y="{y + 20}" font-size="13" fill="#111111">'
            f"{escape(_short(label, 24))}<title>{escape(label)}</title></text>"
        )
        for c, value in enumerate(values[r]):
            b = band(value, top)
            x = label_width + c * cell_width
            text = "–" if value is None else f"{value:.1f}"
            parts.append(
                f'<rect x="{x + 1}" y="{y + 1}" width="{cell_width - 2}" '
                f'height="{cell_height - 2}" fill="{FILLS[b]}"/>'
                f'<text x="{x + cell_width / 2:.0f}" y="{y + 20}" text-anchor="middle" '
                f'font-size="13" fill="{TEXT_ON[b]}">{text}</text>'
            )
    # Every text inside is escaped above; the numbers are ours.
    return mark_safe(  # noqa: S308
        f'<svg class="chart heatmap-svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg" '
        f'preserveAspectRatio="xMinYMin meet"><title>{escape(title)}</title>'
        f"{''.join(parts)}</svg>"
    )
