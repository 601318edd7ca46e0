"""Live workshop sessions of a programme step: who joined, what they contributed, themes, votes.

A session copies the step's live tools at start (`tools`), so a template change never alters a
running workshop. Every write goes through `actions.py`, `contributing.py` or `outcomes.py`;
each one bumps `WorkshopSession.version`, which the polling views compare to answer "nothing
new" cheaply.
"""

from __future__ import annotations

import hashlib
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tillit.core.ids import RandomIdField
from tillit.programmes.models import Artefact, ProgrammeStep

# No 0/O, 1/I/L: codes are read aloud and typed on phones.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6


def hash_token(token: str) -> str:
    """The stored form of a participant's cookie token (the token itself is never stored)."""
    return hashlib.sha256(token.encode()).hexdigest()


def owner_mark(token: str, key) -> str:
    """What lets a phone recognise its own anonymous contribution: a hash of its cookie token
    and the contribution's key. Only the token's hash is stored, so the database cannot tell
    whose it is; only the phone holding the token can."""
    return hashlib.sha256(f"mark:{token}:{key}".encode()).hexdigest()


def position_key(token: str, tool_index: int, item: int) -> uuid.UUID:
    """The key of a phone's one position on a dilemma, made from its cookie token: the token
    is never stored (only its hash), so neither the database nor a page ties a position to a
    participant, while the phone finds its own again by the same token."""
    digest = hashlib.sha256(f"position:{token}:{tool_index}:{item}".encode()).digest()
    return uuid.UUID(bytes=digest[:16], version=4)


class WorkshopSession(models.Model):
    """One live run of a step's tools, led by a facilitator, joined with a short code."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    step = models.ForeignKey(ProgrammeStep, on_delete=models.CASCADE, related_name="workshops")
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    code = models.CharField(max_length=CODE_LENGTH)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    current = models.PositiveSmallIntegerField(default=0)
    # [{"type", "title", "config", "named", "reveal"}] copied from the step at start.
    tools = models.JSONField(default=list)
    # Per tool index (as text): {"revealed": bool, "item": int} – card or dilemma shown.
    state = models.JSONField(default=dict)
    # Bumped by every write; the polls' ETag and what the event streams watch (live.py).
    version = models.PositiveIntegerField(default=1)
    # The presenter screen: the join code and QR shown or hidden, and the board's page.
    show_code = models.BooleanField(default=True)
    screen_page = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=Q(status="open"), name="workshop_open_code_unique"
            )
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def programme(self):
        return self.step.programme

    def tool(self, index: int | None = None) -> dict:
        """The tool at `index` (default: the current one), or {} past the end."""
        index = self.current if index is None else index
        return self.tools[index] if 0 <= index < len(self.tools) else {}

    def tool_state(self, index: int | None = None) -> dict:
        index = self.current if index is None else index
        return {"revealed": False, "item": 0, **self.state.get(str(index), {})}

    def is_revealed(self, index: int | None = None) -> bool:
        """Participants see others' contributions once revealed, or always if the tool says so."""
        tool = self.tool(index)
        return not tool.get("reveal") or self.tool_state(index)["revealed"]

    @property
    def any_named(self) -> bool:
        return any(t.get("named") for t in self.tools)


