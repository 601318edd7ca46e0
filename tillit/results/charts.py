"""Charts as SVG written directly on the server: simple bars, readable in grey-scale.

Each chart carries a title for assistive technology, and every page that shows one also shows
its numbers in a table (colour and shape never carry a figure alone). The fills are one hue
from light to dark, so their order survives grey-scale printing; text on dark fills is white.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


def whole(value: float) -> int:
    """A figure in whole points, halves rounded up as the templates' `floatformat` rounds them
    (Python's round() and "%.0f" make 72.5 into 72, so one page said 73 and 72 for one index)."""
    return int(Decimal(repr(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


# Light to dark, with the text colour that meets 4.5:1 on each.
FILLS = ("#eef3fa", "#c6d7ee", "#8fb0dc", "#2f62a3", "#15365f")
TEXT_ON = ("#111111", "#111111", "#111111", "#ffffff", "#ffffff")
# Per answer value 1..5 on a stacked bar: darkest = most disagreeing, so grey-scale still orders.
VALUE_FILLS = ("#15365f", "#2f62a3", "#8fb0dc", "#c6d7ee", "#eef3fa")
VALUE_TEXT = ("#ffffff", "#ffffff", "#111111", "#111111", "#111111")


def heat_class(value: float | None) -> str:
    """The heatmap class of an index 0–100 (five bands of ten points from 50)."""
    if value is None:
        return "heat-none"
    band = 0 if value < 50 else 1 if value < 60 else 2 if value < 70 else 3 if value < 80 else 4
    return f"heat-{band + 1}"


def _svg(width: int, height: int, title: str, body: str, css: str = "chart") -> SafeString:
    # Every text inside is escaped above; the numbers are ours.
    return mark_safe(  # noqa: S308
        f'<svg class="{css}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg" '
        f'preserveAspectRatio="xMinYMin meet"><title>{escape(title)}</title>{body}</svg>'
    )


def stacked_bar(counts: Sequence[int], labels: Sequence[str], title: str) -> SafeString:
    """One horizontal bar of an item's answers, value 1 on the left; percentages inside."""
    total = sum(counts) or 1
    width, height = 500, 34
    x = 0.0
    parts = []
    for position, count in enumerate(counts):
        share = count / total
        w = share * width
        label = labels[position] if position < len(labels) else str(position + 1)
        fill = VALUE_FILLS[position % 5]
        parts.append(
            f'<rect x="{x:.1f}" y="2" width="{w:.1f}" height="{height - 4}" fill="{fill}" '
            f'stroke="#ffffff" stroke-width="1"><title>{escape(label)}: {count}</title></rect>'
        )
        if w >= 34:
            parts.append(
                f'<text x="{x + w / 2:.1f}" y="{height / 2 + 5:.1f}" text-anchor="middle" '
                f'font-size="14" fill="{VALUE_TEXT[position % 5]}">{round(100 * share)} %</text>'
            )
        x += w
    return _svg(width, height, title, "".join(parts), "chart chart--bar")


def bar_gradient(counts: Sequence[int]) -> str:
    """An item's answers as one CSS gradient with hard stops, value 1 on the left (the PDF
    report's bars: WeasyPrint paints one box where five inline boxes with labels cost a third
    of a report's time; the shares are printed as text beside it)."""
    total = sum(counts) or 1
    stops, start = [], 0.0
    for position, count in enumerate(counts):
        end = start + 100 * count / total
        fill = VALUE_FILLS[position % 5]
        stops.append(f"{fill} {start:.1f}%, {fill} {end:.1f}%")
        start = end
    return f"linear-gradient(to right, {', '.join(stops)})"


def histogram(counts: Sequence[int], edges: Sequence[int], title: str) -> SafeString:
    """Vertical bars of how many units fall in each band of an index (edges: band starts)."""
    width, height, bottom, left = 520, 220, 30, 10
    top = max(counts) if counts and max(counts) > 0 else 1
    bar = (width - left) / max(1, len(counts))
    parts = [
        f'<line x1="{left}" y1="{height - bottom}" x2="{width}" y2="{height - bottom}" '
        'stroke="#333333" stroke-width="1"/>'
    ]
    for position, count in enumerate(counts):
        h = (height - bottom - 24) * count / top
        x = left + position * bar
        y = height - bottom - h
        parts.append(
            f'<rect x="{x + 3:.1f}" y="{y:.1f}" width="{bar - 6:.1f}" height="{h:.1f}" '
            f'fill="{FILLS[3]}"/>'
        )
        parts.append(
            f'<text x="{x + bar / 2:.1f}" y="{y - 6:.1f}" text-anchor="middle" font-size="14" '
            f'fill="#111111">{count}</text>'
        )
        parts.append(
            f'<text x="{x + bar / 2:.1f}" y="{height - 10}" text-anchor="middle" font-size="13" '
            f'fill="#111111">{edges[position]}–</text>'
        )
    return _svg(width, height, title, "".join(parts))


def comparison_bars(
    rows: Sequence[tuple[str, float | None, float | None]], title: str
) -> SafeString:
    """Per index a bar for the unit (0–100) and a black tick for the organisation."""
    label_width, width, row_height = 180, 560, 30
    height = row_height * len(rows) + 10
    scale = (width - label_width - 40) / 100
    parts = []
    for position, (label, value, reference) in enumerate(rows):
        y = 5 + position * row_height
        parts.append(
            f'<text x="0" y="{y + 19}" font-size="14" fill="#111111">{escape(label[:24])}</text>'
        )
        if value is not None:
            w = value * scale
            parts.append(
                f'<rect x="{label_width}" y="{y + 4}" width="{w:.1f}" height="{row_height - 10}" '
                f'fill="{FILLS[2]}"/>'
            )
            parts.append(
                f'<text x="{label_width + w + 6:.1f}" y="{y + 19}" font-size="14" '
                f'fill="#111111">{whole(value)}</text>'
            )
        if reference is not None:
            rx = label_width + reference * scale
            parts.append(
                f'<line x1="{rx:.1f}" y1="{y + 1}" x2="{rx:.1f}" y2="{y + row_height - 3}" '
                'stroke="#000000" stroke-width="3"/>'
            )
    return _svg(width, height, title, "".join(parts))
