"""The process owner's records pages: the audit log, retention, records requests; and every
member's own-data export."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from tillit import audit
from tillit.audit.log import Kind, search
from tillit.org.access import org_view, organisations_for
from tillit.records.disclosure import do_answer_records_request, do_export_personal_data
from tillit.records.forms import AuditSearchForm, RecordsRequestForm, RetentionForm
from tillit.records.models import RecordsRequest, RetentionRun
from tillit.records.retention import policy_of

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@org_view(admin=True)
def audit_log(request: HttpRequest) -> HttpResponse:
    """The audit log, newest first, searchable."""
    form = AuditSearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    entries = search(request.organisation, **filters)[:200]
    return render(request, "records/audit.html", {"form": form, "entries": entries})


@org_view(admin=True)
def retention(request: HttpRequest) -> HttpResponse:
    """The retention policy (POST changes it) and what the daily task deleted."""
    organisation = request.organisation
    policy = policy_of(organisation)
    before = {name: getattr(policy, name) for name in RetentionForm.Meta.fields}
    form = RetentionForm(request.POST or None, instance=policy)
    if request.method == "POST" and form.is_valid():
        policy = form.save(commit=False)
        policy.changed_by, policy.changed_at = request.user, timezone.now()
        policy.save()
        after = {name: getattr(policy, name) for name in RetentionForm.Meta.fields}
        audit.record(
            Kind.SETTINGS_CHANGED,
            organisation,
            request.user,
            setting="retention",
            old=before,
            new=after,
        )
        messages.success(request, _("The retention policy was saved."))
        return redirect("records:retention", organisation.slug)
    runs = RetentionRun.objects.filter(organisation=organisation)[:30]
    return render(request, "records/retention.html", {"form": form, "runs": runs})


@org_view(admin=True)
def requests(request: HttpRequest) -> HttpResponse:
    """Record the decision on a records request; a disclosure downloads the published result."""
    organisation = request.organisation
    form = RecordsRequestForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        decision = form.save(commit=False)
        decision.organisation = organisation
        content = do_answer_records_request(decision, by=request.user)
        if content is None:
            messages.success(request, _("The decision was recorded."))
            return redirect("records:requests", organisation.slug)
        name = slugify(f"{decision.reference}-{decision.campaign.name}") or "records"
        response = HttpResponse(content, content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    decisions = RecordsRequest.objects.filter(organisation=organisation).select_related(
        "campaign", "decided_by"
    )[:100]
    return render(request, "records/requests.html", {"form": form, "decisions": decisions})


@org_view()
def my_data(request: HttpRequest) -> HttpResponse:
    """The signed-in person's own data in this organisation, as JSON (POST)."""
    return _my_data(request, request.organisation)


@login_required
def archived_my_data(request: HttpRequest, org: str) -> HttpResponse:
    """The same for an archived organisation, whose other pages are closed to its members: the
    right of access outlives the organisation's use of Tillit. Outsiders get 404."""
    organisation = get_object_or_404(organisations_for(request.user, archived=True), slug=org)
    return _my_data(request, organisation, archived=True)


def _my_data(request: HttpRequest, organisation, *, archived: bool = False) -> HttpResponse:
    if request.method != "POST":
        return render(
            request, "records/my_data.html", {"archived": archived, "named": organisation}
        )
    content = do_export_personal_data(request.user, organisation)
    response = HttpResponse(content, content_type="application/json")
    response["Content-Disposition"] = 'attachment; filename="my-data.json"'
    return response
