"""Results that are new (a campaign closed in the last weeks), for everyone's home page."""

import datetime as dt

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from tillit.core.nextsteps import NextStep
from tillit.surveys.models import Campaign, CampaignEvent

NEW_FOR = dt.timedelta(days=30)


def new_results(request) -> list[NextStep]:
    """Campaigns closed within 30 days: their results are news to everyone in the organisation."""
    since = timezone.now() - NEW_FOR
    events = (
        CampaignEvent.objects.filter(
            campaign__organisation=request.organisation,
            campaign__status=Campaign.Status.CLOSED,
            kind="closed",
            at__gte=since,
        )
        .select_related("campaign")
        .order_by("-at")
    )
    steps, seen = [], set()
    for event in events:
        if event.campaign_id in seen:
            continue
        seen.add(event.campaign_id)
        text = _("New results: %(name)s (closed %(date)s).") % {
            "name": event.campaign.name,
            "date": formats.date_format(timezone.localtime(event.at), "SHORT_DATE_FORMAT"),
        }
        url = reverse("results:overview", args=[request.organisation.slug, event.campaign_id])
        steps.append(NextStep("results", text, url))
    return steps
