"""The audit log: who read or exported which results, who changed roles, thresholds and
settings, who ran imports, who logged in and who made or revoked API tokens – one row per
event, never an answer or a token."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The page's words for the detail keys `log.DETAIL_KEYS` allows.
DETAIL_LABELS = {
    "campaign": _("campaign"),
    "unit": _("unit"),
    "format": _("format"),
    "email": _("e-mail"),
    "role": _("role"),
    "setting": _("setting"),
    "old": _("before"),
    "new": _("after"),
    "file": _("file"),
    "kind": _("kind"),
    "rows": _("rows"),
    "count": _("number"),
    "units": _("units"),
    "errors": _("errors"),
    "reference": _("case reference"),
    "decision": _("decision"),
    "deleted": _("deleted"),
    "name": _("name"),
    "scopes": _("scopes"),
}


class AuditEntry(models.Model):
    """One event. The organisation is referred to by label, so this app reads only core and
    every app can write to it."""

    class Kind(models.TextChoices):
        RESULTS_READ = "results_read", _("Results read")
        RESULTS_EXPORTED = "results_exported", _("Results exported")
        ROLE_GRANTED = "role_granted", _("Role granted")
        ROLE_REVOKED = "role_revoked", _("Role revoked")
        THRESHOLDS_CHANGED = "thresholds_changed", _("Thresholds changed")
        SETTINGS_CHANGED = "settings_changed", _("Settings changed")
        SSO_CHANGED = "sso_changed", _("Single sign-on changed")
        IMPORT_RUN = "import_run", _("Import run")
        RECORDS_EXPORTED = "records_exported", _("Records request answered")
        PERSONAL_EXPORTED = "personal_exported", _("Own data exported")
        RETENTION_RUN = "retention_run", _("Retention run")
        ORGANISATION_RENAMED = "organisation_renamed", _("Organisation renamed")
        ORGANISATION_ARCHIVED = "organisation_archived", _("Organisation archived")
        ORGANISATION_RESTORED = "organisation_restored", _("Organisation restored")
        ORGANISATION_DELETED = "organisation_deleted", _("Organisation deleted")
        LOGIN_PASSWORD = "login_password", _("Logged in with a password")
        LOGIN_SSO = "login_sso", _("Logged in through single sign-on")
        API_TOKEN_CREATED = "api_token_created", _("API token created")
        API_TOKEN_REVOKED = "api_token_revoked", _("API token revoked")

    # Null only on the entry that an organisation was deleted (its name is in the detail): that
    # entry outlives the organisation, the organisation's own entries are deleted with it.
    organisation = models.ForeignKey(
        "org.Organisation", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Kept when the account is deleted: the log says who, for as long as it is kept.
    actor_email = models.CharField(_("who"), max_length=254, blank=True)
    kind = models.CharField(_("event"), max_length=32, choices=Kind.choices)
    detail = models.JSONField(default=dict)
    # The detail's values in lower case, for the search box on both databases.
    search_text = models.CharField(max_length=1000, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["organisation", "-at"], name="audit_org_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_email} {self.kind}"

    def detail_items(self) -> list[tuple[str, str]]:
        """The detail as (label in the reader's language, value as text), for the page."""
        items = []
        for key, value in self.detail.items():
            if isinstance(value, dict):
                value = ", ".join(f"{name} {item}" for name, item in value.items())
            elif isinstance(value, list):
                value = ", ".join(str(item) for item in value)
            items.append((str(DETAIL_LABELS.get(key, key)), str(value)))
        return items
