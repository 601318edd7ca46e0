"""An organisation's own codebook: the shipped themes, renamed, merged or added to."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tillit.org.models import Organisation


class CodebookTheme(models.Model):
    """One seeded theme of an organisation: its name per language and its cue words per language.

    The key stays when the theme is renamed, so a theme keeps its identity across campaigns."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="codebook_themes"
    )
    key = models.SlugField(_("key"), max_length=40)
    labels = models.JSONField(_("names"), default=dict)
    terms = models.JSONField(_("cue words"), default=dict)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["organisation", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "key"], name="codebook_theme_key_once")
        ]

    def __str__(self) -> str:
        return self.labels.get("en") or self.key

    def label(self, language: str) -> str:
        """The theme's name in `language` (Swedish, then the key, when it has none)."""
        return self.labels.get(language) or self.labels.get("sv") or self.key
