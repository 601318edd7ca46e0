"""Workflows of the register: each `do_<verb>` owns its transaction and leaves history."""

from __future__ import annotations

import hashlib
import secrets
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F, Min
from django.utils import timezone

from tillit.core.models import User, normalise_email
from tillit.org.models import Organisation, Person, Unit
from tillit.steering.burden import signal_total
from tillit.steering.models import (
    BovlReport,
    Decision,
    Measurement,
    NamedReporter,
    Signal,
    SignalChange,
    SignalUnit,
    SteeringRole,
)

# The register's fields as its edit form shows them; with a proposal's two, every field a
# person edits (and the import writes), each with its history.
EDITED_FIELDS = (
    "title",
    "description",
    "kind",
    "issuer_level",
    "self_imposed",
    "owner_email",
    "legal_basis",
    "frequency",
    "minutes",
    "performers_kind",
    "performers",
    "irritation",
    "output_users",
    "decision_fed",
    "last_used",
    "serves",
    "start_date",
    "review_date",
    "status",
)
FIELDS = (*EDITED_FIELDS, "purpose", "existing_answer")


class StaleEdit(Exception):
    """Someone saved the signal after the writer started editing; nothing was written."""

    def __init__(self, current: Signal) -> None:
        super().__init__(f"signal {current.pk} is at version {current.version}")
        self.current = current


class NotAllowed(ValueError):
    """A step the workflow does not allow (such as merging a report into itself)."""


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Signal):
        return value.title
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return str(value)


def _units_text(units: list[Unit]) -> str:
    return ", ".join(sorted(u.name for u in units))


def _check_units(organisation: Organisation, units: list[Unit]) -> None:
    if any(u.organisation_id != organisation.pk for u in units):
        raise NotAllowed("a signal hits units of its own organisation only")


@transaction.atomic
def do_create_signal(
    organisation: Organisation,
    values: dict[str, Any],
    units: list[Unit],
    user: User | None,
    *,
    source: str = "form",
) -> Signal:
    """Add a signal to the register with the units it hits; its creation is its first history."""
    _check_units(organisation, units)
    values = {k: v for k, v in values.items() if k in FIELDS}
    if values.get("owner_email"):
        values["owner_email"] = normalise_email(values["owner_email"])
    signal = Signal.objects.create(organisation=organisation, **values)
    SignalUnit.objects.bulk_create(SignalUnit(signal=signal, unit=u) for u in units)
    SignalChange.objects.create(
        signal=signal, field="created", new_value=signal.title, changed_by=user, source=source
    )
    return signal


@transaction.atomic
def do_update_signal(
    signal: Signal,
    values: dict[str, Any],
    units: list[Unit] | None,
    base_version: int,
    user: User | None,
    *,
    source: str = "form",
) -> Signal:
    """Save an edit that started from `base_version`; raise StaleEdit if someone saved since.

    The version check and the write are one conditional UPDATE, as for artefacts, so two
    writers starting from the same version cannot both succeed. Each changed field leaves a
    `SignalChange` row.
    """
    before = Signal.objects.select_related("serves").get(pk=signal.pk)
    values = {k: v for k, v in values.items() if k in FIELDS}
    if "owner_email" in values:
        values["owner_email"] = normalise_email(values["owner_email"] or "")
    updated = Signal.objects.filter(pk=signal.pk, version=base_version).update(
        version=F("version") + 1, updated_at=timezone.now(), **values
    )
    if not updated:
        raise StaleEdit(before)
    changes = []
    for name, value in values.items():
        old = getattr(before, name)
        if _shown(old) != _shown(value):
            changes.append(
                SignalChange(
                    signal=signal,
                    field=name,
                    old_value=_shown(old),
                    new_value=_shown(value),
                    changed_by=user,
                    source=source,
                )
            )
    if units is not None:
        _check_units(signal.organisation, units)
        old_units = [h.unit for h in before.hits.select_related("unit")]
        if {u.pk for u in old_units} != {u.pk for u in units}:
            SignalUnit.objects.filter(signal=signal).delete()
            SignalUnit.objects.bulk_create(SignalUnit(signal=signal, unit=u) for u in units)
            changes.append(
                SignalChange(
                    signal=signal,
                    field="units",
                    old_value=_units_text(old_units),
                    new_value=_units_text(units),
                    changed_by=user,
                    source=source,
                )
            )
    SignalChange.objects.bulk_create(changes)
    signal.refresh_from_db()
    return signal


