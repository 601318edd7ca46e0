"""What an example can show for itself, from figures that are already published.

- Results: the unit's HME and Tillitsindex totals in its two newest published campaigns, read
  from results' stored snapshots (`ResultUnit`, the published JSON every output reads). If
  either snapshot hides the unit (under k, or its answers moved up), the example shows
  nothing for that unit: no figure is ever computed here.
- Steering: the hours per year freed by the decisions on the signals the example points to
  (the register's before/after measurements).
- Programmes: the before/after measurements recorded on the experiments it points to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from tillit.examples.models import GoodExample
from tillit.results.models import ResultUnit
from tillit.results.present import index_label

# The indices whose change an example may show: the totals of the shipped instruments.
INDEX_KEYS = ("hme.total", "tillitsindex.total")


@dataclass
class IndexChange:
    unit_name: str
    label: str
    before: float
    after: float
    before_campaign: str
    after_campaign: str

    @property
    def change(self) -> int:
        """The difference of the two figures as shown (whole points)."""
        return round(self.after) - round(self.before)


@dataclass
class Evidence:
    indices: list[IndexChange] = field(default_factory=list)
    hours_freed: list[tuple[str, Decimal]] = field(default_factory=list)
    measurements: list[dict[str, Any]] = field(default_factory=list)

    @property
    def any(self) -> bool:
        return bool(self.indices or self.hours_freed or self.measurements)


def published_rows(unit_pk: int) -> list[ResultUnit]:
    """The unit's rows in published snapshots of closed campaigns, newest first."""
    return list(
        ResultUnit.objects.filter(
            unit_pk=unit_pk,
            snapshot__computed_at__isnull=False,
            snapshot__campaign__status="closed",
        )
        .exclude(snapshot__data__phase="participation")
        .select_related("snapshot__campaign")
        .order_by("-snapshot__campaign__closes_on", "-snapshot__campaign_id")[:2]
    )


def index_changes(unit) -> list[IndexChange]:
    """The unit's published index totals between its two newest campaigns; nothing when
    either publication hides the unit."""
    rows = published_rows(unit.pk)
    if len(rows) < 2 or not all(row.shown and row.data.get("shown") for row in rows):
        return []
    after, before = rows
    changes = []
    for key in INDEX_KEYS:
        old, new = before.data.get("indices", {}).get(key), after.data.get("indices", {}).get(key)
        if old is None or new is None:
            continue
        changes.append(
            IndexChange(
                unit.name,
                index_label(after.snapshot.data, key),
                old,
                new,
                before.snapshot.campaign.name,
                after.snapshot.campaign.name,
            )
        )
    return changes


def evidence_for(example: GoodExample) -> Evidence:
    """Everything published that speaks for the example."""
    found = Evidence()
    for unit in example.units.all():
        found.indices.extend(index_changes(unit))
    for signal in example.signals.all():
        hours = sum((m.hours_freed for m in signal.measurements.all()), Decimal(0))
        if hours:
            found.hours_freed.append((signal.title, hours))
    for artefact in example.artefacts.all():
        for measurement in artefact.measurements or []:
            found.measurements.append({"artefact": artefact.title, **measurement})
    return found
