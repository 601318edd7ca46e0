"""The process owner's campaign workflows: save, launch, close, reopen, delete, reminders, a
member's own link, test links and poster codes. Each `do_…` function owns its transaction; the
respondent's side (links, drafts, the submit) is in `responding`."""

from __future__ import annotations

import secrets
import smtplib
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tillit import audit
from tillit.audit.log import Kind
from tillit.core import throttle
from tillit.instruments.models import InstrumentVersion
from tillit.org.models import Person, Unit
from tillit.surveys import storing
from tillit.surveys.models import (
    Campaign,
    CampaignEvent,
    CampaignInstrument,
    Draft,
    Invitation,
    ReminderLink,
    UnitCode,
    age_band,
    hash_token,
    new_token,
    tenure_band,
)
from tillit.surveys.responding import NotAnswerable, campaign_refusal
from tillit.surveys.signals import campaign_launched, send_answers_changed


class CampaignError(ValueError):
    """A campaign action that is not allowed in the campaign's state."""


# --- process owner -----------------------------------------------------------------------


def _log(campaign: Campaign, kind: str, by=None, detail: str = "") -> None:
    CampaignEvent.objects.create(campaign=campaign, kind=kind, by=by, detail=detail[:255])


# The disclosure thresholds a campaign is published with; each change is audited.
THRESHOLDS = ("k", "k_dist", "k_text", "k_sensitive")


def do_save_campaign(campaign: Campaign, versions: list[InstrumentVersion], *, by=None) -> Campaign:
    """Create or edit a draft campaign with its instrument versions (in the given order)."""
    if campaign.pk and not Campaign.objects.filter(pk=campaign.pk, status="draft").exists():
        raise CampaignError(_("Only a draft campaign can be edited."))
    if not versions:
        raise CampaignError(_("Choose at least one instrument."))
    slugs = [v.instrument.slug for v in versions]
    if len(set(slugs)) != len(slugs):
        raise CampaignError(_("An instrument is chosen twice."))
    campaign.full_clean()
    before = Campaign.objects.filter(pk=campaign.pk).values(*THRESHOLDS).first()
    with transaction.atomic():
        created = campaign.pk is None
        campaign.save()
        now = {name: getattr(campaign, name) for name in THRESHOLDS}
        if before != now:
            audit.record(
                Kind.THRESHOLDS_CHANGED,
                campaign.organisation,
                by,
                campaign=campaign.name,
                old=before,
                new=now,
            )
        CampaignInstrument.objects.filter(campaign=campaign).delete()
        CampaignInstrument.objects.bulk_create(
            CampaignInstrument(campaign=campaign, version=v, order=n)
            for n, v in enumerate(versions)
        )
        _log(campaign, CampaignEvent.Kind.CREATED if created else CampaignEvent.Kind.EDITED, by)
    return campaign


def invitation_language(campaign: Campaign, person: Person) -> str:
    """The person's language if the campaign offers it, else the campaign's first language."""
    language = person.language or campaign.organisation.language
    return language if language in campaign.languages else campaign.languages[0]


