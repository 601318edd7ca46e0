"""Actions due and workshops today, for the home page."""

import datetime as dt

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from tillit.core.nextsteps import NextStep
from tillit.programmes.models import Artefact, Programme, Session

DUE_WITHIN = dt.timedelta(days=14)


def actions_due(request) -> list[NextStep]:
    """The user's own open actions, overdue or due within two weeks."""
    today = timezone.localdate()
    actions = (
        Artefact.objects.open_actions()
        .filter(
            organisation=request.organisation,
            owner_email=request.user.email,
            due_date__lte=today + DUE_WITHIN,
        )
        .order_by("due_date", "pk")
    )
    steps = []
    for action in actions:
        date = formats.date_format(action.due_date, "SHORT_DATE_FORMAT")
        if action.due_date < today:
            text = _("Your action “%(title)s” was due %(date)s.")
        else:
            text = _("Your action “%(title)s” is due %(date)s.")
        url = reverse("programmes:action", args=[request.organisation.slug, action.pk])
        steps.append(
            NextStep(
                "action",
                text % {"title": action.title, "date": date},
                url,
                action.due_date < today,
            )
        )
    return steps


def workshops_today(request) -> list[NextStep]:
    """Today's sessions of running programmes the user takes part in (all, for process owners)."""
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    sessions = Session.objects.filter(
        step__programme__organisation=request.organisation,
        step__programme__status=Programme.Status.ACTIVE,
        date__gte=start,
        date__lt=start + dt.timedelta(days=1),
    ).select_related("step__programme")
    if not request.access.is_admin:
        sessions = sessions.filter(step__programme__participants__email=request.user.email)
    steps = []
    for session in sessions.order_by("date").distinct():
        programme = session.step.programme
        text = _("Workshop today at %(time)s: %(programme)s%(place)s.") % {
            "time": formats.time_format(timezone.localtime(session.date), "TIME_FORMAT"),
            "programme": programme.title,
            "place": f", {session.place}" if session.place else "",
        }
        url = reverse(
            "programmes:step", args=[request.organisation.slug, programme.pk, session.step.step_id]
        )
        steps.append(NextStep("workshop", text, url, True))
    return steps
