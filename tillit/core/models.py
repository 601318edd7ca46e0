"""Login accounts. People of an organisation live in `org`; a User is only a way to log in."""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def normalise_email(email: str) -> str:
    """The one spelling of an e-mail address that Tillit stores and compares."""
    return (email or "").strip().lower()


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields) -> "User":
        """A user who logs in with this e-mail (no usable password if none is given)."""
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=normalise_email(email), **fields)
        user.set_password(password)  # None gives an unusable password
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> "User":
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("e-mail address"), unique=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(default=False)
    # A site operator creates organisations and names their first process owners; set only
    # on the command line (`tillit grant-operator`), never in the browser.
    is_operator = models.BooleanField(_("site operator"), default=False, db_default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.name or self.email

    def save(self, *args, **kwargs) -> None:
        self.email = normalise_email(self.email)
        super().save(*args, **kwargs)


class WorkerHeartbeat(models.Model):
    """A task worker's sign of life, written every few seconds by `tillit worker`.

    A task whose worker stopped beating was cut off (the process was killed or the machine
    went down): core/jobs.py marks it and its job failed. `/health` reads it too.
    """

    worker_id = models.CharField(max_length=64, primary_key=True)
    queues = models.CharField(max_length=200)
    host = models.CharField(max_length=200)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.queues})"


class Counter(models.Model):
    """A counter that expires, incremented atomically (core/throttle.py).

    Django's database cache increments with a read and a write, so 40 parallel login
    guesses could all read the same count; an UPDATE … SET count = count + 1 cannot.
    The key is a hash: no e-mail or IP address is stored in clear.
    """

    key = models.CharField(max_length=80, primary_key=True)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.key}={self.count}"
