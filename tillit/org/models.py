"""Organisations (tenants), their unit tree with its history, people and roles."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tillit.core.models import normalise_email

#: The lowest minimum group Tillit allows for any figure (ANONYMITY.md: "never below 3").
K_FLOOR = 3
#: The default thresholds (DESIGN.md): scores, distributions, comments, sensitive items.
DEFAULT_THRESHOLDS = {"k": 5, "k_dist": 8, "k_text": 10, "k_sensitive": 20}


class Organisation(models.Model):
    class Country(models.TextChoices):
        SE = "se", _("Sweden")
        DK = "dk", _("Denmark")
        NO = "no", _("Norway")
        OTHER = "other", _("Other country")

    class Benchmark(models.TextChoices):
        NONE = "none", _("No benchmark")
        KOLADA = "kolada", _("Kolada (Swedish municipalities and regions)")

    slug = models.SlugField(_("short name"), unique=True, max_length=60)
    name = models.CharField(_("name"), max_length=200)
    # Database defaults too: rows written by older code (or a migration test's old state)
    # still get a value.
    country = models.CharField(
        _("country"), max_length=8, choices=Country, default=Country.SE, db_default="se"
    )
    language = models.CharField(
        _("default language"), max_length=8, choices=settings.LANGUAGES, default="sv"
    )
    # Report logo: kept in the database (small, validated image) so backups hold it.
    logo = models.BinaryField(null=True, blank=True, editable=False)
    logo_type = models.CharField(max_length=40, blank=True, editable=False, db_default="")
    k = models.PositiveSmallIntegerField(
        _("minimum group (k)"),
        default=DEFAULT_THRESHOLDS["k"],
        db_default=DEFAULT_THRESHOLDS["k"],
        validators=[MinValueValidator(K_FLOOR), MaxValueValidator(10)],
    )
    k_dist = models.PositiveSmallIntegerField(
        _("minimum group for distributions"),
        default=DEFAULT_THRESHOLDS["k_dist"],
        db_default=DEFAULT_THRESHOLDS["k_dist"],
        validators=[MinValueValidator(K_FLOOR), MaxValueValidator(30)],
    )
    k_text = models.PositiveSmallIntegerField(
        _("minimum group for comments"),
        default=DEFAULT_THRESHOLDS["k_text"],
        db_default=DEFAULT_THRESHOLDS["k_text"],
        validators=[MinValueValidator(K_FLOOR), MaxValueValidator(30)],
    )
    k_sensitive = models.PositiveSmallIntegerField(
        _("minimum group for sensitive questions"),
        default=DEFAULT_THRESHOLDS["k_sensitive"],
        db_default=DEFAULT_THRESHOLDS["k_sensitive"],
        validators=[MinValueValidator(K_FLOOR), MaxValueValidator(50)],
    )
    hourly_cost = models.DecimalField(
        _("hourly cost incl. overheads"),
        max_digits=8,
        decimal_places=2,
        default=Decimal(0),
        db_default=Decimal(0),
    )
    currency = models.CharField(_("currency"), max_length=8, default="SEK", db_default="SEK")
    benchmark = models.CharField(
        _("benchmark"),
        max_length=12,
        choices=Benchmark,
        default=Benchmark.KOLADA,
        db_default="kolada",
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Set by a site operator: hidden from everyone and read-only, every record kept (a public
    # authority may destroy records only under its retention decision); deleting comes after.
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def shows_kolada(self) -> bool:
        """Kolada's HME figures mean something for Swedish municipalities and regions only."""
        return self.country == self.Country.SE and self.benchmark == self.Benchmark.KOLADA

    def thresholds(self) -> dict[str, int]:
        """The organisation's default minimum groups, for new campaigns."""
        return {name: getattr(self, name) for name in DEFAULT_THRESHOLDS}


class UnitQuerySet(models.QuerySet):
    def open(self) -> "UnitQuerySet":
        """Units that are not closed."""
        return self.filter(closed_at__isnull=True)

    def subtree(self, unit: "Unit") -> "UnitQuerySet":
        """The unit and every unit below it (one indexed prefix scan)."""
        return self.filter(organisation_id=unit.organisation_id, path__startswith=unit.path)


