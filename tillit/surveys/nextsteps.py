"""Open campaigns and their response rate, for the home page of those who follow them."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _

from tillit.core.nextsteps import NextStep
from tillit.surveys.actions import waiting_invitations
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


def waiting_for_me(request) -> list[NextStep]:
    """Everyone invited sees each open survey that waits for their own answer, with its
    closing day and a button that mails them their link again (the link is not kept)."""
    steps = []
    seen = set()
    for invitation in waiting_invitations(request.organisation, request.user.email):
        campaign = invitation.campaign
        if campaign.pk in seen:
            continue
        seen.add(campaign.pk)
        text = _("The survey %(name)s waits for your answer. It is open until %(date)s.") % {
            "name": campaign.name,
            "date": formats.date_format(campaign.closes_on, "DATE_FORMAT"),
        }
        steps.append(
            NextStep(
                "answer",
                text,
                "",
                urgent=True,
                post_url=reverse("surveys:my_link", args=[request.organisation.slug, campaign.pk]),
                button=_("Send my link again"),
                note=_(
                    "Your link is in the invitation e-mail. Tillit does not keep it, so that "
                    "nobody can tie your answers to you: the button e-mails you a new one."
                ),
            )
        )
    return steps
