"""Programme templates (versioned data), programmes started from them, and their artefacts.

A template's content lives in `TemplateVersion.definition` (see `validation.py` for its shape);
versions are never edited, and a programme keeps the version it was started with.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import OuterRef, Subquery
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from tillit.core.models import normalise_email
from tillit.org.models import Organisation, Person, Unit
from tillit.programmes.catalogue import ACTION_STATUSES, ARTEFACT_KINDS


def text_for(texts: dict | None, language: str) -> str:
    """A text in `language`, falling back to Swedish, then to any language."""
    if not texts:
        return ""
    return texts.get(language) or texts.get("sv") or next(iter(texts.values()), "")


class ProgrammeTemplate(models.Model):
    """A method (samskabt styring, a management-group programme …) as installed templates."""

    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    title = models.JSONField(_("title"), default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("programme template")
        verbose_name_plural = _("programme templates")
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.slug

    def latest(self) -> TemplateVersion | None:
        """The newest version, or None."""
        return self.versions.order_by("-number").first()


class TemplateVersion(models.Model):
    """One frozen definition of a template; a changed file becomes a new number."""

    template = models.ForeignKey(
        ProgrammeTemplate, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    definition = models.JSONField(_("definition"))
    checksum = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["template", "number"]
        constraints = [
            models.UniqueConstraint(fields=["template", "number"], name="template_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.template.slug} v{self.number}"

    def step(self, step_id: str) -> dict | None:
        """The step definition with this id, or None."""
        return next((s for s in self.definition["steps"] if s["id"] == step_id), None)


class Programme(models.Model):
    """One run of a method in an organisation, for one or several units."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Running")
        DONE = "done", _("Finished")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="programmes"
    )
    template_version = models.ForeignKey(
        TemplateVersion, on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    units = models.ManyToManyField(Unit, related_name="programmes", verbose_name=_("units"))
    # The survey a results dialogue talks about: its results step shows this campaign's
    # published figures (else the units' newest). Surveys lie above programmes in the layers.
    campaign = models.ForeignKey(
        "surveys.Campaign",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("survey"),
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def definition(self) -> dict:
        return self.template_version.definition

    def text(self, texts: dict | None) -> str:
        """A template text in the programme's language."""
        return text_for(texts, self.language)


class ProgrammeStep(models.Model):
    """Where one step of a programme stands; steps may be worked on in any order."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="steps")
    step_id = models.CharField(max_length=60)
    position = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    done_at = models.DateTimeField(null=True, blank=True)
    # Indexes of the checklist points that are ticked.
    checked = models.JSONField(default=list)

    class Meta:
        ordering = ["programme", "position"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "step_id"], name="programme_step_unique")
        ]

    def __str__(self) -> str:
        return f"{self.programme}: {self.step_id}"

    @property
    def definition(self) -> dict:
        return self.programme.template_version.step(self.step_id) or {}


class Participant(models.Model):
    """Someone taking part, by e-mail (they may not have an account yet)."""

    class Role(models.TextChoices):
        FACILITATOR = "facilitator", _("Facilitator")
        PARTICIPANT = "participant", _("Participant")
        MED = "med", _("MED / union representative")
        MANAGER = "manager", _("Manager")
        EXTERNAL = "external", _("External stakeholder")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="participants")
    email = models.EmailField(_("e-mail address"))
    name = models.CharField(_("name"), max_length=200, blank=True)
    role = models.CharField(
        _("role"), max_length=12, choices=Role.choices, default=Role.PARTICIPANT
    )
    person = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True)

    class Meta:
        ordering = ["role", "name", "email"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "email"], name="participant_unique")
        ]

    def __str__(self) -> str:
        return self.name or self.email

    def save(self, *args, **kwargs) -> None:
        self.email = normalise_email(self.email)
        super().save(*args, **kwargs)


class Session(models.Model):
    """A planned meeting or workshop for one step."""

    step = models.ForeignKey(ProgrammeStep, on_delete=models.CASCADE, related_name="sessions")
    date = models.DateTimeField(_("date and time"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    agenda = models.TextField(_("agenda"), blank=True)

    class Meta:
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.step}: {self.date:%Y-%m-%d}"


class ArtefactQuerySet(models.QuerySet):
    def actions(self) -> ArtefactQuerySet:
        return self.filter(kind="action")

    def open_actions(self) -> ArtefactQuerySet:
        """Actions that are neither done nor stopped."""
        return self.actions().exclude(status__in=("done", "stopped"))

    def with_owner_names(self) -> ArtefactQuerySet:
        """Each row with its owner's name from the organisation file, read in the same query
        (a list of actions would otherwise ask once per row for `owner_name`)."""
        person = Person.objects.filter(
            organisation_id=OuterRef("organisation_id"), email=OuterRef("owner_email")
        )
        return self.annotate(owner_person_name=Subquery(person.values("name")[:1]))

    def overdue(self, today=None) -> ArtefactQuerySet:
        """Open actions whose follow-up date has passed."""
        today = today or timezone.localdate()
        return self.open_actions().filter(due_date__lt=today)


class Artefact(models.Model):
    """What a step produced: a challenge, solution, action, glossary term, game rule, SWOT item,
    decision, lesson or story.

    One model with a `kind` and a JSON `data` checked against the small schema of that kind in
    `catalogue.ARTEFACT_KINDS`, because nine kinds with two to nine fields each would otherwise be
    nine models, nine forms and nine migrations for the same behaviour (list, edit, version check,
    report). The forms are built from the schema. Fields that are queried – the title, and an
    action's owner, follow-up date and status – are real columns.

    Artefacts belong to the organisation and outlive the step and programme that made them
    (`programme` and `step_id` record where they came from); `unit` lets a unit's actions be shown
    with its next results. `version` counts edits: an edit names the version it started from and
    is refused if someone else saved in between (see `actions.do_update_artefact`).
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="artefacts"
    )
    programme = models.ForeignKey(
        Programme, on_delete=models.SET_NULL, null=True, blank=True, related_name="artefacts"
    )
    step_id = models.CharField(max_length=60, blank=True)
    unit = models.ForeignKey(
        Unit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(
        max_length=20, choices=[(k, v.label) for k, v in ARTEFACT_KINDS.items()]
    )
    title = models.CharField(max_length=300)
    data = models.JSONField(default=dict)
    owner_email = models.EmailField(blank=True)
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, blank=True, choices=ACTION_STATUSES)
    # The follow-up date each reminder was last sent for (`mailing.run_action_reminders`):
    # the claim that makes the tick send it once, and a moved date due again.
    due_reminder_for = models.DateField(null=True, blank=True, editable=False)
    overdue_reminder_for = models.DateField(null=True, blank=True, editable=False)
    # Follow-up of actions: [{"label", "before", "after", "unit"}] and [{"date", "text", "by"}].
    measurements = models.JSONField(default=list)
    logbook = models.JSONField(default=list)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ArtefactQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "created_at", "pk"]
        indexes = [
            models.Index(fields=["organisation", "kind", "status"]),
            models.Index(fields=["owner_email"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_overdue(self) -> bool:
        return (
            self.kind == "action"
            and self.status not in ("done", "stopped")
            and self.due_date is not None
            and self.due_date < timezone.localdate()
        )

    @property
    def owner_name(self) -> str:
        """The owner as people know them: their name from the organisation file, else the
        e-mail address."""
        if not self.owner_email:
            return ""
        if "owner_person_name" in self.__dict__:  # read with the row (`with_owner_names`)
            name = self.owner_person_name
        else:
            person = Person.objects.filter(
                organisation_id=self.organisation_id, email=self.owner_email
            ).first()
            name = person.name if person else ""
        return name or self.owner_email

    def values(self) -> dict:
        """Every schema field's value, columns and data together."""
        values = dict(self.data)
        for field in ARTEFACT_KINDS[self.kind].fields:
            if field.column:
                values[field.name] = getattr(self, field.name)
        return values

    def display_rows(self) -> list[tuple[str, str]]:
        """(label, value) for every filled field except the title, for pages and reports."""
        rows = []
        values = self.values()
        for field in ARTEFACT_KINDS[self.kind].fields[1:]:
            value = values.get(field.name)
            if value in (None, ""):
                continue
            if field.type == "choice":
                value = dict(field.choices).get(value, value)
            elif field.type == "person":
                value = self.owner_name if field.name == "owner_email" else value
            elif field.type == "date":
                value = formats.date_format(value, "SHORT_DATE_FORMAT")
            elif field.type == "ref":
                target = Artefact.objects.filter(
                    pk=value, organisation_id=self.organisation_id
                ).first()
                value = target.title if target else "–"
            rows.append((str(field.label), str(value)))
        return rows
