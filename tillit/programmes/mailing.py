"""Mails of programmes: an action's owner is told of the action and its date, reminded before
the date and once when it has passed; participants are invited to sessions with an .ics.

Reminders are sent by the task worker's periodic tick (`core.jobs.register_periodic`). Each
is claimed by one conditional UPDATE (the due date it was sent for) before it is mailed, so
the tick is idempotent and two workers send it once; a changed due date makes it due again.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from tillit.org.mail import mail_language
from tillit.programmes.models import Artefact, Participant, Programme, Session

logger = logging.getLogger(__name__)

# The "coming due" reminder goes this many days before the follow-up date.
AHEAD = dt.timedelta(days=3)


def _link(name: str, *args) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(name, args=args)


def _mail(organisation, to: str, template: str, context: dict, attachments=()) -> bool:
    """Render `programmes/email/<template>_{subject,body}.txt` in the recipient's language and
    send; a mail server that fails is logged (the page's work is already saved)."""
    language = mail_language(organisation, to)
    with translation.override(language):
        subject = " ".join(
            render_to_string(f"programmes/email/{template}_subject.txt", context).split()
        )
        body = render_to_string(f"programmes/email/{template}_body.txt", context)
    message = EmailMessage(subject, body, to=[to], headers={"Content-Language": language})
    for name, content, mime in attachments:
        message.attach(name, content, mime)
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as error:
        logger.warning("Mail to an owner or participant failed: %s", error)
        return False
    return True


def tell_owner(action: Artefact) -> bool:
    """Tell an action's owner that it is theirs, with its follow-up date."""
    if not action.owner_email:
        return False
    context = {
        "action": action,
        "programme": action.programme,
        "link": _link("programmes:action", action.organisation.slug, action.pk),
    }
    return _mail(action.organisation, action.owner_email, "action_owner", context)


def run_action_reminders(today: dt.date | None = None) -> dict[str, int]:
    """Remind owners of open actions due within three days, and once of those overdue."""
    today = today or timezone.localdate()
    done = {"coming": 0, "overdue": 0}
    open_actions = (
        Artefact.objects.open_actions()
        .exclude(owner_email="")
        .filter(due_date__isnull=False, organisation__archived_at__isnull=True)
        .select_related("organisation", "programme")
    )
    not_sent = {
        "coming": Q(due_reminder_for__isnull=True) | ~Q(due_reminder_for=F("due_date")),
        "overdue": Q(overdue_reminder_for__isnull=True) | ~Q(overdue_reminder_for=F("due_date")),
    }
    for kind, when, column in (
        ("coming", Q(due_date__gte=today, due_date__lte=today + AHEAD), "due_reminder_for"),
        ("overdue", Q(due_date__lt=today), "overdue_reminder_for"),
    ):
        for action in open_actions.filter(when).filter(not_sent[kind]):
            claimed = (
                Artefact.objects.filter(pk=action.pk, due_date=action.due_date)
                .filter(not_sent[kind])
                .update(**{column: action.due_date})
            )
            if not claimed:
                continue  # another worker sent it
            context = {
                "action": action,
                "programme": action.programme,
                "overdue": kind == "overdue",
                "link": _link("programmes:action", action.organisation.slug, action.pk),
            }
            _mail(action.organisation, action.owner_email, "action_reminder", context)
            done[kind] += 1
    return done


def _ics_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """RFC 5545: lines longer than 75 octets continue on the next line after a space."""
    out, current = [], ""
    for char in line:
        if len((current + char).encode("utf-8")) > 75:
            out.append(current)
            current = " " + char
        else:
            current += char
    out.append(current)
    return "\r\n".join(out)


def session_ics(session: Session, title: str, length: dt.timedelta = dt.timedelta(hours=2)) -> str:
    """An iCalendar invitation for a session (two hours unless told), in UTC."""
    start = session.date.astimezone(dt.UTC)
    stamp = timezone.now().astimezone(dt.UTC)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Tillit//Programmes//EN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:tillit-session-{session.pk}@{settings.SITE_URL.split('//')[-1].split('/')[0]}",
        f"DTSTAMP:{stamp:%Y%m%dT%H%M%SZ}",
        f"DTSTART:{start:%Y%m%dT%H%M%SZ}",
        f"DTEND:{start + length:%Y%m%dT%H%M%SZ}",
        f"SUMMARY:{_ics_text(title)}",
        f"LOCATION:{_ics_text(session.place)}",
        f"DESCRIPTION:{_ics_text(session.agenda)}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"


def invite_to_session(session: Session, participants=None) -> int:
    """Mail the programme's participants (or those given) the session's date, place and
    agenda, with an .ics; returns how many were sent."""
    programme: Programme = session.step.programme
    title = f"{programme.title}: {programme.text(session.step.definition.get('title'))}"
    ics = session_ics(session, title)
    sent = 0
    for participant in participants or programme.participants.all():
        context = {
            "session": session,
            "programme": programme,
            "step_title": programme.text(session.step.definition.get("title")),
            "link": _link(
                "programmes:step", programme.organisation.slug, programme.pk, session.step.step_id
            ),
        }
        sent += _mail(
            programme.organisation,
            participant.email,
            "session_invitation",
            context,
            [("invitation.ics", ics, "text/calendar")],
        )
    return sent


def welcome_participant(participant: Participant) -> int:
    """A new participant gets the invitations of the programme's coming sessions."""
    coming = Session.objects.filter(
        step__programme=participant.programme, date__gte=timezone.now()
    ).select_related("step__programme")
    return sum(invite_to_session(session, [participant]) for session in coming)