class Unit(models.Model):
    """One node of an organisation's tree.

    `path` is a materialised path of primary keys ("/12/40/97/"), so a subtree is one
    prefix query and the ancestors are read off the path, on SQLite and PostgreSQL alike.
    Closed units are kept (with `closed_at`), because old results are read against them.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="units")
    external_id = models.CharField(_("unit id"), max_length=64)
    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent unit"),
    )
    path = models.CharField(max_length=512, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    unit_type = models.CharField(_("type"), max_length=60, blank=True)
    cost_centre = models.CharField(_("cost centre"), max_length=60, blank=True)
    manager_email = models.EmailField(_("manager's e-mail"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "external_id"], name="unit_external_id_unique"
            )
        ]
        indexes = [models.Index(fields=["organisation", "path"])]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.manager_email = normalise_email(self.manager_email)
        super().save(*args, **kwargs)
        path = (self.parent.path if self.parent_id else "/") + f"{self.pk}/"
        if path != self.path:
            self._set_path(path)

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    def ancestor_ids(self) -> list[int]:
        """Primary keys from the root down to the parent, read off the path."""
        return [int(p) for p in self.path.strip("/").split("/")[:-1] if p]

    def ancestors(self) -> "UnitQuerySet":
        """The units above this one."""
        return Unit.objects.filter(pk__in=self.ancestor_ids()).order_by("depth")

    def is_within(self, other: "Unit") -> bool:
        """True when this unit is `other` or lies below it."""
        return self.organisation_id == other.organisation_id and self.path.startswith(other.path)

    def _set_path(self, path: str) -> None:
        """Give this unit a new path and rewrite its subtree's paths in one UPDATE."""
        from django.db.models import Value
        from django.db.models.functions import Concat, Substr

        old = self.path
        depth = path.count("/") - 2
        if old:
            shift = depth - self.depth
            Unit.objects.filter(organisation_id=self.organisation_id, path__startswith=old).update(
                path=Concat(Value(path), Substr("path", len(old) + 1)),
                depth=models.F("depth") + shift,
            )
        else:
            Unit.objects.filter(pk=self.pk).update(path=path, depth=depth)
        self.path, self.depth = path, depth


class UnitChange(models.Model):
    """One change of a unit, kept so the tree can be read as it was on a given day."""

    class Kind(models.TextChoices):
        CREATED = "created", _("created")
        RENAMED = "renamed", _("renamed")
        MOVED = "moved", _("moved")
        CLOSED = "closed", _("closed")
        REOPENED = "reopened", _("reopened")
        EDITED = "edited", _("edited")

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    field = models.CharField(max_length=40, blank=True)
    old_value = models.CharField(max_length=255, blank=True)
    new_value = models.CharField(max_length=255, blank=True)
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    source = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.unit}: {self.get_kind_display()}"


class Person(models.Model):
    """An employee of an organisation, as the HR system knows them."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="people")
    email = models.EmailField(_("e-mail address"))
    name = models.CharField(_("name"), max_length=200)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="people")
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("birth year"), null=True, blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    gender = models.CharField(_("gender"), max_length=20, blank=True)
    active = models.BooleanField(_("active"), default=True)
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "email"], name="person_email_unique")
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.email = normalise_email(self.email)
        super().save(*args, **kwargs)


class RoleGrant(models.Model):
    """A role given to an e-mail address in an organisation.

    Keyed by e-mail, not by account, so roles can be imported or granted before the
    person has logged in for the first time. Managers are not granted here: a unit's
    manager is its `manager_email`, as the HR file says. Every active person is an
    employee without a grant.
    """

    class Role(models.TextChoices):
        ADMIN = "admin", _("Organisation admin / process owner")
        MED = "med", _("Union / cooperation representative (MED)")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="grants")
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("unit")
    )
    granted_at = models.DateTimeField(default=timezone.now)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "email", "role", "unit"], name="role_grant_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.email}: {self.get_role_display()}"

    def save(self, *args, **kwargs) -> None:
        self.email = normalise_email(self.email)
        super().save(*args, **kwargs)


class ImportJob(models.Model):
    """An upload of units or people, validated and applied by a background task."""

    class Kind(models.TextChoices):
        UNITS = "units", _("Units")
        PEOPLE = "people", _("People")

    class Status(models.TextChoices):
        MAPPING = "mapping", _("Columns to match")
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Importing")
        PREVIEW = "preview", _("Waiting for your confirmation")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="imports")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    filename = models.CharField(max_length=255)
    # The file is kept only until it is applied: it holds personal data.
    content = models.BinaryField(null=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list)
    summary = models.JSONField(default=dict)
    # Tillit's column -> the file's column, as chosen for this file (see ColumnMapping).
    mapping = models.JSONField(default=dict, blank=True)
    # What applying would do, computed by applying and rolling back; applied only once the
    # process owner confirms, and only while the organisation still has `fingerprint`.
    preview = models.JSONField(default=dict, blank=True)
    fingerprint = models.CharField(max_length=64, blank=True, db_default="")
    confirmed = models.BooleanField(default=False, db_default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.filename

    @property
    def percent(self) -> int:
        return int(100 * self.processed / self.total) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}


class ColumnMapping(models.Model):
    """How one organisation's HR files name Tillit's columns, remembered for the next import."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="column_mappings"
    )
    kind = models.CharField(max_length=10, choices=ImportJob.Kind.choices)
    # Tillit's column -> the file's column (normalised as tables.normalise_column does).
    columns = models.JSONField(default=dict)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "kind"], name="column_mapping_unique")
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.kind}"
