"""Review reminders: each owner hears, once per review date, of their signals due for review."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from tillit.core.models import User
from tillit.steering.models import Signal

AHEAD = dt.timedelta(days=30)


def due(today: dt.date):
    """Signals in force with an owner whose review date is within 30 days (or past), not yet
    reminded of for this review date."""
    return (
        Signal.objects.filter(status__in=Signal.IN_FORCE, review_date__lte=today + AHEAD)
        .exclude(owner_email="")
        # A reminder sent before the review date's 30-day window was for an earlier date.
        .filter(Q(reminded_on__isnull=True) | Q(reminded_on__lt=F("review_date") - AHEAD))
        .select_related("organisation")
    )


def send_review_reminders(today: dt.date) -> int:
    """Mail every owner one message listing their signals due for review; returns mails sent."""
    by_owner: dict[tuple[int, str], list[Signal]] = defaultdict(list)
    for signal in due(today):
        if signal.organisation.archived_at is not None:
            continue  # archived: nothing in it is asked for any more
        by_owner[(signal.organisation_id, signal.owner_email)].append(signal)
    sent = 0
    for (_org_id, email), signals in by_owner.items():
        organisation = signals[0].organisation
        user = User.objects.filter(email=email).first()
        language = (user.language if user else "") or organisation.language
        with translation.override(language):
            context = {
                "organisation": organisation,
                "signals": signals,
                "link": settings.SITE_URL.rstrip("/")
                + reverse("steering:register", args=[organisation.slug]),
            }
            subject = render_to_string("steering/reminder_subject.txt", context)
            body = render_to_string("steering/reminder_email.txt", context)
        EmailMessage(
            subject=" ".join(subject.split()),
            body=body,
            to=[email],
            headers={"Content-Language": language},
        ).send()
        Signal.objects.filter(pk__in=[s.pk for s in signals]).update(reminded_on=today)
        sent += 1
    return sent
