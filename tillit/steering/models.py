"""The steering-signal register, the bøvl inbox, the review board's decisions and measurements.

A *signal* is anything that steers a unit (a goal, an indicator, a report, a rule, a meeting…).
Its burden follows the Standard Cost Model in `burden.py`. A *bøvl report* is an employee's
note that a rule takes time from the core task; it is stored like a survey response: the row
has no link to the person (random id, the day only). A named reporter is kept apart, in
`NamedReporter`, which only the secretariat reads.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tillit.org.models import Organisation, Unit


class SteeringRole(models.Model):
    """The secretariat and review-board roles, keyed by e-mail as `org.RoleGrant` is.

    Kept in this app (not as new `RoleGrant` choices) so that org stays unaware of steering,
    as DESIGN.md's import order asks.
    """

    class Role(models.TextChoices):
        SECRETARIAT = "secretariat", _("Secretariat (triages bøvl reports)")
        BOARD = "board", _("Review board member")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "email", "role"], name="steering_role_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.email}: {self.get_role_display()}"


class Signal(models.Model):
    """One steering signal and what it costs the units it hits."""

    class Kind(models.TextChoices):
        GOAL = "goal", _("Goal")
        INDICATOR = "indicator", _("Indicator")
        REPORT = "report", _("Report or documentation demand")
        RULE = "rule", _("Rule or guideline")
        TIME = "time", _("Time registration")
        MEETING = "meeting", _("Recurring meeting")
        GRANT = "grant", _("Targeted grant's conditions")

    class Level(models.TextChoices):
        EU = "eu", _("EU")
        STATE = "state", _("State")
        AGENCY = "agency", _("Agency")
        COUNCIL = "council", _("Region or municipal council")
        COMMITTEE = "committee", _("Committee")
        ADMINISTRATION = "administration", _("Administration")
        UNIT = "unit", _("Unit")

    class Performers(models.TextChoices):
        PEOPLE = "people", _("people per unit")
        SHARE = "share", _("per cent of the unit's staff")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed (awaits the board)")
        ACTIVE = "active", _("Active")
        UNDER_REVIEW = "under_review", _("Under review")
        SIMPLIFIED = "simplified", _("Simplified")
        REMOVED = "removed", _("Removed")
        KEPT = "kept", _("Kept with a reason")
        REJECTED = "rejected", _("Not introduced")

    # The statuses whose signal still costs time (and so counts in the burden).
    IN_FORCE = (Status.ACTIVE, Status.UNDER_REVIEW, Status.SIMPLIFIED, Status.KEPT)

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices)
    issuer_level = models.CharField(_("issuer level"), max_length=16, choices=Level.choices)
    self_imposed = models.BooleanField(
        _("self-imposed (the organisation could remove it itself)"), default=False
    )
    owner_email = models.EmailField(_("owner's e-mail"), blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True)
    units = models.ManyToManyField(
        Unit, through="SignalUnit", related_name="+", verbose_name=_("units it hits")
    )
    frequency = models.DecimalField(
        _("times per year"),
        max_digits=7,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(10000)],
    )
    minutes = models.DecimalField(
        _("minutes each time"),
        max_digits=7,
        decimal_places=1,
        validators=[MinValueValidator(0), MaxValueValidator(100000)],
    )
    performers_kind = models.CharField(
        _("who performs it"), max_length=8, choices=Performers.choices, default=Performers.PEOPLE
    )
    performers = models.DecimalField(
        _("how many"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(10000)],
    )
    irritation = models.PositiveSmallIntegerField(
        _("irritation (1–5)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    output_users = models.CharField(_("who uses the output"), max_length=300, blank=True)
    decision_fed = models.CharField(_("the decision it feeds"), max_length=300, blank=True)
    last_used = models.DateField(_("output last used"), null=True, blank=True)
    serves = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="served_by",
        verbose_name=_("goal it serves"),
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    review_date = models.DateField(_("review date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    # The system analysis of a proposed signal (trust-based steering): why, and whether an
    # existing signal already gives the answer.
    purpose = models.TextField(_("purpose"), blank=True)
    existing_answer = models.TextField(_("existing signals that give the answer"), blank=True)
    # The samskabt styring challenge (a programme's step 2 artefact) the signal came from.
    from_challenge = models.ForeignKey(
        "programmes.Artefact", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Counts edits: an edit names the version it started from (stale-edit check, as artefacts).
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    reminded_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["title", "pk"]
        indexes = [models.Index(fields=["organisation", "status"])]

    def __str__(self) -> str:
        return self.title

    @property
    def in_force(self) -> bool:
        """True when the signal still costs the units time."""
        return self.status in self.IN_FORCE

    def performers_text(self) -> str:
        """'2 people per unit' or '50 per cent of the unit's staff', for pages."""
        number = f"{self.performers.normalize():f}"
        return f"{number} {self.get_performers_kind_display()}"


