"""What steering costs: the Standard Cost Model (population × frequency × time) per unit.

For one unit a signal costs, per year,

    hours = people performing × times per year × minutes each time / 60

where *people performing* is either a number of people per unit (never more than the unit's
active staff: a unit of one cannot send two people to a meeting) or a share of the unit's
active staff. A signal hits whole subtrees: every open unit in them with staff of its own
performs it. Danish AMVAB measures administrative burden the same way; an organisation's
hourly cost turns hours into money.

The register's pages need the same sums for thousands of signals over thousands of units, so
`Tree` keeps the open units sorted by materialised path: a subtree is then one contiguous
slice (every path with a given prefix sorts together), and a signal's hours are a numpy
expression over its slices.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from django.db.models import Count, FloatField
from django.db.models.functions import Cast

from tillit.org.models import Organisation, Person, Unit
from tillit.steering.models import Signal, SignalUnit

KINDS = [value for value, _label in Signal.Kind.choices]


def hours_for_unit(
    performers_kind: str, performers: float, frequency: float, minutes: float, staff: int
) -> float:
    """Hours per year a signal costs one unit with `staff` active people."""
    if staff <= 0:
        return 0.0
    if performers_kind == Signal.Performers.SHARE:
        people = staff * float(performers) / 100
    else:
        people = min(float(performers), staff)
    return people * float(frequency) * float(minutes) / 60


def money(hours: float, hourly_cost: Decimal) -> Decimal:
    """Hours turned into money at the organisation's hourly cost, whole currency units."""
    return (Decimal(str(round(hours, 1))) * hourly_cost).quantize(Decimal(1))


def outermost(paths: Iterable[str]) -> list[str]:
    """The paths that lie below no other path in the list (a subtree counted once)."""
    kept: list[str] = []
    for path in sorted(set(paths)):
        if not kept or not path.startswith(kept[-1]):
            kept.append(path)
    return kept


@dataclass
class SignalRow:
    """What the burden pages need of one signal (read with plain `values()`)."""

    id: int
    title: str
    kind: str
    issuer_level: str
    performers_kind: str
    performers: float
    frequency: float
    minutes: float
    last_used: dt.date | None
    review_date: dt.date | None
    paths: list[str]
    outermost: bool = False  # the paths are already outermost() (signal_rows makes them so)


class Tree:
    """An organisation's open units sorted by path, with each unit's own active staff."""

    def __init__(self, organisation: Organisation) -> None:
        rows = sorted(
            Unit.objects.filter(organisation=organisation)
            .open()
            .values_list("pk", "path", "name", "depth"),
            key=lambda r: r[1],
        )
        self.ids = [r[0] for r in rows]
        self.paths = [r[1] for r in rows]
        self.names = {r[0]: r[2] for r in rows}
        self.position = {pk: i for i, pk in enumerate(self.ids)}
        staff = dict(
            Person.objects.filter(organisation=organisation, active=True)
            .values("unit")
            .annotate(n=Count("pk"))
            .values_list("unit", "n")
        )
        self.staff = np.array([staff.get(pk, 0) for pk in self.ids], dtype=float)
        self.cumulative = np.concatenate(([0.0], np.cumsum(self.staff)))

    def span(self, path: str) -> tuple[int, int]:
        """The slice of units in the subtree at `path`."""
        lo = bisect.bisect_left(self.paths, path)
        hi = bisect.bisect_left(self.paths, path + "\uffff")
        return lo, hi

    def staff_in(self, path: str) -> int:
        """Active people in the subtree at `path`."""
        lo, hi = self.span(path)
        return int(self.cumulative[hi] - self.cumulative[lo])

    def slices(self, signal: SignalRow):
        """(lo, hi, hours per unit) for each subtree the signal hits, each counted once."""
        factor = signal.frequency * signal.minutes / 60
        for path in signal.paths if signal.outermost else outermost(signal.paths):
            lo, hi = self.span(path)
            staff = self.staff[lo:hi]
            if signal.performers_kind == Signal.Performers.SHARE:
                yield lo, hi, staff * (signal.performers / 100 * factor)
            else:
                yield lo, hi, np.minimum(signal.performers, staff) * factor

    def per_unit(self, signal: SignalRow) -> np.ndarray:
        """The signal's hours per year for every unit (zeros outside its subtrees)."""
        hours = np.zeros(len(self.ids))
        for lo, hi, part in self.slices(signal):
            hours[lo:hi] = part
        return hours


