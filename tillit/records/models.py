"""Records management: an organisation's retention policy, what each retention run deleted,
and the decisions on public-records and access requests."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tillit.org.models import Organisation
from tillit.surveys.models import Campaign

# Days after which each kind of data is deleted; docs/retention.md gives the reasons.
DEFAULTS = {
    "raw_answers_days": 730,
    "comments_days": 730,
    "drafts_days": 30,
    "invitations_days": 90,
    "import_files_days": 90,
    "audit_days": 730,
}


def _days(label: str, default: int) -> models.PositiveIntegerField:
    return models.PositiveIntegerField(
        label, default=default, validators=[MinValueValidator(1), MaxValueValidator(36500)]
    )


class RetentionPolicy(models.Model):
    """How long the organisation keeps each kind of data. Answers, comments, drafts and
    invitations are counted from the campaign's closing day; import files from the import's
    end; audit entries from the event."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="retention_policy"
    )
    raw_answers_days = _days(_("raw answers (days after closing)"), DEFAULTS["raw_answers_days"])
    comments_days = _days(_("comments (days after closing)"), DEFAULTS["comments_days"])
    drafts_days = _days(_("unsent drafts (days after closing)"), DEFAULTS["drafts_days"])
    invitations_days = _days(
        _("invitations and links (days after closing)"), DEFAULTS["invitations_days"]
    )
    import_files_days = _days(
        _("import jobs (days after the import)"), DEFAULTS["import_files_days"]
    )
    audit_days = _days(_("audit entries (days)"), DEFAULTS["audit_days"])
    # The authority's own retention decision (gallringsbeslut / kassationsbeslutning), if any.
    decision_reference = models.CharField(
        _("retention decision reference"), max_length=200, blank=True
    )
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"retention of {self.organisation_id}"


class RetentionRun(models.Model):
    """What one run of the retention task deleted in one organisation."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    ran_at = models.DateTimeField(default=timezone.now)
    # {"raw_answers": n, "comments": n, "drafts": n, "invitations": n, "import_files": n,
    #  "audit": n, "campaigns": [names whose raw answers went]}
    deleted = models.JSONField(default=dict)

    class Meta:
        ordering = ["-ran_at", "-pk"]

    def __str__(self) -> str:
        return f"retention run {self.ran_at:%Y-%m-%d}"


class RecordsRequest(models.Model):
    """A request under the principle of public access (offentlighetsprincipen, aktindsigt)
    or the GDPR for a campaign's results, and the decision on it."""

    class Kind(models.TextChoices):
        PUBLIC_ACCESS = "public_access", _("Public access to official documents")
        GDPR = "gdpr", _("GDPR access request")

    class Decision(models.TextChoices):
        DISCLOSED = "disclosed", _("Disclosed as published")
        REFUSED = "refused", _("Refused")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="+", verbose_name=_("campaign")
    )
    kind = models.CharField(_("kind of request"), max_length=16, choices=Kind.choices)
    reference = models.CharField(_("case reference"), max_length=100)
    received_on = models.DateField(_("received"), default=timezone.localdate)
    decision = models.CharField(_("decision"), max_length=16, choices=Decision.choices)
    reasons = models.TextField(_("reasons"), blank=True)
    decided_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-decided_at", "-pk"]

    def __str__(self) -> str:
        return self.reference