def _set_status(signal: Signal, status: str, user: User | None, source: str) -> None:
    if signal.status == status:
        return
    SignalChange.objects.create(
        signal=signal,
        field="status",
        old_value=signal.status,
        new_value=status,
        changed_by=user,
        source=source,
    )
    Signal.objects.filter(pk=signal.pk).update(
        status=status, version=F("version") + 1, updated_at=timezone.now()
    )
    signal.refresh_from_db()


def receipt_hash(code: str) -> str:
    """The stored form of a report's receipt code."""
    return hashlib.sha256(code.encode()).hexdigest()


@transaction.atomic
def anonymous_unit(unit: Unit, size: int) -> Unit | None:
    """The unit an anonymous report is filed under: the nearest of `unit` and the units above
    it with at least `size` active people in its subtree, None when not even the whole
    organisation has so many.

    The form offers the reporter's own unit, so an anonymous report's unit is usually theirs:
    in a team of four it would all but name them. `size` is the organisation's minimum group
    for comments, since a report is free text like a comment.
    """
    for candidate in [unit, *list(unit.ancestors())[::-1]]:
        people = Person.objects.filter(
            organisation_id=unit.organisation_id,
            active=True,
            unit__path__startswith=candidate.path,
        )
        if people.count() >= size:
            return candidate
    return None


def do_report_bovl(
    organisation: Organisation,
    *,
    what: str,
    unit: Unit | None,
    minutes_per_week: int,
    hinders: str,
    idea: str,
    reporter: User | None,
) -> tuple[BovlReport, str]:
    """Store a bøvl report and return it with its receipt code (shown once, never stored).

    With `reporter=None` the report is anonymous: nothing in its row leads to the person
    (random id, the day only, no account, no e-mail), and its unit is widened to one that
    cannot point to a small group (`anonymous_unit`). A named report's reporter is stored
    apart, in `NamedReporter`, which only the secretariat reads.
    """
    if unit is not None and unit.organisation_id != organisation.pk:
        raise NotAllowed("the unit belongs to another organisation")
    if reporter is None and unit is not None:
        unit = anonymous_unit(unit, organisation.k_text)
    code = secrets.token_urlsafe(18)
    report = BovlReport.objects.create(
        organisation=organisation,
        unit=unit,
        what=what.strip(),
        minutes_per_week=minutes_per_week,
        hinders=hinders.strip(),
        idea=idea.strip(),
        receipt_hash=receipt_hash(code),
    )
    if reporter is not None:
        NamedReporter.objects.create(report=report, user=reporter)
    return report, code


@transaction.atomic
def do_triage(
    report: BovlReport,
    *,
    remit: str,
    signal: Signal | None = None,
    new_signal: dict[str, Any] | None = None,
    new_units: list[Unit] | None = None,
    duplicate_of: BovlReport | None = None,
    answer: str = "",
    user: User | None = None,
) -> BovlReport:
    """The secretariat's triage: merge a duplicate, or link the report to a signal (an
    existing one or one created now) and send it to the board; `must_stay` answers the
    reporter without the board."""
    report = BovlReport.objects.select_for_update().get(pk=report.pk)
    report.remit = remit
    report.answer = answer.strip()
    report.triaged_on = timezone.localdate()
    if duplicate_of is not None:
        if duplicate_of.pk == report.pk or duplicate_of.organisation_id != report.organisation_id:
            raise NotAllowed("a report cannot be merged into itself or another organisation's")
        report.duplicate_of = duplicate_of
        report.signal = duplicate_of.signal
        report.status = BovlReport.Status.MERGED
        report.save()
        return report
    if new_signal is not None:
        signal = do_create_signal(
            report.organisation, new_signal, new_units or [], user, source="bøvl"
        )
    if signal is not None and signal.organisation_id != report.organisation_id:
        raise NotAllowed("the signal belongs to another organisation")
    report.signal = signal
    if remit == BovlReport.Remit.MUST_STAY or signal is None:
        report.status = BovlReport.Status.CLOSED
    else:
        report.status = BovlReport.Status.TRIAGED
        if signal.status == Signal.Status.ACTIVE:
            _set_status(signal, Signal.Status.UNDER_REVIEW, user, "bøvl")
    report.save()
    return report


