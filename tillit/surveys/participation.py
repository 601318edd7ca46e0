"""Live participation: how many have answered, where that cannot tell who has.

While a campaign is open, participation is all Tillit publishes (ANONYMITY.md, "One campaign,
many publications"). A manager who watches a unit of three go from one answer to two learns
who answered, so counts are shown per *block* of at least k invited people, built like the
results' move-up: bottom-up, a unit whose invited people (its own plus what its small sub-units
carried up) number k or more shows them; a smaller unit carries them up to its parent and is
shown only as part of it. What is still carried at the top unit is counted in no row. Every
shown figure is then a sum over blocks of k or more invited people, so no difference of two
shown figures, at one moment or between two moments, concerns fewer than k people.

That holds only while the blocks stay the same: cut on today's tree, a small unit moved by an
HR import between two looks would leave one block and join another, and the two figures' change
would be its count. So the rates the campaign page shows are the results' participation
publication, made on the tree and thresholds frozen at launch (`response_rates`, through the
provider the results app registers: it may import this app, not the other way round).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tillit.org.models import Unit
    from tillit.surveys.models import Campaign


@dataclass(frozen=True)
class Participation:
    """Per unit (in the order given): shown, and the invited, answered and poster-code
    answers of the blocks its figure includes (0 where not shown)."""

    shown: list[bool]
    invited: list[int]
    responded: list[int]
    via_code: list[int]
    own_block: list[bool]  # the unit's own invited people are in its figure


def participation(
    parents: Sequence[int],
    invited: Sequence[int],
    responded: Sequence[int],
    via_code: Sequence[int],
    k: int,
) -> Participation:
    """Move-up on invited people. ``parents[i]`` is unit i's parent's position (-1 for a top)
    and comes before i; the other sequences are each unit's DIRECT counts."""
    n = len(parents)
    carried = [list(x) for x in zip(invited, responded, via_code, strict=True)]
    absorbs = [False] * n
    for unit in range(n - 1, -1, -1):
        if carried[unit][0] >= k:
            absorbs[unit] = True
        elif parents[unit] >= 0:
            above = carried[parents[unit]]
            for j in range(3):
                above[j] += carried[unit][j]
    # Sums of absorbed blocks per subtree; a unit is shown when its subtree holds a block.
    totals = [carried[u] if absorbs[u] else [0, 0, 0] for u in range(n)]
    has_block = list(absorbs)
    for unit in range(n - 1, -1, -1):
        parent = parents[unit]
        if parent >= 0:
            totals[parent] = [a + b for a, b in zip(totals[parent], totals[unit], strict=True)]
            has_block[parent] = has_block[parent] or has_block[unit]
    return Participation(
        shown=has_block,
        invited=[t[0] if s else 0 for t, s in zip(totals, has_block, strict=True)],
        responded=[t[1] if s else 0 for t, s in zip(totals, has_block, strict=True)],
        via_code=[t[2] if s else 0 for t, s in zip(totals, has_block, strict=True)],
        own_block=absorbs,
    )


@dataclass
class RateRow:
    """One unit's response rate over the blocks of at least k invited people its figure
    includes; `shown` False: counted in the unit above."""

    unit: Unit
    level: int
    invited: int = 0
    responded: int = 0
    via_code: int = 0
    shown: bool = True

    @property
    def percent(self) -> int | None:
        return round(100 * self.responded / self.invited) if self.invited else None


_publishers: list[Callable[[Campaign], list[RateRow]]] = []


def register_rates(publisher: Callable[[Campaign], list[RateRow]]) -> None:
    """Set the function that publishes a launched campaign's participation (the results app's,
    in its AppConfig.ready; idempotent, as apps may be readied twice in tests)."""
    if publisher not in _publishers:
        _publishers.append(publisher)


def response_rates(campaign: Campaign, visible_paths: tuple[str, ...] | None) -> list[RateRow]:
    """The launched campaign's participation per unit, as its publication has it (tree and
    thresholds frozen at launch), limited to the rows under `visible_paths` (None: all)."""
    if campaign.is_draft or not _publishers:
        return []
    return [
        row
        for row in _publishers[0](campaign)
        if visible_paths is None or any(row.unit.path.startswith(p) for p in visible_paths)
    ]
