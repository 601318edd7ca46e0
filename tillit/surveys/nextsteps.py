"""Open campaigns and their response rate, for the home page of those who follow them."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _

from tillit.core.nextsteps import NextStep
from tillit.surveys.models import Campaign


def open_campaigns(request) -> list[NextStep]:
    """Process owners, managers and MED representatives see each open campaign's rate."""
    access = request.access
    if not (access.is_admin or access.unit_paths):
        return []
    campaigns = (
        Campaign.objects.filter(organisation=request.organisation, status=Campaign.Status.OPEN)
        .annotate(
            invited=Count("invitations", filter=Q(invitations__via_code=False)),
            answered=Count(
                "invitations", filter=Q(invitations__responded=True, invitations__via_code=False)
            ),
        )
        .order_by("closes_on")
    )
    steps = []
    for campaign in campaigns:
        rate = round(100 * campaign.answered / campaign.invited) if campaign.invited else 0
        text = _(
            "%(name)s is open until %(date)s: %(rate)d %% have answered (%(answered)d of "
            "%(invited)d)."
        ) % {
            "name": campaign.name,
            "date": formats.date_format(campaign.closes_on, "SHORT_DATE_FORMAT"),
            "rate": rate,
            "answered": campaign.answered,
            "invited": campaign.invited,
        }
        url = reverse("surveys:detail", args=[request.organisation.slug, campaign.pk])
        steps.append(NextStep("campaign", text, url if access.is_admin else ""))
    return steps