def signal_rows(organisation: Organisation, statuses=Signal.IN_FORCE) -> list[SignalRow]:
    """The organisation's signals with the paths of the subtrees they hit (two queries)."""
    paths: dict[int, list[str]] = {}
    for signal_id, path in SignalUnit.objects.filter(
        signal__organisation=organisation, signal__status__in=statuses
    ).values_list("signal_id", "unit__path"):
        paths.setdefault(signal_id, []).append(path)
    # The three numbers read as floats in SQL: Django's Decimal converters cost a third of
    # reading 2,000 signals.
    as_float = {
        f"{name}_f": Cast(name, FloatField()) for name in ("performers", "frequency", "minutes")
    }
    fields = ["id", "title", "kind", "issuer_level", "performers_kind", "last_used", "review_date"]
    rows = []
    for values in (
        Signal.objects.filter(organisation=organisation, status__in=statuses)
        .annotate(**as_float)
        .values(*fields, *as_float)
    ):
        for name in ("performers", "frequency", "minutes"):
            values[name] = values.pop(f"{name}_f")
        rows.append(
            SignalRow(**values, paths=outermost(paths.get(values["id"], [])), outermost=True)
        )
    return rows


def signal_total(signal: Signal) -> tuple[float, list[tuple[Unit, int, float]]]:
    """One signal's hours per year in total and per unit it costs (unit, staff, hours)."""
    tree = Tree(signal.organisation)
    row = SignalRow(
        signal.pk,
        signal.title,
        signal.kind,
        signal.issuer_level,
        signal.performers_kind,
        float(signal.performers),
        float(signal.frequency),
        float(signal.minutes),
        signal.last_used,
        signal.review_date,
        [hit.unit.path for hit in signal.hits.select_related("unit")],
    )
    hours = tree.per_unit(row)
    nonzero = list(np.flatnonzero(hours))
    units = Unit.objects.in_bulk([tree.ids[i] for i in nonzero])
    per_unit = [(units[tree.ids[i]], int(tree.staff[i]), float(hours[i])) for i in nonzero]
    return float(hours.sum()), per_unit


@dataclass
class HeatRow:
    """One row of the heatmap: a unit's subtree, hours per type and per employee."""

    unit_id: int
    name: str
    staff: int
    hours: list[float]
    is_total: bool = False

    @property
    def total(self) -> float:
        return sum(self.hours)

    @property
    def per_employee(self) -> list[float | None]:
        """Hours per employee per year for each type (None for a unit without staff)."""
        return [h / self.staff if self.staff else None for h in self.hours]

    @property
    def total_per_employee(self) -> float | None:
        return self.total / self.staff if self.staff else None


@dataclass
class Burden:
    """The burden of one subtree: heatmap rows, and each signal's hours inside the subtree."""

    root: Unit
    rows: list[HeatRow]
    signal_hours: dict[int, float]
    signals: dict[int, SignalRow]

    def heaviest(self, limit: int = 10) -> list[tuple[SignalRow, float]]:
        """The signals costing the subtree most hours per year."""
        ranked = sorted(self.signal_hours.items(), key=lambda kv: -kv[1])
        return [(self.signals[pk], hours) for pk, hours in ranked[:limit] if hours > 0]

    def unused(self, today: dt.date) -> list[SignalRow]:
        """Signals costing the subtree time whose output nobody has used in a year."""
        year_ago = today - dt.timedelta(days=365)
        return [
            self.signals[pk]
            for pk, hours in sorted(self.signal_hours.items(), key=lambda kv: -kv[1])
            if hours > 0
            and (self.signals[pk].last_used is None or self.signals[pk].last_used < year_ago)
        ]

    def past_review(self, today: dt.date) -> list[SignalRow]:
        """Signals costing the subtree time whose review date has passed."""
        return sorted(
            (
                self.signals[pk]
                for pk, hours in self.signal_hours.items()
                if hours > 0
                and self.signals[pk].review_date
                and self.signals[pk].review_date < today
            ),
            key=lambda s: s.review_date,
        )


