"""What the task worker does for campaigns on its periodic tick: scheduled reminders and
closing after the closing date, and what the campaign page says will happen when.

Every step is claimed by one conditional UPDATE before anything is mailed, so the tick is
idempotent and two workers ticking at once send each reminder once (a second claim changes
no row). A claimed reminder whose mail server fails is logged on the campaign (the manual
"send reminders" button sends a fresh link to everyone who has not answered).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from tillit.surveys import actions
from tillit.surveys.models import Campaign, CampaignEvent

logger = logging.getLogger(__name__)


def run_schedule(today: date | None = None) -> dict[str, int]:
    """Send the reminders that have come due and close campaigns past their closing date."""
    today = today or timezone.localdate()
    done = {"reminded": 0, "closed": 0}
    for campaign in Campaign.objects.filter(status=Campaign.Status.OPEN).select_related(
        "organisation"
    ):
        if campaign.close_on_schedule and today > campaign.closes_on:
            try:
                actions.do_close_campaign(campaign, scheduled=True)
            except actions.CampaignError:
                continue  # another worker (or a person) closed it first
            done["closed"] += 1
            continue
        due = campaign.reminders_due(today)
        if due <= campaign.reminders_done or not campaign.accepts_answers(today):
            continue
        # Several due at once (the worker was down): one reminder, not a burst.
        claimed = Campaign.objects.filter(
            pk=campaign.pk, status=Campaign.Status.OPEN, reminders_done=campaign.reminders_done
        ).update(reminders_done=due)
        if not claimed:
            continue
        try:
            actions.do_send_reminders(campaign, scheduled=True)
        except actions.CampaignError as error:  # logged on the campaign by `_send`
            logger.warning("Scheduled reminders of campaign %s: %s", campaign.pk, error)
        done["reminded"] += 1
    return done


@dataclass
class Planned:
    """One line of a campaign's schedule: when, what, and whether it has happened."""

    when: date | datetime
    what: str
    done: bool = False


def planned(campaign: Campaign, today: date | None = None) -> list[Planned]:
    """The campaign's schedule as its page shows it: opening, reminders, closing."""
    today = today or timezone.localdate()
    launched = campaign.status != Campaign.Status.DRAFT
    lines = [
        Planned(
            campaign.opens_on,
            _("Opens: everyone invited gets their link")
            if not launched
            else _("Opened: the invitations were sent"),
            launched,
        )
    ]
    launch = campaign.events.filter(kind=CampaignEvent.Kind.LAUNCHED).order_by("at").first()
    launched_on = timezone.localdate(launch.at) if launch else campaign.opens_on
    for n, day in enumerate(campaign.reminder_dates()):
        done = launched and n < campaign.reminders_done
        if done and day < launched_on:
            what = _("Reminder (its day passed before the launch, so none was sent)")
        elif done:
            what = _("Reminder to those who had not answered (sent)")
        else:
            what = _("Reminder with a fresh link to those who have not answered")
        lines.append(Planned(day, what, done))
    if campaign.status == Campaign.Status.CLOSED:
        lines.append(Planned(closed_at(campaign) or campaign.closes_on, _("Closed"), True))
    elif campaign.close_on_schedule:
        lines.append(
            Planned(
                campaign.closes_on + timedelta(days=1),
                _("Closes automatically (answers are taken until the end of the closing date)"),
            )
        )
    else:
        lines.append(Planned(campaign.closes_on, _("Last day for answers (you close it)")))
    return lines


def closed_at(campaign: Campaign) -> datetime | None:
    """When a closed campaign actually closed; for one closed before `closed_at` was kept, its
    last "closed" log entry. None while it is not closed."""
    if campaign.status != Campaign.Status.CLOSED:
        return None
    if campaign.closed_at:
        return campaign.closed_at
    event = campaign.events.filter(kind=CampaignEvent.Kind.CLOSED).order_by("-at").first()
    return event.at if event else None
