"""Asking the adopting unit's manager, after the chosen months, whether behaviour changed."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from tillit.core.models import User
from tillit.examples.models import Adoption


def due(today: dt.date):
    """Adoptions whose follow-up date has come and whose manager has not yet been asked."""
    return (
        Adoption.objects.filter(follow_up_due__lte=today, follow_up_sent_on__isnull=True)
        .exclude(unit__manager_email="")
        .select_related("unit__organisation", "example")
    )


def send_follow_ups(today: dt.date) -> int:
    """Mail each due adoption's unit manager the follow-up question; returns mails sent."""
    sent = 0
    for adoption in due(today):
        unit = adoption.unit
        organisation = unit.organisation
        if organisation.archived_at is not None:
            continue  # archived: nothing in it is asked for any more
        user = User.objects.filter(email=unit.manager_email).first()
        language = (user.language if user else "") or organisation.language
        link = settings.SITE_URL.rstrip("/") + reverse(
            "examples:follow_up", args=[organisation.slug, adoption.pk]
        )
        with translation.override(language):
            context = {"adoption": adoption, "link": link}
            subject = render_to_string("examples/follow_up_subject.txt", context)
            body = render_to_string("examples/follow_up_email.txt", context)
        EmailMessage(
            subject=" ".join(subject.split()),
            body=body,
            to=[unit.manager_email],
            headers={"Content-Language": language},
        ).send()
        Adoption.objects.filter(pk=adoption.pk).update(follow_up_sent_on=today)
        sent += 1
    return sent