def answer_url(token: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("surveys:answer", args=[token])


def _message(campaign: Campaign, person: Person, language: str, token: str, kind: str):
    with translation.override(language):
        context = {"campaign": campaign, "person": person, "url": answer_url(token)}
        subject = render_to_string(f"surveys/email/{kind}_subject.txt", context).strip()
        body = render_to_string(f"surveys/email/{kind}_body.txt", context)
    return EmailMessage(subject, body, to=[person.email], headers={"Content-Language": language})


def _invitees(campaign: Campaign):
    units = Unit.objects.subtree(campaign.target_unit).open()
    return Person.objects.filter(
        organisation=campaign.organisation, active=True, unit__in=units
    ).select_related("unit")


def count_invitees(campaign: Campaign) -> int:
    """How many people a launch would invite now."""
    return _invitees(campaign).count()


def do_launch_campaign(campaign: Campaign, *, by=None) -> int:
    """Open a draft: one invitation per active person in the subtree's open units, and mail
    each their link in their language. Returns the number invited."""
    today = timezone.localdate()
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if campaign.status != Campaign.Status.DRAFT:
            raise CampaignError(_("Only a draft campaign can be launched."))
        if not campaign.campaign_instruments.exists():
            raise CampaignError(_("Choose at least one instrument."))
        derive = campaign.background_source == Campaign.BackgroundSource.HR
        invitations, messages = [], []
        for person in _invitees(campaign):
            token = new_token()
            background = {}
            if derive and campaign.ask_age and age_band(person.birth_year, today):
                background["age"] = age_band(person.birth_year, today)
            if derive and campaign.ask_tenure and tenure_band(person.start_date, today):
                background["tenure"] = tenure_band(person.start_date, today)
            language = invitation_language(campaign, person)
            invitations.append(
                Invitation(
                    campaign=campaign,
                    person=person,
                    unit_id=person.unit_id,
                    token_hash=hash_token(token),
                    language=language,
                    background=background,
                )
            )
            messages.append(_message(campaign, person, language, token, "invitation"))
        Invitation.objects.bulk_create(invitations, batch_size=500)
        campaign.status = Campaign.Status.OPEN
        # Reminders whose day passed before a late launch are not sent on top of the invitation.
        campaign.reminders_done = campaign.reminders_due(today)
        campaign.save(update_fields=["status", "reminders_done"])
        _log(campaign, CampaignEvent.Kind.LAUNCHED, by, str(len(invitations)))
        campaign_launched.send(sender=None, campaign=campaign)
    # Mail after the commit: a link must never arrive for an invitation that was rolled back.
    _send(
        campaign,
        messages,
        by,
        _(
            "The campaign is open, but sending the invitations failed (%(error)s), so some or "
            "all were not sent. Send reminders when the mail server works again: everyone who "
            "has not answered gets a fresh link."
        ),
    )
    return len(invitations)


def _send(campaign: Campaign, messages: list[EmailMessage], by, failed: str) -> None:
    """Send the mails; a mail server that fails is logged and told as a CampaignError whose
    text (`failed`, with the error) says what happened and what to do."""
    try:
        get_connection().send_messages(messages)
    except (smtplib.SMTPException, OSError) as error:
        _log(campaign, CampaignEvent.Kind.MAIL_FAILED, by, str(error))
        raise CampaignError(failed % {"error": error}) from error


def do_close_campaign(campaign: Campaign, *, by=None, scheduled: bool = False) -> None:
    """Stop taking answers, and delete the drafts never sent: a draft is keyed by its link,
    so it ties what someone wrote to who was invited (a reopened campaign starts them anew).
    On PostgreSQL the answered links are rewritten too (`storing.restamp_claimed_links`)."""
    now = timezone.now()
    with transaction.atomic():
        # One conditional UPDATE is the claim: of two closers (a person and the scheduler, or
        # two workers) exactly one changes the row, on SQLite as on PostgreSQL.
        claimed = Campaign.objects.filter(pk=campaign.pk, status=Campaign.Status.OPEN).update(
            status=Campaign.Status.CLOSED, closed_at=now
        )
        if not claimed:
            raise CampaignError(_("Only an open campaign can be closed."))
        campaign.status, campaign.closed_at = Campaign.Status.CLOSED, now
        dropped, _by_model = Draft.objects.filter(campaign=campaign).delete()
        storing.restamp_claimed_links(campaign.pk)
        detail = f"{dropped} unsent drafts deleted" + (", on schedule" if scheduled else "")
        _log(campaign, CampaignEvent.Kind.CLOSED, by, detail)
        send_answers_changed(campaign.pk)


def do_delete_campaign(campaign: Campaign) -> None:
    """Delete a draft (nobody was invited yet, so nothing else refers to it)."""
    with transaction.atomic():
        deleted, _by_model = Campaign.objects.filter(
            pk=campaign.pk, status=Campaign.Status.DRAFT
        ).delete()
        if not deleted:
            raise CampaignError(_("Only a draft campaign can be deleted."))


def do_reopen_campaign(campaign: Campaign, *, closes_on: date, by=None) -> None:
    """Take answers again until `closes_on`; logged, since results may already have been read."""
    if closes_on < timezone.localdate():
        raise CampaignError(_("The new closing date has already passed."))
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if campaign.status != Campaign.Status.CLOSED or campaign.imported:
            raise CampaignError(_("Only a closed campaign can be reopened."))
        old = campaign.closes_on
        campaign.status = Campaign.Status.OPEN
        campaign.closes_on = closes_on
        campaign.closed_at = None
        campaign.reminders_done = campaign.reminders_due(timezone.localdate())
        campaign.save(update_fields=["status", "closes_on", "closed_at", "reminders_done"])
        _log(campaign, CampaignEvent.Kind.REOPENED, by, f"{old} → {closes_on}")
        send_answers_changed(campaign.pk)


def do_send_reminders(campaign: Campaign, *, by=None, scheduled: bool = False) -> int:
    """Mail a fresh link to every invited person who has not answered and still works here
    (not those deactivated since the launch). Returns the count."""
    if not campaign.accepts_answers():
        raise CampaignError(_("Reminders can be sent only while the campaign is open."))
    now = timezone.now()
    messages = []
    with transaction.atomic():
        pending = (
            Invitation.objects.select_for_update()
            .filter(campaign=campaign, responded=False, person__active=True)
            .select_related("person")
        )
        links = []
        for invitation in pending:
            token = new_token()
            links.append(ReminderLink(token_hash=hash_token(token), invitation=invitation))
            messages.append(
                _message(campaign, invitation.person, invitation.language, token, "reminder")
            )
        ReminderLink.objects.bulk_create(links)
        pending.update(reminded_at=now)
        detail = str(len(messages)) + (", on schedule" if scheduled else "")
        _log(campaign, CampaignEvent.Kind.REMINDED, by, detail)
    _send(
        campaign,
        messages,
        by,
        _(
            "Sending the reminders failed (%(error)s), so some or all were not sent. Send them "
            "again when the mail server works: every link sent before stays valid."
        ),
    )
    return len(messages)


# A person may ask for their own link again this often per campaign and hour: enough for a
# lost mail and a typo'd address, too few to flood an inbox.
MY_LINK_LIMIT = 3
MY_LINK_WINDOW = 3600


def waiting_invitations(organisation, email: str, today: date | None = None):
    """The invitations of the person with `email` that still wait for an answer today: an
    open campaign of the organisation, the link not yet used. Read from the invitation's own
    `responded` flag; nothing of the response is looked at."""
    today = today or timezone.localdate()
    return (
        Invitation.objects.filter(
            campaign__organisation=organisation,
            campaign__status=Campaign.Status.OPEN,
            campaign__opens_on__lte=today,
            campaign__closes_on__gte=today,
            person__email=email,
            person__active=True,
            via_code=False,
            responded=False,
        )
        .select_related("campaign", "person")
        .order_by("campaign__closes_on", "campaign_id")
    )


def do_send_my_link(organisation, campaign_id: int, email: str) -> None:
    """Mail the person with `email` a fresh link to their own invitation in the campaign (as
    a reminder does: the first link is stored only as a hash, so it cannot be shown again).

    Raises Invitation.DoesNotExist when they have no waiting invitation there. No campaign
    event is logged: it would tell the process owner who had not yet answered, and when.
    """
    # Counted before it is checked (one atomic UPDATE), so parallel requests cannot all pass.
    limit_key = throttle.key_for("my-link", str(campaign_id), email)
    if throttle.hit(limit_key, MY_LINK_WINDOW) > MY_LINK_LIMIT:
        raise CampaignError(
            _("A new link was sent to you several times in the last hour. Look in your inbox.")
        )
    with transaction.atomic():
        invitation = (
            waiting_invitations(organisation, email)
            .select_for_update(of=("self",))
            .filter(campaign_id=campaign_id)
            .first()
        )
        if invitation is None:
            raise Invitation.DoesNotExist
        token = new_token()
        ReminderLink.objects.create(token_hash=hash_token(token), invitation=invitation)
    campaign = invitation.campaign
    message = _message(campaign, invitation.person, invitation.language, token, "reminder")
    try:
        get_connection().send_messages([message])
    except (smtplib.SMTPException, OSError) as error:
        throttle.refund(limit_key)  # nothing reached them: the attempt does not count
        raise CampaignError(
            _("Your link could not be sent (%(error)s). Try again in a while.") % {"error": error}
        ) from error


def existing_unit_code(campaign: Campaign, unit: Unit) -> UnitCode | None:
    """The unit's answering code in this campaign, if one was made."""
    return UnitCode.objects.filter(campaign=campaign, unit=unit).first()


def do_send_test_link(campaign: Campaign, *, url: str, to: str, language: str, by=None) -> None:
    """Mail the process owner a test link (it stores nothing: `views.testing`)."""
    with translation.override(language):
        context = {"campaign": campaign, "url": url}
        subject = render_to_string("surveys/email/test_subject.txt", context).strip()
        body = render_to_string("surveys/email/test_body.txt", context)
    message = EmailMessage(subject, body, to=[to], headers={"Content-Language": language})
    _send(
        campaign,
        [message],
        by,
        _("The test link could not be sent (%(error)s). Try again when the mail server works."),
    )
    _log(campaign, CampaignEvent.Kind.TEST_LINK, by, f"{to} ({language})")


def unit_code_for(campaign: Campaign, unit: Unit) -> UnitCode:
    """The unit's answering code in this campaign, made on first use."""
    code = existing_unit_code(campaign, unit)
    if code is None:
        alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off a poster
        code = UnitCode.objects.create(
            campaign=campaign, unit=unit, code="".join(secrets.choice(alphabet) for _ in range(8))
        )
    return code


@dataclass
class CodeCapacity:
    """How many links a unit's poster code may still hand out, and why."""

    members: int  # active people whose unit is the code's unit, in the organisation file now
    personal: int  # personal links (invitations) of the unit in the campaign
    margin: int  # the campaign's `code_margin`
    handed_out: int  # links the code has handed out

    @property
    def limit(self) -> int:
        """The code's links at most: the unit's headcount beyond its personal links, + margin."""
        return max(self.members - self.personal, 0) + self.margin

    @property
    def left(self) -> int:
        return max(self.limit - self.handed_out, 0)


def code_capacity(unit_code: UnitCode) -> CodeCapacity:
    """The poster code's cap: the unit's links (personal and poster) never outnumber its active
    members in the organisation file, plus the campaign's margin.

    Members are the people whose unit is the code's unit itself, not its sub-units: the code's
    links answer for that unit alone, and a sub-unit's staff have their own unit's code. Every
    member with a personal link already has a way to answer, so only the others can be behind
    a poster answer: one person could otherwise lift a small unit over k with answers of
    their own, and read the real answers off the difference (issue 12, attack 6).
    """
    campaign = unit_code.campaign
    links = Invitation.objects.filter(campaign_id=campaign.pk, unit_id=unit_code.unit_id)
    return CodeCapacity(
        members=Person.objects.filter(
            organisation_id=campaign.organisation_id, unit_id=unit_code.unit_id, active=True
        ).count(),
        personal=links.filter(via_code=False).count(),
        margin=campaign.code_margin,
        handed_out=links.filter(via_code=True).count(),
    )


@dataclass
class CodeLink:
    """The link a poster code gave a device: `resumed` when the device had it already."""

    token: str
    resumed: bool


def _code_throttle_key(client: str) -> str:
    return throttle.key_for("code-link", client)


def do_start_with_code(code: str, *, device_token: str | None = None, client: str = "") -> CodeLink:
    """The one-time anonymous link of a unit code for this device.

    A device that was given a link by this code (`device_token`, from its signed cookie) gets
    the same link again, used or not, and nothing is made. Otherwise a new link is made unless
    the client address has had `CODE_THROTTLE_LINKS` new links in the window (NotAnswerable
    "code_busy") or the code has handed out all the links `code_capacity` allows
    (NotAnswerable "code_full"). Raises Invitation.DoesNotExist for an unknown code.
    """
    unit_code = UnitCode.objects.select_related("campaign").filter(code=code.upper()).first()
    if unit_code is None:
        raise Invitation.DoesNotExist
    campaign = unit_code.campaign
    refusal = campaign_refusal(campaign, timezone.localdate())
    if refusal:
        raise NotAnswerable(refusal)  # after the closing date too, not "not open yet"
    if device_token and len(device_token) <= 100:
        known = Invitation.objects.filter(
            token_hash=hash_token(device_token),
            campaign_id=campaign.pk,
            unit_id=unit_code.unit_id,
            via_code=True,
        ).exists()
        if known:
            return CodeLink(device_token, resumed=True)
    throttled = _code_throttle_key(client)
    if throttle.count(throttled) >= settings.CODE_THROTTLE_LINKS:
        raise NotAnswerable("code_busy")
    token = new_token()
    with transaction.atomic():
        # The code's row lock makes the count and the new link one step: two devices at the
        # last free link cannot both take it (SQLite's IMMEDIATE transaction queues them too).
        unit_code = (
            UnitCode.objects.select_for_update().select_related("campaign").get(pk=unit_code.pk)
        )
        if code_capacity(unit_code).left <= 0:
            raise NotAnswerable("code_full")
        Invitation.objects.create(
            campaign=campaign,
            unit_id=unit_code.unit_id,
            token_hash=hash_token(token),
            language=campaign.languages[0],
            via_code=True,
        )
    throttle.hit(throttled, settings.CODE_THROTTLE_WINDOW)
    return CodeLink(token, resumed=False)
