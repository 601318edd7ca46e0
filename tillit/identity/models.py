"""Single sign-on per organisation and the tokens machines use (SCIM and the API)."""

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tillit.org.models import Organisation, Unit


class SingleSignOn(models.Model):
    """How an organisation's staff log in through its own identity provider."""

    class Protocol(models.TextChoices):
        OIDC = "oidc", _("OpenID Connect")
        SAML = "saml", _("SAML 2.0")

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="single_sign_on"
    )
    protocol = models.CharField(_("protocol"), max_length=8, choices=Protocol.choices)
    enabled = models.BooleanField(_("single sign-on is on"), default=False)
    password_login = models.BooleanField(
        _("e-mail and password login is allowed too"),
        default=True,
        help_text=_("Turn off to make staff log in through the identity provider only."),
    )
    # OpenID Connect
    issuer = models.URLField(
        _("issuer"),
        blank=True,
        help_text=_("The provider's address; its /.well-known/openid-configuration is read."),
    )
    client_id = models.CharField(_("client id"), max_length=255, blank=True)
    client_secret = models.CharField(_("client secret"), max_length=255, blank=True)
    # SAML 2.0
    metadata_url = models.URLField(_("metadata address"), blank=True)
    metadata_xml = models.TextField(
        _("metadata file"),
        blank=True,
        help_text=_(
            "The identity provider's metadata XML, when it is not published at an address."
        ),
    )
    # What the provider's attributes (SAML) or claims (OIDC) are called.
    email_attribute = models.CharField(_("e-mail attribute"), max_length=255, default="email")
    name_attribute = models.CharField(_("name attribute"), max_length=255, default="name")
    unit_attribute = models.CharField(
        _("unit attribute"),
        max_length=255,
        blank=True,
        help_text=_("Optional: an attribute holding the unit id (unit_id of the import)."),
    )
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("single sign-on")

    def __str__(self) -> str:
        return f"{self.organisation}: {self.get_protocol_display()}"


def hash_token(secret: str) -> str:
    """The stored form of a token: SHA-256 is enough for 256 random bits (no guessing)."""
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token of one organisation, for SCIM or the API, with scopes.

    Only its SHA-256 is stored; the secret is shown once, when it is made. A token reads
    what a process owner reads, or – with a unit – what that unit's manager reads.
    """

    class Scope(models.TextChoices):
        SCIM = "scim", _("SCIM provisioning of people")
        READ_ORG = "org:read", _("Read the unit tree")
        WRITE_ORG = "org:write", _("Change the unit tree and people")
        READ_RESULTS = "results:read", _("Read published results")
        READ_CAMPAIGNS = "campaigns:read", _("Read campaigns and their status")
        READ_PROGRAMMES = "programmes:read", _("Read programmes' actions")
        READ_STEERING = "steering:read", _("Read the steering-signal register")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=16, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    scopes = models.JSONField(_("scopes"), default=list)
    unit = models.ForeignKey(
        Unit,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("limited to unit"),
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def scope_labels(self) -> list[str]:
        labels = dict(self.Scope.choices)
        return [str(labels.get(s, s)) for s in self.scopes]
