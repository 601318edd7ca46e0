"""The process owner's campaign pages, and the response rate that managers may follow."""

from __future__ import annotations

import segno
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tillit.org.access import org_view
from tillit.org.models import Unit
from tillit.surveys import actions, schedule
from tillit.surveys.forms import CampaignForm, ReopenForm, TestLinkForm
from tillit.surveys.models import Campaign
from tillit.surveys.participation import response_rates
from tillit.surveys.views import testing
from tillit.surveys.views.answering import LANGUAGE_NAMES


def _campaign(request: HttpRequest, campaign_id: int) -> Campaign:
    return get_object_or_404(
        Campaign.objects.select_related("target_unit"),
        pk=campaign_id,
        organisation=request.organisation,
    )


@org_view()
def campaign_list(request: HttpRequest) -> HttpResponse:
    """Admins see every campaign; managers the launched ones they can follow."""
    access = request.access
    campaigns = Campaign.objects.filter(organisation=request.organisation).select_related(
        "target_unit"
    )
    if not access.is_admin:
        campaigns = campaigns.exclude(status=Campaign.Status.DRAFT) if access.unit_paths else []
    return render(request, "surveys/campaign_list.html", {"campaigns": campaigns})


def _edit(request: HttpRequest, campaign: Campaign) -> HttpResponse:
    form = CampaignForm(request.POST or None, instance=campaign, organisation=request.organisation)
    if request.method == "POST" and form.is_valid():
        campaign = form.save()
        if campaign.pk is None:
            campaign.created_by = request.user
        try:
            actions.do_save_campaign(campaign, form.chosen_versions(), by=request.user)
        except actions.CampaignError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The campaign is saved."))
            return redirect("surveys:detail", request.organisation.slug, campaign.pk)
    return render(request, "surveys/campaign_form.html", {"form": form, "campaign": campaign})


@org_view(admin=True)
def campaign_create(request: HttpRequest) -> HttpResponse:
    """A new draft campaign."""
    today = timezone.localdate()
    root = Unit.objects.filter(organisation=request.organisation, parent__isnull=True).first()
    draft = Campaign(
        organisation=request.organisation,
        opens_on=today,
        closes_on=today + timezone.timedelta(days=21),
        target_unit=root,
        languages=[request.organisation.language],
        reminder_days=[7, 12],
        **request.organisation.thresholds(),  # the organisation's defaults (its settings)
    )
    return _edit(request, draft)