class Participant(models.Model):
    """A phone in the room: known by a random cookie token (stored hashed), a name if given."""

    session = models.ForeignKey(
        WorkshopSession, on_delete=models.CASCADE, related_name="participants"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    display_name = models.CharField(_("name"), max_length=80, blank=True)
    language = models.CharField(max_length=8, choices=settings.LANGUAGES)
    joined_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.display_name or f"#{self.pk}"


class Theme(models.Model):
    """A group of notes on a brainstorm board; may become an artefact."""

    session = models.ForeignKey(WorkshopSession, on_delete=models.CASCADE, related_name="themes")
    tool = models.PositiveSmallIntegerField()
    title = models.CharField(_("title"), max_length=200)
    order = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)
    artefact = models.ForeignKey(
        Artefact, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.title


def this_minute():
    """Now, to the minute: when a contribution was posted, no finer (see `Contribution`)."""
    return timezone.now().replace(second=0, microsecond=0)


class Contribution(models.Model):
    """Anything a participant posts: a note, an answer, a position, a term, a rule, an item.

    An anonymous tool's contribution has no author, and nothing else of it tells who posted it
    when the database is read beside a log of requests (a reverse proxy's: the time and address
    of every post): its id is random, not the next of a sequence, and its time is kept to the
    minute. The board still shows the notes of one minute after those of the minute before."""

    id = RandomIdField(primary_key=True)

    class Kind(models.TextChoices):
        NOTE = "note", pgettext_lazy("sticky note on a board", "Note")
        ANSWER = "answer", _("Card answer")
        POSITION = "position", _("Dilemma position")
        SWOT = "swot", _("SWOT note")
        TERM = "term", _("Glossary term")
        RULE = "rule", _("Rule proposal")
        RETRO = "retro", _("Retro item")

    session = models.ForeignKey(
        WorkshopSession, on_delete=models.CASCADE, related_name="contributions"
    )
    tool = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    text = models.TextField(blank=True)
    # Kind-specific: card/dilemma "item", "position" 0–100, SWOT "quadrant", retro "column",
    # a term's "definition".
    extra = models.JSONField(default=dict)
    theme = models.ForeignKey(
        Theme, on_delete=models.SET_NULL, null=True, blank=True, related_name="notes"
    )
    # A duplicate merged into another note keeps its row (nothing lost) but is not shown.
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="duplicates"
    )
    hidden = models.BooleanField(default=False)
    # Set only when the tool is named; anonymous tools store no author.
    author = models.ForeignKey(
        Participant, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    key = models.UUIDField(unique=True)
    # owner_mark(token, key) of the phone that posted it: its author sees it before the reveal.
    mark = models.CharField(max_length=64, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=this_minute)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["session", "tool"])]

    def __str__(self) -> str:
        return self.text[:40]


class Vote(models.Model):
    """A participant's dots on one target: a theme, an artefact or a contribution."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="votes")
    session = models.ForeignKey(WorkshopSession, on_delete=models.CASCADE, related_name="votes")
    tool = models.PositiveSmallIntegerField()
    # What the dot limit counts over: the tool, or a tool's SWOT quadrant ("3:strength").
    scope = models.CharField(max_length=40)
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, null=True, blank=True)
    artefact = models.ForeignKey(Artefact, on_delete=models.CASCADE, null=True, blank=True)
    contribution = models.ForeignKey(
        Contribution, on_delete=models.CASCADE, null=True, blank=True, related_name="votes"
    )
    count = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "tool", "theme"],
                condition=Q(theme__isnull=False),
                name="vote_theme_unique",
            ),
            models.UniqueConstraint(
                fields=["participant", "tool", "artefact"],
                condition=Q(artefact__isnull=False),
                name="vote_artefact_unique",
            ),
            models.UniqueConstraint(
                fields=["participant", "tool", "contribution"],
                condition=Q(contribution__isnull=False),
                name="vote_contribution_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id}: {self.count}"


class ConsentResponse(models.Model):
    """A participant's answer in an agreement or consent round on a term or a rule."""

    class Answer(models.TextChoices):
        AGREE = "agree", _("Agree")
        LIVE_WITH = "live_with", _("Can live with it")
        OBJECT = "object", _("Object")

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="consents")
    contribution = models.ForeignKey(
        Contribution, on_delete=models.CASCADE, related_name="consents"
    )
    answer = models.CharField(max_length=10, choices=Answer.choices)
    reason = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["participant", "contribution"], name="consent_unique")
        ]

    def __str__(self) -> str:
        return self.answer