class SignalUnit(models.Model):
    """A subtree a signal hits: the unit and every unit below it."""

    signal = models.ForeignKey(Signal, on_delete=models.CASCADE, related_name="hits")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["signal", "unit"], name="signal_unit_unique")
        ]

    def __str__(self) -> str:
        return f"{self.signal_id} → {self.unit_id}"


class SignalChange(models.Model):
    """One field of a signal changed: who, when, from what to what (the register's history)."""

    signal = models.ForeignKey(Signal, on_delete=models.CASCADE, related_name="changes")
    field = models.CharField(max_length=40)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.signal_id}: {self.field}"


class BovlReport(models.Model):
    """A report of bøvl. Like a survey response it holds nothing that leads to its reporter:
    a random id, the unit the reporter chose, the day (never the time). Rows are read ordered
    by day and random id, never in the order they were written."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        TRIAGED = "triaged", _("With the board")
        MERGED = "merged", _("Merged into another report")
        CLOSED = "closed", _("Answered by the secretariat")
        DECIDED = "decided", _("Decided")

    class Remit(models.TextChoices):
        OWN = "own", _("Our own remit")
        NATIONAL = "national", _("Needs the region or national level (KL, SKR, KS)")
        LAW = "law", _("Needs a law change")
        MUST_STAY = "must_stay", _("Must stay")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(
        Unit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    what = models.TextField(_("What is the bøvl?"))
    minutes_per_week = models.PositiveIntegerField(_("Minutes per week it takes you"), default=0)
    hinders = models.TextField(_("What does it keep you from?"), blank=True)
    idea = models.TextField(_("Your idea"), blank=True)
    submitted_on = models.DateField(default=timezone.localdate)
    # The receipt lets an anonymous reporter read the answer: only its hash is stored, and
    # the code itself is shown once, to the reporter.
    receipt_hash = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="duplicates"
    )
    signal = models.ForeignKey(
        Signal, on_delete=models.SET_NULL, null=True, blank=True, related_name="reports"
    )
    remit = models.CharField(_("remit"), max_length=10, choices=Remit.choices, blank=True)
    answer = models.TextField(_("answer to the reporter"), blank=True)
    triaged_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-submitted_on", "id"]

    def __str__(self) -> str:
        return self.what[:60]


class NamedReporter(models.Model):
    """Who sent a named bøvl report. Read by the secretariat only; the board, the unit's
    manager and everyone else see the report without it."""

    report = models.OneToOneField(BovlReport, on_delete=models.CASCADE, related_name="reporter")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    def __str__(self) -> str:
        return str(self.report_id)


class Decision(models.Model):
    """The review board's decision on a signal, always with its reason; the log is public
    inside the organisation."""

    class Outcome(models.TextChoices):
        REMOVE = "remove", _("Remove")
        SIMPLIFY = "simplify", _("Simplify")
        KEEP = "keep", _("Keep, with a reason")
        ESCALATE = "escalate", _("Escalate to the national level")
        APPROVE = "approve", _("Introduce the proposed signal")
        REJECT = "reject", _("Do not introduce it")

    signal = models.ForeignKey(Signal, on_delete=models.CASCADE, related_name="decisions")
    outcome = models.CharField(_("decision"), max_length=10, choices=Outcome.choices)
    reason = models.TextField(_("reason"))
    escalate_to = models.CharField(_("to (national body)"), max_length=200, blank=True)
    decided_on = models.DateField(default=timezone.localdate)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    hours_before = models.DecimalField(max_digits=12, decimal_places=1, default=Decimal(0))
    # The first report's day, so the log shows the time from report to decision.
    reported_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-decided_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.signal}: {self.get_outcome_display()}"

    @property
    def days_from_report(self) -> int | None:
        """Days from the first report about the signal to this decision."""
        return (self.decided_on - self.reported_on).days if self.reported_on else None


class Measurement(models.Model):
    """A before/after measurement of a decided change (samskabt styring step 5's logbook)."""

    signal = models.ForeignKey(Signal, on_delete=models.CASCADE, related_name="measurements")
    label = models.CharField(_("what was measured"), max_length=200)
    minutes_before = models.DecimalField(
        _("minutes per person per day, before"), max_digits=7, decimal_places=1
    )
    minutes_after = models.DecimalField(
        _("minutes per person per day, after"), max_digits=7, decimal_places=1
    )
    people = models.PositiveIntegerField(_("people it concerns"))
    days_per_year = models.PositiveIntegerField(_("working days per year"), default=220)
    measured_on = models.DateField(default=timezone.localdate)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-measured_on", "-pk"]

    def __str__(self) -> str:
        return self.label

    @property
    def hours_freed(self) -> Decimal:
        """Hours per year the change freed: (before − after) × people × days / 60."""
        saved = (self.minutes_before - self.minutes_after) * self.people * self.days_per_year
        return (saved / 60).quantize(Decimal("0.1"))
