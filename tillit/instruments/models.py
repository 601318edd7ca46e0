"""Instruments (questionnaires) and their immutable, numbered versions.

An instrument's content lives in `InstrumentVersion.definition`, the normalised form described
in `tillit/instruments/definition.py`. Versions are never edited: a changed file becomes a new
version, so a campaign keeps exactly the questions it was launched with.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tillit.org.models import Organisation


class Instrument(models.Model):
    """A questionnaire, shipped (organisation is null: shared by all) or an organisation's own."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="instruments",
        verbose_name=_("organisation"),
    )
    slug = models.SlugField(_("short name"), max_length=60)
    title = models.JSONField(_("title"), default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("instrument")
        verbose_name_plural = _("instruments")
        ordering = ["slug"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "slug"], name="instrument_slug_unique_per_org"
            ),
            # NULLs are distinct in a unique constraint, so shipped ones need their own.
            models.UniqueConstraint(
                fields=["slug"],
                condition=models.Q(organisation__isnull=True),
                name="instrument_slug_unique_global",
            ),
        ]

    def __str__(self) -> str:
        return self.slug

    def latest(self) -> "InstrumentVersion | None":
        """The newest version, or None if none is installed yet."""
        return self.versions.order_by("-number").first()

    def title_in(self, language: str) -> str:
        """The title in `language`, falling back to Swedish."""
        from tillit.instruments.definition import text_for

        return text_for(self.title, language) or self.slug


class InstrumentVersion(models.Model):
    """One frozen definition of an instrument; `number` counts 1, 2, 3 … per instrument."""

    instrument = models.ForeignKey(
        Instrument, on_delete=models.CASCADE, related_name="versions", verbose_name=_("instrument")
    )
    number = models.PositiveIntegerField(_("version"))
    definition = models.JSONField(_("definition"))
    checksum = models.CharField(_("checksum"), max_length=64, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("instrument version")
        verbose_name_plural = _("instrument versions")
        ordering = ["instrument", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["instrument", "number"], name="instrument_version_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.instrument.slug} v{self.number}"

    def name(self, language: str | None = None, *, version: bool = False) -> str:
        """The instrument's title in the reader's language (the active one unless given),
        never its key; `version` adds "(version 2)" where a later version exists."""
        from django.utils.translation import get_language
        from django.utils.translation import gettext as _

        title = self.instrument.title_in(language or get_language() or "sv")
        if version and self.number > 1:
            title = _("%(title)s (version %(number)s)") % {"title": title, "number": self.number}
        return title

    @property
    def display_name(self) -> str:
        """`name()` for templates."""
        return self.name()
