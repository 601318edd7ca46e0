"""Campaigns, invitations, drafts and anonymous responses.

The anonymity boundary (DESIGN.md, "Data that must hold") lives in this file: `Invitation`
knows who was asked; `Response` and `Answer` know only a unit id, coarse background bands and
the day. Nothing in `Response` or `Answer` points to an invitation or a person, and no value
of theirs equals one on the person's side (the submit's idempotency key is kept on the
invitation). Their ids are random, so they carry no submission order: a response's id is a
UUID (and on SQLite its hidden rowid is written random too, `storing.py`), an answer's a random
63-bit integer. The link token is stored only as a SHA-256 hash. docs/anonymity.md says what
holds in a copy of the database, and what does not.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Random ids live in core (workshop notes use them too); the migrations name them here.
from tillit.core.ids import RandomIdField, random_id, random_ids  # noqa: F401
from tillit.instruments.models import InstrumentVersion
from tillit.org.models import K_FLOOR, Organisation, Person, Unit

AGE_BANDS = ("-29", "30-39", "40-49", "50-59", "60-")
TENURE_BANDS = ("<2", "2-5", "6-10", ">10")


def new_token() -> str:
    """A fresh link token: 32 random bytes, URL-safe (43 characters)."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """The SHA-256 (hex) under which a token is stored; the token itself never is."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# The low bits of an answer's id number the answers of one response; the rest is random.
ANSWER_ID_BITS = 12


