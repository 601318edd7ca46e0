"""The good-examples library: examples, their published versions, named contacts and their
consent, curators' comments, the curator role, adoptions by other units and their follow-ups.

An example belongs to the organisation whose unit(s) it tells about. Areas and principles are
stored as ",code,code," strings so that one `LIKE '%,code,%'` filters them the same way on SQLite
and PostgreSQL (JSON containment is not portable). Contacts' names never enter a version's
stored text: a version keeps the contact ids, so withdrawn consent removes the name from
every version, page and booklet at once.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tillit.core.models import normalise_email
from tillit.org.models import Organisation, Unit

AREAS = (
    ("steering", _("Steering")),
    ("leadership", _("Leadership")),
    ("culture", _("Culture")),
    ("work_organisation", _("Work organisation")),
)
# The Trust Delegation's seven principles (SOU 2018:47), with the Tillitsindex construct ids.
PRINCIPLES = (
    ("tillit", _("Trust")),
    ("medborgarfokus", _("Citizen focus")),
    ("helhetssyn", _("Seeing the whole")),
    ("handlingsutrymme", _("Room to act")),
    ("stod", _("Support")),
    ("kunskap", _("Knowledge")),
    ("oppenhet", _("Openness")),
)
LANGUAGES = (("sv", "Svenska"), ("da", "Dansk"), ("nb", "Norsk bokmål"), ("en", "English"))
# The PostgreSQL text-search dictionary of each language (what stems a word).
SEARCH_CONFIGS = {"sv": "swedish", "da": "danish", "nb": "norwegian", "en": "english"}


def codes(values) -> str:
    """`["a", "b"]` → `",a,b,"` (the stored form of areas, principles, languages)."""
    values = [v for v in values if v]
    return f",{','.join(values)}," if values else ""


def split_codes(stored: str) -> list[str]:
    """`",a,b,"` → `["a", "b"]`."""
    return [v for v in stored.split(",") if v]


class SearchDocumentField(SearchVectorField):
    """A `tsvector` on PostgreSQL; on SQLite an unused text column (FTS5 searches there)."""

    def db_type(self, connection) -> str:
        return "tsvector" if connection.vendor == "postgresql" else "text"


class ExamplesRole(models.Model):
    """The curator role, keyed by e-mail as `org.RoleGrant` is; kept in this app so that org
    stays unaware of examples (as steering keeps its `SteeringRole`)."""

    class Role(models.TextChoices):
        CURATOR = "curator", _("Curator of good examples")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.CURATOR)
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "email", "role"], name="examples_role_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.email}: {self.get_role_display()}"

    def save(self, *args, **kwargs) -> None:
        self.email = normalise_email(self.email)
        super().save(*args, **kwargs)


class GoodExample(models.Model):
    """One good example: what a unit changed, why it worked, and what it takes to do it."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        REVIEW = "review", _("In review")
        PUBLISHED = "published", _("Published")

    class Kind(models.TextChoices):
        FIRST = "first", _("First of its kind")
        ADAPTED = "adapted", _("Adapted from another example")
        COPY = "copy", _("Copy of another example")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    problem = models.TextField(_("the problem it solved"))
    what_changed = models.TextField(_("what changed"))
    areas = models.CharField(_("areas"), max_length=100, blank=True)
    principles = models.CharField(_("trust principles"), max_length=200, blank=True)
    units = models.ManyToManyField(Unit, related_name="+", verbose_name=_("units"))
    story = models.TextField(_("the story in the unit's own words"), blank=True)
    # The inventory's answers: [{"area", "question", "answer"}] (seed 003's three areas).
    inventory = models.JSONField(default=list, blank=True)
    effort = models.TextField(_("effort"), blank=True)
    preconditions = models.TextField(_("preconditions"), blank=True)
    barriers = models.TextField(_("barriers"), blank=True)
    kind = models.CharField(_("type"), max_length=8, choices=Kind.choices, default=Kind.FIRST)
    origin = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="offspring",
        verbose_name=_("the example it came from"),
    )
    language = models.CharField(_("language"), max_length=8, choices=LANGUAGES, default="sv")
    languages = models.CharField(_("languages"), max_length=40, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    shared = models.BooleanField(_("shared with other organisations"), default=False)
    # Evidence the author points to; results' figures are found from the units themselves.
    signals = models.ManyToManyField(
        "steering.Signal", blank=True, related_name="+", verbose_name=_("steering signals")
    )
    artefacts = models.ManyToManyField(
        "programmes.Artefact", blank=True, related_name="+", verbose_name=_("experiments")
    )
    source_programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    has_evidence = models.BooleanField(default=False)
    search_text = models.TextField(blank=True, editable=False)
    search_document = SearchDocumentField(null=True, editable=False)
    version = models.PositiveIntegerField(default=0)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-published_at", "-pk"]
        indexes = [models.Index(fields=["organisation", "status"])]

    def __str__(self) -> str:
        return self.title

    def area_list(self) -> list[str]:
        return split_codes(self.areas)

    def principle_list(self) -> list[str]:
        return split_codes(self.principles)

    def area_labels(self) -> list[str]:
        return [str(label) for code, label in AREAS if code in self.area_list()]

    def principle_labels(self) -> list[str]:
        return [str(label) for code, label in PRINCIPLES if code in self.principle_list()]

    def language_list(self) -> list[str]:
        return split_codes(self.languages) or [self.language]

    def inventory_rows(self) -> list[tuple[str, str, str]]:
        """(area label, question, answer) of each inventory answer."""
        labels = dict(AREAS)
        return [
            (str(labels.get(row.get("area"), "")), row.get("question", ""), row.get("answer", ""))
            for row in self.inventory
        ]

    def unit_names(self) -> str:
        return ", ".join(u.name for u in self.units.all())


class ExampleVersion(models.Model):
    """A published version, kept when the example is published again. Holds the texts and
    the contact ids, never a contact's name (consent is read when shown)."""

    example = models.ForeignKey(GoodExample, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    data = models.JSONField()
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["example", "number"], name="example_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.example_id} v{self.number}"


class Contact(models.Model):
    """A contact person. The name is shown only while consent is given; once withdrawn, the
    name is erased from the row and the example shows the unit only."""

    example = models.ForeignKey(GoodExample, on_delete=models.CASCADE, related_name="contacts")
    unit = models.ForeignKey(Unit, on_delete=models.SET_NULL, null=True, related_name="+")
    name = models.CharField(_("name"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    role_title = models.CharField(_("role"), max_length=200, blank=True)
    consent_given_at = models.DateTimeField(null=True, blank=True)
    consent_withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.shown_name or str(self.unit or "")

    @property
    def consented(self) -> bool:
        return self.consent_given_at is not None and self.consent_withdrawn_at is None

    @property
    def shown_name(self) -> str:
        """The name when consent is given, else nothing."""
        return self.name if self.consented else ""


class Comment(models.Model):
    """A curator's comment to the author (or the author's reply) on the way to publishing."""

    example = models.ForeignKey(GoodExample, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:60]


class Adoption(models.Model):
    """A unit taking up an example, and how far it has come (the spreading guide's stages:
    an example counts as spread only when implemented and behaviour changed)."""

    class Stage(models.TextChoices):
        CONSIDERING = "considering", _("Considering")
        TESTING = "testing", _("Testing")
        IMPLEMENTED = "implemented", _("Implemented")
        ABANDONED = "abandoned", _("Abandoned")

    example = models.ForeignKey(GoodExample, on_delete=models.CASCADE, related_name="adoptions")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    stage = models.CharField(
        _("stage"), max_length=12, choices=Stage.choices, default=Stage.CONSIDERING
    )
    why_abandoned = models.TextField(_("why it was abandoned"), blank=True)
    adapted = models.TextField(_("what was adapted"), blank=True)
    programme = models.ForeignKey(
        "programmes.Programme",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("our own programme"),
    )
    follow_up_months = models.PositiveSmallIntegerField(_("ask again after (months)"), default=6)
    follow_up_due = models.DateField(null=True, blank=True)
    follow_up_sent_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.unit} ← {self.example}"


class FollowUp(models.Model):
    """The adopting unit's manager's answer: did behaviour change, with what result."""

    class Changed(models.TextChoices):
        YES = "yes", _("Yes, we work differently now")
        PARTLY = "partly", _("Partly")
        NO = "no", _("No")

    adoption = models.ForeignKey(Adoption, on_delete=models.CASCADE, related_name="follow_ups")
    behaviour_changed = models.CharField(
        _("Did behaviour actually change?"), max_length=8, choices=Changed.choices
    )
    result = models.TextField(_("With what result?"))
    stage_after = models.CharField(max_length=12, choices=Adoption.Stage.choices)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    answered_on = models.DateField(default=timezone.localdate)

    class Meta:
        ordering = ["-answered_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.adoption_id}: {self.behaviour_changed}"