@org_view(admin=True)
def campaign_edit(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """Edit a draft (a launched campaign is fixed)."""
    campaign = _campaign(request, campaign_id)
    if not campaign.is_draft:
        messages.error(request, _("Only a draft campaign can be edited."))
        return redirect("surveys:detail", request.organisation.slug, campaign.pk)
    return _edit(request, campaign)


@org_view()
def campaign_detail(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """Status, actions (admins) and the live response rate per unit (admins and managers)."""
    access = request.access
    campaign = _campaign(request, campaign_id)
    if not access.is_admin and (not access.unit_paths or campaign.is_draft):
        raise PermissionDenied
    paths = None if access.is_admin else access.unit_paths
    context = {
        "campaign": campaign,
        "schedule": schedule.planned(campaign),
        "closed_at": schedule.closed_at(campaign),
        "previews": [
            (code, LANGUAGE_NAMES.get(code, code), testing.preview_url(campaign, code))
            for code in campaign.languages
        ]
        if access.is_admin
        else [],
        "test_form": TestLinkForm(campaign=campaign),
        "rows": response_rates(campaign, paths),
        "versions": campaign.versions(),
        "events": campaign.events.select_related("by") if access.is_admin else [],
        "codes": campaign.unit_codes.select_related("unit") if access.is_admin else [],
        "reopen_form": ReopenForm(
            initial={"closes_on": timezone.localdate() + timezone.timedelta(days=7)}
        ),
    }
    return render(request, "surveys/campaign_detail.html", context)


@org_view(admin=True)
def campaign_launch(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """Confirm (how many will be invited), then launch."""
    campaign = _campaign(request, campaign_id)
    if request.method == "POST":
        try:
            count = actions.do_launch_campaign(campaign, by=request.user)
        except actions.CampaignError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("The campaign is open: %(count)s people were invited.") % {"count": count},
            )
        return redirect("surveys:detail", request.organisation.slug, campaign.pk)
    return render(
        request,
        "surveys/campaign_launch.html",
        {"campaign": campaign, "count": actions.count_invitees(campaign)},
    )


def _act(request: HttpRequest, campaign_id: int, act, done: str) -> HttpResponse:
    campaign = _campaign(request, campaign_id)
    try:
        result = act(campaign)
    except actions.CampaignError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done % {"count": result})
    return redirect("surveys:detail", request.organisation.slug, campaign.pk)


@org_view(admin=True)
def campaign_close(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """Ask first (closing publishes the results and ends answering), then close."""
    if request.method != "POST":
        campaign = _campaign(request, campaign_id)
        return render(
            request, "surveys/campaign_confirm.html", {"campaign": campaign, "act": "close"}
        )
    return _act(
        request,
        campaign_id,
        lambda c: actions.do_close_campaign(c, by=request.user),
        _("The campaign is closed."),
    )


@require_POST
@org_view(admin=True)
def campaign_reopen(request: HttpRequest, campaign_id: int) -> HttpResponse:
    form = ReopenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a valid new closing date."))
        return redirect("surveys:detail", request.organisation.slug, campaign_id)
    return _act(
        request,
        campaign_id,
        lambda c: actions.do_reopen_campaign(
            c, closes_on=form.cleaned_data["closes_on"], by=request.user
        ),
        _("The campaign is open again."),
    )


@require_POST
@org_view(admin=True)
def campaign_remind(request: HttpRequest, campaign_id: int) -> HttpResponse:
    return _act(
        request,
        campaign_id,
        lambda c: actions.do_send_reminders(c, by=request.user),
        _("Reminders were sent to %(count)s people who have not answered."),
    )


@org_view(admin=True)
def campaign_delete(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """Ask first, then delete a draft."""
    campaign = _campaign(request, campaign_id)
    if request.method != "POST":
        return render(
            request, "surveys/campaign_confirm.html", {"campaign": campaign, "act": "delete"}
        )
    try:
        actions.do_delete_campaign(campaign)
    except actions.CampaignError as error:
        messages.error(request, str(error))
        return redirect("surveys:detail", request.organisation.slug, campaign.pk)
    messages.success(request, _("The draft “%(name)s” is deleted.") % {"name": campaign.name})
    return redirect("surveys:campaigns", request.organisation.slug)


@require_POST
@org_view(admin=True)
def campaign_test_link(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """Mail the signed-in process owner a test link in the chosen language."""
    campaign = _campaign(request, campaign_id)
    form = TestLinkForm(request.POST, campaign=campaign)
    if not form.is_valid():
        messages.error(request, _("Choose one of the campaign's languages."))
        return redirect("surveys:detail", request.organisation.slug, campaign.pk)
    language = form.cleaned_data["language"]
    try:
        actions.do_send_test_link(
            campaign,
            url=testing.preview_url(campaign, language, absolute=True),
            to=request.user.email,
            language=language,
            by=request.user,
        )
    except actions.CampaignError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("A test link was sent to %(email)s.") % {"email": request.user.email}
        )
    return redirect("surveys:detail", request.organisation.slug, campaign.pk)


@org_view(admin=True)
@require_http_methods(["GET", "POST"])
def campaign_poster(request: HttpRequest, campaign_id: int, unit_id: int) -> HttpResponse:
    """A printable poster with the unit's code and a QR code (server-rendered SVG)."""
    campaign = _campaign(request, campaign_id)
    unit = get_object_or_404(Unit, pk=unit_id, organisation=request.organisation)
    if not unit.is_within(campaign.target_unit) or campaign.status == Campaign.Status.CLOSED:
        raise PermissionDenied
    if request.method == "POST":
        actions.unit_code_for(campaign, unit)  # made here, never by looking at the page
        return redirect("surveys:poster", request.organisation.slug, campaign.pk, unit.pk)
    code = actions.existing_unit_code(campaign, unit)
    if code is None:
        return render(
            request,
            "surveys/poster.html",
            {"campaign": campaign, "unit": unit, "code": None},
        )
    url = request.build_absolute_uri(reverse("surveys:code", args=[code.code]))
    # segno writes only elements and presentation attributes (no inline style), so the CSP holds.
    qr = segno.make(url, error="m").svg_inline(scale=4, omitsize=True, title=code.code)
    return render(
        request,
        "surveys/poster.html",
        {
            "campaign": campaign,
            "unit": unit,
            "code": code.code,
            "url": url,
            "qr": mark_safe(qr),  # noqa: S308
            "capacity": actions.code_capacity(code),
        },
    )