def random_answer_ids(count: int) -> list[int]:
    """Ids for the `count` answers of one response: a random start per 4,096 answers, then in
    turn, so that a response's answers lie together in the table and its indexes.

    Fully random ids scattered a submit's nine answers over nine pages of the table and of the
    campaign index (a third more pages written per submit on SQLite); numbered within the
    response they tell nothing the shared `response_id` does not, and across responses the
    order is random.
    """
    span = 1 << ANSWER_ID_BITS
    starts = random_ids(-(-count // span))
    return [
        ((starts[i >> ANSWER_ID_BITS] >> ANSWER_ID_BITS) << ANSWER_ID_BITS | (i & (span - 1))) or 1
        for i in range(count)
    ]


def age_band(birth_year: int | None, today: date) -> str:
    """The age band for a birth year, or "" when the year is unknown."""
    if not birth_year:
        return ""
    age = today.year - birth_year
    if age < 30:
        return "-29"
    if age >= 60:
        return "60-"
    return f"{age // 10 * 10}-{age // 10 * 10 + 9}"


def tenure_band(start: date | None, today: date) -> str:
    """The band for years in the organisation, or "" when the start date is unknown."""
    if not start:
        return ""
    years = (today - start).days / 365.25
    if years < 2:
        return "<2"
    if years < 6:
        return "2-5"
    if years <= 10:
        return "6-10"
    return ">10"


def _default_languages() -> list[str]:
    return ["sv"]


class Campaign(models.Model):
    """One survey sent to a subtree: instruments fixed at launch, thresholds, dates, status."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    class BackgroundSource(models.TextChoices):
        HR = "hr", _("From HR data where known, otherwise asked")
        ASK = "ask", _("Always asked of the respondent")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="campaigns"
    )
    name = models.CharField(_("name"), max_length=200)
    target_unit = models.ForeignKey(
        Unit, on_delete=models.RESTRICT, related_name="+", verbose_name=_("target unit")
    )
    opens_on = models.DateField(_("opens"))
    closes_on = models.DateField(_("closes"))
    languages = models.JSONField(_("languages"), default=_default_languages)
    k = models.PositiveSmallIntegerField(
        _("minimum group (k)"),
        default=5,
        validators=[MinValueValidator(K_FLOOR), MaxValueValidator(10)],
    )
    k_dist = models.PositiveSmallIntegerField(
        _("minimum group for distributions"),
        default=8,
        validators=[MinValueValidator(K_FLOOR), MaxValueValidator(30)],
    )
    k_text = models.PositiveSmallIntegerField(
        _("minimum group for comments"),
        default=10,
        validators=[MinValueValidator(K_FLOOR), MaxValueValidator(30)],
    )
    k_sensitive = models.PositiveSmallIntegerField(
        _("minimum group for sensitive questions"),
        default=20,
        validators=[MinValueValidator(K_FLOOR), MaxValueValidator(50)],
    )
    ask_age = models.BooleanField(_("age band"), default=False)
    ask_tenure = models.BooleanField(_("years in the organisation"), default=False)
    professions = models.JSONField(_("profession groups"), default=list, blank=True)
    background_source = models.CharField(
        _("background from"),
        max_length=8,
        choices=BackgroundSource.choices,
        default=BackgroundSource.HR,
    )
    # How many links a unit's poster code may hand out beyond the unit's headcount: each is an
    # answer that nobody in the organisation file need stand behind (actions.code_capacity).
    code_margin = models.PositiveSmallIntegerField(
        _("extra links per poster code"),
        default=0,
        validators=[MaxValueValidator(50)],
        help_text=_(
            "A unit's poster code hands out at most as many links as the unit has staff in the "
            "organisation file without a personal link, plus this many. Each extra link is an "
            "answer that may not come from the unit's staff: keep it at 0 unless staff are "
            "missing from the file."
        ),
    )
    # The schedule the task worker keeps (`surveys.schedule`): reminders on these days after
    # the opening date, and closing after the closing date.
    reminder_days = models.JSONField(_("reminders on days"), default=list, blank=True)
    close_on_schedule = models.BooleanField(_("close automatically"), default=True)
    # How many of `reminder_days` are done (sent, or passed before the launch): the scheduler
    # claims a reminder by moving this count on in one UPDATE, so two workers send it once.
    reminders_done = models.PositiveSmallIntegerField(default=0, editable=False)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    imported = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-opens_on", "-pk"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.opens_on and self.closes_on and self.closes_on < self.opens_on:
            raise ValidationError({"closes_on": _("The closing date is before the opening date.")})
        if not (K_FLOOR <= self.k <= 10):
            raise ValidationError({"k": _("k must be from %(floor)s to 10.") % {"floor": K_FLOOR}})
        if self.opens_on and self.closes_on:
            for day in self.reminder_days:
                if self.opens_on + timedelta(days=day) > self.closes_on:
                    raise ValidationError(
                        {
                            "reminder_days": _(
                                "A reminder on day %(day)s would come after the closing date."
                            )
                            % {"day": day}
                        }
                    )
        for name in ("k_dist", "k_text", "k_sensitive"):
            if getattr(self, name) < self.k:
                raise ValidationError({name: _("This threshold cannot be below k.")})

    def versions(self) -> list[InstrumentVersion]:
        """The instrument versions in questionnaire order."""
        return [
            ci.version
            for ci in self.campaign_instruments.select_related("version__instrument").order_by(
                "order"
            )
        ]

    def accepts_answers(self, today: date | None = None) -> bool:
        """Open, and today lies within the dates."""
        today = today or timezone.localdate()
        return self.status == self.Status.OPEN and self.opens_on <= today <= self.closes_on

    def reminder_dates(self) -> list[date]:
        """The scheduled reminders' dates, in order."""
        return [self.opens_on + timedelta(days=d) for d in sorted(self.reminder_days)]

    def reminders_due(self, today: date) -> int:
        """How many scheduled reminders have come due by `today` (within the open days)."""
        return sum(1 for day in self.reminder_dates() if day <= min(today, self.closes_on))

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def asks_background(self) -> bool:
        return self.ask_age or self.ask_tenure or bool(self.professions)


class CampaignInstrument(models.Model):
    """One instrument version in a campaign, in order. Fixed once the campaign is launched."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="campaign_instruments"
    )
    version = models.ForeignKey(InstrumentVersion, on_delete=models.RESTRICT, related_name="+")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "version"], name="campaign_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.version_id}"


class CampaignEvent(models.Model):
    """The campaign's log: launched, closed, reopened, reminded, edited – who and when."""

    class Kind(models.TextChoices):
        CREATED = "created", _("created")
        EDITED = "edited", _("edited")
        LAUNCHED = "launched", _("launched")
        CLOSED = "closed", _("closed")
        REOPENED = "reopened", _("reopened")
        REMINDED = "reminded", _("reminders sent")
        IMPORTED = "imported", _("imported")
        MAIL_FAILED = "mailfailed", _("e-mails not sent")
        TEST_LINK = "testlink", _("test link sent")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    detail = models.CharField(max_length=255, blank=True)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.campaign}: {self.get_kind_display()}"


class UnitCode(models.Model):
    """A short code (and QR poster) with which staff without e-mail answer for a unit."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="unit_codes")
    unit = models.ForeignKey(Unit, on_delete=models.RESTRICT, related_name="+")
    code = models.CharField(max_length=16, unique=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "unit"], name="unit_code_once_per_unit")
        ]

    def __str__(self) -> str:
        return self.code


class Invitation(models.Model):
    """Who was asked. Knows the person and whether they answered – never what."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="invitations")
    # Null for the one-time tokens made from a unit code: nobody in particular was asked.
    person = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # DO_NOTHING here and on Response/Answer: the database's foreign key still refuses to drop a
    # unit that has invitations or responses (every answer has a response in its unit), but
    # Django need not load every row to check it when a whole organisation is deleted (which
    # took minutes with RESTRICT).
    unit = models.ForeignKey(Unit, on_delete=models.DO_NOTHING, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    responded = models.BooleanField(default=False)
    reminded_at = models.DateTimeField(null=True, blank=True)
    language = models.CharField(max_length=8, default="sv")
    # Bands derived from HR data at invitation time (copied to the response on submit).
    background = models.JSONField(default=dict, blank=True)
    via_code = models.BooleanField(default=False)
    # The submit's idempotency key, written by the statement that claims the link: a replay
    # finds it here. Kept on the link's side, never on the response: a value shared by a
    # response and a draft or invitation would link them in any copy of the database.
    idempotency_key = models.UUIDField(null=True, blank=True, editable=False)

    class Meta:
        indexes = [models.Index(fields=["campaign", "unit", "responded"])]

    def __str__(self) -> str:
        return f"{self.campaign} – {self.unit}"


class ReminderLink(models.Model):
    """The link of one reminder mail. A reminder carries a fresh link (no link is stored, only
    its hash, so the first cannot be sent again); every link ever mailed stays valid."""

    token_hash = models.CharField(max_length=64, primary_key=True)
    invitation = models.ForeignKey(
        Invitation, on_delete=models.CASCADE, related_name="reminder_links"
    )

    def __str__(self) -> str:
        return f"reminder link of {self.invitation_id}"


class Draft(models.Model):
    """Answers saved page by page before submitting, keyed by the link's hash.

    Keyed by the invitation's token hash (a one-to-one link, so the submit reads invitation and
    draft in one query); deleted in the transaction that stores the response.
    """

    invitation = models.OneToOneField(
        Invitation,
        on_delete=models.CASCADE,
        to_field="token_hash",
        db_column="token_hash",
        primary_key=True,
        related_name="draft",
    )
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    answers = models.JSONField(default=dict)
    background = models.JSONField(default=dict)
    page = models.PositiveSmallIntegerField(default=0)
    language = models.CharField(max_length=8, blank=True)
    idempotency_key = models.UUIDField(null=True, blank=True)
    updated_on = models.DateField(default=timezone.localdate)

    def __str__(self) -> str:
        return f"draft {self.page}"


class Response(models.Model):
    """One submitted questionnaire: unit id, bands, the day. No link to invitation or person.

    Rows are written only through `storing.py`, which also writes SQLite's hidden rowid at
    random; `Response.objects.create` would give it the next rowid, in submission order.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # No index of its own: the (campaign, unit) index below serves campaign lookups.
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="responses", db_index=False
    )
    unit = models.ForeignKey(Unit, on_delete=models.DO_NOTHING, related_name="+")
    background = models.JSONField(default=dict, blank=True)
    submitted_on = models.DateField(default=timezone.localdate)

    class Meta:
        indexes = [models.Index(fields=["campaign", "unit"])]

    def __str__(self) -> str:
        return str(self.id)


class Answer(models.Model):
    """One answer to one item, shaped for histograms.

    `campaign` and `unit` repeat the response's so that a (unit, item) histogram is one
    GROUP BY over this table alone. Scale and number answers go in `value`; single and multiple
    choices in `choice` (one row per chosen value); free text in `text`.
    """

    # Random, not a sequence: an autoincrementing id put the answers in submission order.
    id = RandomIdField(primary_key=True)
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    # Copies of the response's own campaign and unit, which the response's foreign keys already
    # hold in the database: checking them again cost two lookups per answer on every submit
    # (a sixth of a submit on PostgreSQL, bench/submit.py). Django still cascades the deletes.
    # Nothing reads answers by unit alone, so the unit has no index either.
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False, db_index=False
    )
    instrument = models.CharField(max_length=60)
    item_id = models.CharField(max_length=100)
    value = models.FloatField(null=True, blank=True)
    choice = models.CharField(max_length=100, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        # Results read a campaign's answers through the campaign's foreign-key index, and
        # comments through this index of free-text answers only. A full (campaign, instrument,
        # item, unit) index put a submit's answers into as many index pages as it has items –
        # a third of the pages each submit wrote (bench/submit.py, docs/performance.md).
        indexes = [
            models.Index(
                fields=["campaign", "instrument", "item_id"],
                condition=models.Q(text__gt=""),
                name="surveys_answer_comments",
            )
        ]

    def __str__(self) -> str:
        return f"{self.instrument}.{self.item_id}"