DECISION_STATUS = {
    Decision.Outcome.REMOVE: Signal.Status.REMOVED,
    Decision.Outcome.SIMPLIFY: Signal.Status.SIMPLIFIED,
    Decision.Outcome.KEEP: Signal.Status.KEPT,
    Decision.Outcome.ESCALATE: Signal.Status.UNDER_REVIEW,
    Decision.Outcome.APPROVE: Signal.Status.ACTIVE,
    Decision.Outcome.REJECT: Signal.Status.REJECTED,
}
PROPOSAL_OUTCOMES = {Decision.Outcome.APPROVE, Decision.Outcome.REJECT}


@transaction.atomic
def do_decide(
    signal: Signal, outcome: str, reason: str, user: User | None, *, escalate_to: str = ""
) -> Decision:
    """The board's decision on a signal, with its reason; the signal's status follows and the
    reports linked to it are answered (their reporters read the decision)."""
    if not reason.strip():
        raise NotAllowed("every decision needs a reason")
    proposal = signal.status == Signal.Status.PROPOSED
    if proposal != (outcome in PROPOSAL_OUTCOMES):
        raise NotAllowed("a proposal is introduced or not; a signal in force is reviewed")
    hours, _per_unit = signal_total(signal)
    first = signal.reports.aggregate(first=Min("submitted_on"))["first"]
    decision = Decision.objects.create(
        signal=signal,
        outcome=outcome,
        reason=reason.strip(),
        escalate_to=escalate_to.strip(),
        decided_by=user,
        hours_before=Decimal(str(round(hours, 1))),
        reported_on=first,
    )
    _set_status(signal, DECISION_STATUS[outcome], user, "board")
    signal.reports.filter(
        status__in=[BovlReport.Status.TRIAGED, BovlReport.Status.NEW, BovlReport.Status.MERGED]
    ).update(status=BovlReport.Status.DECIDED)
    return decision


@transaction.atomic
def do_propose_signal(
    organisation: Organisation, values: dict[str, Any], units: list[Unit], user: User | None
) -> Signal:
    """A proposed new signal with its system analysis; it waits for the board and costs
    nothing in the register until the board introduces it."""
    values = {**values, "status": Signal.Status.PROPOSED}
    signal = do_create_signal(organisation, values, units, user, source="proposal")
    Signal.objects.filter(pk=signal.pk).update(proposed_by=user)
    signal.proposed_by = user
    return signal


@transaction.atomic
def do_add_measurement(signal: Signal, values: dict[str, Any], user: User | None) -> Measurement:
    """Record a before/after measurement of a decided change (step 5's logbook)."""
    return Measurement.objects.create(signal=signal, created_by=user, **values)


def do_grant_steering_role(organisation: Organisation, email: str, role: str) -> SteeringRole:
    """Give an e-mail address the secretariat or board role (idempotent)."""
    grant, _created = SteeringRole.objects.get_or_create(
        organisation=organisation, email=normalise_email(email), role=role
    )
    return grant


def do_revoke_steering_role(grant: SteeringRole) -> None:
    """Take a steering role away."""
    grant.delete()


@transaction.atomic
def do_signal_from_challenge(challenge, user: User | None) -> Signal:
    """Put the steering a programme's challenge names under review as a signal of the register
    (with the programme's units), once: a second call returns the same signal."""
    existing = Signal.objects.filter(from_challenge=challenge).first()
    if existing is not None:
        return existing
    if challenge.kind != "challenge":
        raise NotAllowed("only a challenge can become a signal")
    data = challenge.data or {}
    units = list(challenge.programme.units.all()) if challenge.programme else []
    if not units and challenge.unit is not None:
        units = [challenge.unit]
    values = {
        "title": challenge.title[:200],
        "description": "\n\n".join(v for v in (data.get("steering"), data.get("hindrance")) if v),
        "kind": Signal.Kind.RULE,
        "issuer_level": Signal.Level.ADMINISTRATION,
        "frequency": 0,
        "minutes": 0,
        "performers": 0,
        "status": Signal.Status.UNDER_REVIEW,
    }
    signal = do_create_signal(challenge.organisation, values, units, user, source="programme")
    Signal.objects.filter(pk=signal.pk).update(from_challenge=challenge)
    signal.from_challenge = challenge
    return signal
