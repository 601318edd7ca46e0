"""Stored published results: one snapshot per campaign, one row per unit, and exports.

Pages, exports and the command read these rows and never recompute: `snapshot.py` writes them
from one GROUP BY over the answers through the disclosure engine. Every figure stored here has
already passed disclosure control, so whatever reads it cannot publish more than the engine let
out. A unit's full published JSON lives in `ResultUnit.data`, its headline figures (indices and
counts) in `ResultUnit.summary`, so the overview reads a few hundred bytes per unit.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tillit.org.models import Organisation
from tillit.surveys.models import Campaign


class RowJSONField(models.JSONField):
    """A JSONField that bulk_create inserts row by row rather than through UNNEST.

    On PostgreSQL, Django 5.2 bulk-inserts through UNNEST of one array per column, and psycopg
    escapes every double quote of every JSON document as an array element with a regular
    expression: 7 of 22 seconds when storing 5,000 units' results. A placeholder of its own
    opts the field out of UNNEST (Django skips it for fields that have one).
    """

    def get_placeholder(self, value, compiler, connection) -> str:
        return "%s"


class ResultSnapshot(models.Model):
    """The published result of one campaign, as of `computed_at`."""

    campaign = models.OneToOneField(Campaign, on_delete=models.CASCADE, related_name="snapshot")
    computed_at = models.DateTimeField(null=True, blank=True)
    # {"campaign": {...}, "thresholds": {...}, "instruments": [...], "left_out": n, ...}
    data = models.JSONField(default=dict, blank=True)
    thresholds = models.JSONField(default=dict, blank=True)
    mode = models.CharField(max_length=16, default="move_up")
    # Frozen at launch (ANONYMITY.md, "One campaign, many publications"): each unit's parent
    # as the tree stood then ({unit pk: parent pk or None}), with `thresholds` and `mode`.
    # Every publication of the campaign is made on these, never on today's tree or settings.
    tree = models.JSONField(default=dict, blank=True)
    frozen_at = models.DateTimeField(null=True, blank=True)
    # Set when a refresh is enqueued, cleared when it starts: at most one refresh waits.
    refresh_queued_at = models.DateTimeField(null=True, blank=True)
    # Set when retention deleted raw answers or comments of the (closed) campaign: from then on
    # the stored publication is final and is never rebuilt from the fewer answers left.
    raw_deleted_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"results of {self.campaign_id}"

    @property
    def ready(self) -> bool:
        return self.computed_at is not None


class Publication(models.Model):
    """One entry of a campaign's publication ledger: what was published when it closed.

    `epoch` holds, compressed, the direct counts and decisions of the answers this publication
    added (the first: all of them; a later one: those that arrived since), so the next
    publication knows what is already out and publishes only what keeps every difference of
    publications at k or more (`republishing.py`).
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="publications")
    number = models.PositiveIntegerField()
    published_at = models.DateTimeField(default=timezone.now)
    n_responses = models.PositiveIntegerField(default=0)
    epoch = models.BinaryField()

    class Meta:
        ordering = ["campaign", "number"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "number"], name="publication_once")
        ]

    def __str__(self) -> str:
        return f"publication {self.number} of {self.campaign_id}"


