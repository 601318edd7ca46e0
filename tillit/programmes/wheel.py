"""The step wheel: the seed's six-step circle as SVG segments computed on the server.

The SVG is decoration (aria-hidden); the list of steps next to it carries the same information
for screen readers and keyboards.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

CENTRE, OUTER, INNER = 120.0, 110.0, 58.0
GAP = 0.03  # radians left empty between segments


@dataclass(frozen=True)
class Segment:
    path: str
    status: str
    number: int
    label_x: float
    label_y: float


def _point(radius: float, angle: float) -> tuple[float, float]:
    return CENTRE + radius * math.sin(angle), CENTRE - radius * math.cos(angle)


def segments(statuses: list[str]) -> list[Segment]:
    """One ring segment per step, clockwise from the top, coloured by status via CSS classes."""
    count = len(statuses)
    if not count:
        return []
    share = 2 * math.pi / count
    result = []
    for index, status in enumerate(statuses):
        start, end = index * share + GAP, (index + 1) * share - GAP
        large = 1 if end - start > math.pi else 0
        ox1, oy1 = _point(OUTER, start)
        ox2, oy2 = _point(OUTER, end)
        ix1, iy1 = _point(INNER, end)
        ix2, iy2 = _point(INNER, start)
        path = (
            f"M{ox1:.1f},{oy1:.1f} A{OUTER:.0f},{OUTER:.0f} 0 {large} 1 {ox2:.1f},{oy2:.1f} "
            f"L{ix1:.1f},{iy1:.1f} A{INNER:.0f},{INNER:.0f} 0 {large} 0 {ix2:.1f},{iy2:.1f} Z"
        )
        lx, ly = _point((OUTER + INNER) / 2, (start + end) / 2)
        result.append(Segment(path, status, index + 1, round(lx, 1), round(ly + 6, 1)))
    return result