def burden_of(organisation: Organisation, root: Unit, tree: Tree | None = None) -> Burden:
    """The heatmap of `root`'s subtree: the whole subtree, then each child's subtree, as rows,
    the signal types as columns, and every signal's hours within the subtree."""
    tree = tree or Tree(organisation)
    signals = signal_rows(organisation)
    children = sorted(
        Unit.objects.filter(parent=root).open().values_list("pk", "path", "name"),
        key=lambda r: r[2],
    )
    spans = [tree.span(root.path)] + [tree.span(path) for _pk, path, _name in children]
    lo_root, hi_root = spans[0]
    # Hours per (unit, type) inside the root's span, each signal's slices added in place;
    # a row is then the difference of two cumulative sums (its units are one slice).
    per_unit = np.zeros((hi_root - lo_root, len(KINDS)))
    signal_hours: dict[int, float] = {}
    column = {kind: i for i, kind in enumerate(KINDS)}
    for signal in signals:
        inside = 0.0
        c = column[signal.kind]
        for lo, hi, part in tree.slices(signal):
            a, b = max(lo, lo_root), min(hi, hi_root)
            if a >= b:
                continue
            clipped = part[a - lo : b - lo]
            per_unit[a - lo_root : b - lo_root, c] += clipped
            inside += float(clipped.sum())
        if inside:
            signal_hours[signal.id] = inside
    cumulative = np.vstack((np.zeros(len(KINDS)), np.cumsum(per_unit, axis=0)))
    matrix = np.array([cumulative[hi - lo_root] - cumulative[lo - lo_root] for lo, hi in spans])
    rows = [HeatRow(root.pk, root.name, tree.staff_in(root.path), list(matrix[0]), is_total=True)]
    for r, (pk, path, name) in enumerate(children, start=1):
        rows.append(HeatRow(pk, name, tree.staff_in(path), list(matrix[r])))
    return Burden(root, rows, signal_hours, {s.id: s for s in signals})


def estimate(
    performers_kind: str, performers: float, frequency: float, minutes: float, units: list[Unit]
) -> tuple[float, int]:
    """A proposed signal's hours per year over the subtrees of `units`, and the staff in them."""
    if not units:
        return 0.0, 0
    tree = Tree(units[0].organisation)
    row = SignalRow(0, "", "", "", performers_kind, performers, frequency, minutes, None, None, [])
    row.paths = [u.path for u in units]
    staff = sum(tree.staff_in(p) for p in outermost(row.paths))
    return float(tree.per_unit(row).sum()), staff


def hours_freed_by_level(organisation: Organisation) -> list[tuple[str, float]]:
    """Hours per year freed by decided changes, by the signal's issuer level.

    A measured change counts what was measured; a removal without a measurement counts the
    hours the signal cost when the board removed it.
    """
    from tillit.steering.models import Decision, Measurement

    freed: dict[str, float] = {}
    measured = set()
    for m in Measurement.objects.filter(signal__organisation=organisation).select_related("signal"):
        freed[m.signal.issuer_level] = freed.get(m.signal.issuer_level, 0) + float(m.hours_freed)
        measured.add(m.signal_id)
    for d in Decision.objects.filter(
        signal__organisation=organisation, outcome=Decision.Outcome.REMOVE
    ).select_related("signal"):
        if d.signal_id not in measured:
            level = d.signal.issuer_level
            freed[level] = freed.get(level, 0) + float(d.hours_before)
    labels = dict(Signal.Level.choices)
    return [(str(labels[level]), hours) for level, hours in freed.items() if hours]


def totals(organisation: Organisation, statuses=Signal.IN_FORCE) -> dict[int, float]:
    """Every signal's hours per year over all the units it hits."""
    tree = Tree(organisation)
    return {row.id: float(tree.per_unit(row).sum()) for row in signal_rows(organisation, statuses)}