class DisclosureEvent(models.Model):
    """The audit log of disclosure: setups frozen, publications made, settings changed after
    a launch (and that the frozen ones were kept)."""

    class Kind(models.TextChoices):
        FROZEN = "frozen", _("tree, thresholds and mode frozen at launch")
        PUBLISHED = "published", _("published")
        REPUBLISHED = "republished", _("published again with later answers")
        HELD_BACK = "held_back", _("later answers held back to protect anonymity")
        SETTING_IGNORED = "ignored", _("setting changed after launch; the frozen one kept")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    detail = models.CharField(max_length=500, blank=True)
    # What the entry says, as data: shown in the reader's language (`description`).
    facts = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.campaign_id})"

    def description(self) -> str:
        """The entry's detail in the reader's language (entries older than `facts`: as stored)."""
        facts = self.facts or {}
        if self.kind == self.Kind.FROZEN and "units" in facts:
            return ngettext(
                "%(units)s unit; %(mode)s; minimum group %(k)s",
                "%(units)s units; %(mode)s; minimum group %(k)s",
                facts["units"],
            ) % {**facts, "mode": mode_label(facts["mode"])}
        if self.kind in (self.Kind.PUBLISHED, self.Kind.REPUBLISHED) and "number" in facts:
            return (
                ngettext(
                    "publication %(number)s: %(answers)s answer",
                    "publication %(number)s: %(answers)s answers",
                    facts["answers"],
                )
                % facts
            )
        if self.kind == self.Kind.SETTING_IGNORED and "changes" in facts:
            return "; ".join(
                f"{setting_label(name)}: {mode_label(old)} → {mode_label(new)}"
                if name == "mode"
                else f"{setting_label(name)}: {old} → {new}"
                for name, old, new in facts["changes"]
            )
        if self.kind == self.Kind.HELD_BACK and facts.get("reason") == "answers_missing":
            return str(
                _("answers published earlier are missing, so the earlier publication stands")
            )
        return self.detail


def mode_label(mode: str) -> str:
    """A disclosure mode's name in the reader's language."""
    return str(dict(ResultSettings.Mode.choices).get(mode, mode))


def setting_label(name: str) -> str:
    """A frozen setting's name in the reader's language (a threshold's label, or the mode)."""
    if name == "mode":
        return str(ResultSettings._meta.get_field("mode").verbose_name)
    return str(Campaign._meta.get_field(name).verbose_name)


class ResultUnit(models.Model):
    """One unit of a snapshot: its published JSON (`data`) and headline figures (`summary`)."""

    snapshot = models.ForeignKey(ResultSnapshot, on_delete=models.CASCADE, related_name="units")
    unit_pk = models.IntegerField()  # the org Unit's primary key (units are never deleted)
    external_id = models.CharField(max_length=64)
    parent_external_id = models.CharField(max_length=64, blank=True)
    path = models.CharField(max_length=512)
    depth = models.PositiveSmallIntegerField()  # 0 for the campaign's top unit
    position = models.PositiveIntegerField()  # tree order (depth first)
    shown = models.BooleanField()
    summary = RowJSONField(default=dict)
    data = RowJSONField(default=dict)

    class Meta:
        ordering = ["position"]
        indexes = [
            models.Index(fields=["snapshot", "depth"]),
            models.Index(fields=["snapshot", "unit_pk"]),
            # The overview's open branches and which listed units have units below.
            models.Index(fields=["snapshot", "parent_external_id"]),
        ]

    def __str__(self) -> str:
        return self.external_id


class ResultSettings(models.Model):
    """Per organisation: the disclosure mode and the municipality code for Kolada."""

    class Mode(models.TextChoices):
        MOVE_UP = "move_up", _("Leave small remainders out of the parent's figure (move-up)")
        COMPLEMENTARY = "complementary", _("Keep totals exact and hide more units instead")

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="result_settings"
    )
    mode = models.CharField(
        _("disclosure mode"), max_length=16, choices=Mode.choices, default=Mode.MOVE_UP
    )
    municipality_code = models.CharField(_("municipality code"), max_length=8, blank=True)

    def __str__(self) -> str:
        return f"result settings of {self.organisation_id}"


class KoladaValue(models.Model):
    """A published HME value from Kolada for one municipality and year."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="kolada_values"
    )
    municipality_code = models.CharField(max_length=8)
    year = models.PositiveSmallIntegerField()
    total = models.FloatField()
    motivation = models.FloatField(null=True, blank=True)
    ledarskap = models.FloatField(null=True, blank=True)
    styrning = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["-year", "municipality_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "municipality_code", "year"], name="kolada_value_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.municipality_code} {self.year}"


class ReportBatch(models.Model):
    """A ZIP of every visible unit's PDF report, made by a background task."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    language = models.CharField(max_length=8, default="sv")
    unit_pks = models.JSONField(default=list)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    processed = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    content = models.BinaryField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"batch {self.pk}"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int:
        return int(100 * self.processed / self.total) if self.total else 0
