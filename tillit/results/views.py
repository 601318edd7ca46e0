"""Result pages: the campaigns with results, the organisation overview, a unit's page and the
exports. Every view reads the stored snapshot; who sees what is `tillit.org.access`'s answer."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.utils.translation import get_language, gettext_lazy, ngettext

from tillit import audit
from tillit.audit.log import Kind
from tillit.core.middleware import long_work
from tillit.org.access import org_view
from tillit.org.models import Unit
from tillit.results import exports
from tillit.results.kolada import comparison, do_import_kolada
from tillit.results.models import (
    DisclosureEvent,
    KoladaValue,
    ReportBatch,
    ResultSettings,
    ResultUnit,
)
from tillit.results.pages import overview_context, rate, unit_context, visible_rows
from tillit.results.present import index_keys, index_label
from tillit.results.refreshing import get_snapshot
from tillit.results.tasks import build_report_batch
from tillit.surveys.models import Campaign

LISTED = (Campaign.Status.OPEN, Campaign.Status.CLOSED)


def _campaign(request: HttpRequest, campaign_id: int) -> Campaign:
    return get_object_or_404(
        Campaign, pk=campaign_id, organisation=request.organisation, status__in=LISTED
    )


def _reader(request: HttpRequest) -> None:
    """Unit results are for admins, managers and MED representatives only."""
    if not (request.access.is_admin or request.access.unit_paths):
        raise PermissionDenied


@org_view()
def index(request: HttpRequest) -> HttpResponse:
    """The campaigns with results; everyone in the organisation sees its overall figures."""
    entries = []
    for campaign in Campaign.objects.filter(organisation=request.organisation, status__in=LISTED):
        snapshot = get_snapshot(campaign)
        top = ResultUnit.objects.filter(snapshot=snapshot, depth=0).order_by("position").first()
        summary = top.summary if top else None
        figures = [
            (index_label(snapshot.data, key), summary["indices"][key])
            for key in index_keys(snapshot.data)
            if summary and summary["shown"] and key.endswith(".total")
            if summary["indices"].get(key) is not None
        ]
        entries.append(
            {
                "campaign": campaign,
                "top": summary,
                "rate": summary and rate(summary),
                "figures": figures,
            }
        )
    reader = request.access.is_admin or bool(request.access.unit_paths)
    return render(request, "results/index.html", {"entries": entries, "reader": reader})


@org_view()
def overview(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """Units × indices as a heatmap, sortable, by level; response rates; index distribution."""
    _reader(request)
    campaign = _campaign(request, campaign_id)
    context = overview_context(get_snapshot(campaign), request.access, request.GET.dict())
    audit.record(Kind.RESULTS_READ, request.organisation, request.user, campaign=campaign.name)
    if request.access.is_admin:
        # Kolada compares Swedish municipalities and regions only (the organisation's setting).
        if request.organisation.shows_kolada:
            context["kolada"] = comparison(request.organisation, context["top"])
        context["disclosure_log"] = DisclosureEvent.objects.filter(campaign=campaign)
    return render(request, "results/overview.html", {"campaign": campaign, **context})


def _unit_row(request: HttpRequest, campaign: Campaign, unit_pk: int):
    _reader(request)
    unit = get_object_or_404(Unit, pk=unit_pk, organisation=request.organisation)
    if not request.access.can_see_unit(unit):
        raise PermissionDenied
    snapshot = get_snapshot(campaign)
    row = ResultUnit.objects.filter(snapshot=snapshot, unit_pk=unit_pk).first()
    if row is None:
        raise Http404
    return snapshot, row


@org_view()
def unit(request: HttpRequest, campaign_id: int, unit_pk: int) -> HttpResponse:
    """One unit: indices beside parent and organisation, trend, items, comments."""
    campaign = _campaign(request, campaign_id)
    snapshot, row = _unit_row(request, campaign, unit_pk)
    context = unit_context(
        snapshot,
        row,
        get_language(),
        theme=request.GET.get("theme", "")[:40],
        query=request.GET.get("q", "")[:200],
    )
    _audit_unit(request, Kind.RESULTS_READ, campaign, row, "")
    access = request.access
    # The programmes app starts the dialogue (it lies below results, which never imports it);
    # this page only offers the button to those allowed to start one for the unit.
    context["can_start_dialogue"] = campaign.status == "closed" and (
        access.is_admin or any(row.path.startswith(p) for p in access.managed_paths)
    )
    return render(request, "results/unit.html", {"campaign": campaign, **context})


@org_view()
@long_work
def unit_pdf(request: HttpRequest, campaign_id: int, unit_pk: int) -> HttpResponse:
    """The unit's report as PDF, in the reader's language."""
    campaign = _campaign(request, campaign_id)
    snapshot, row = _unit_row(request, campaign, unit_pk)
    content = exports.unit_pdf(snapshot, row, get_language())
    _audit_unit(request, Kind.RESULTS_EXPORTED, campaign, row, "pdf")
    name = f"{slugify(campaign.name)}-{slugify(row.data['name'])}.pdf"
    return _download(content, "application/pdf", name)


@org_view()
@long_work
def export(request: HttpRequest, campaign_id: int, kind: str) -> HttpResponse:
    """Every unit the user may see, as XLSX or JSON."""
    if kind not in ("xlsx", "json"):
        raise Http404
    _reader(request)
    campaign = _campaign(request, campaign_id)
    snapshot = get_snapshot(campaign)
    pks = set(visible_rows(snapshot, request.access).values_list("unit_pk", flat=True))
    name = slugify(campaign.name) or f"campaign-{campaign.pk}"
    audit.record(
        Kind.RESULTS_EXPORTED,
        request.organisation,
        request.user,
        campaign=campaign.name,
        format=kind,
        units=len(pks),
    )
    if kind == "xlsx":
        content = exports.xlsx_bytes(snapshot, pks)
        mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return _download(content, mime, f"{name}.xlsx")
    return _download(exports.json_bytes(snapshot, pks), "application/json", f"{name}.json")


def _audit_unit(request: HttpRequest, kind: str, campaign: Campaign, row, form: str) -> None:
    audit.record(
        kind,
        request.organisation,
        request.user,
        campaign=campaign.name,
        unit=row.data["name"],
        format=form,
    )


def _download(content: bytes, mime: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=mime)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class KoladaForm(forms.Form):
    municipality_code = forms.RegexField(
        label=gettext_lazy("Your municipality code (four digits)"),
        regex=r"^\d{4}$",
        required=False,
        error_messages={"invalid": gettext_lazy("Enter four digits, e.g. 0180.")},
    )
    file = forms.FileField(
        label=gettext_lazy("CSV file from Kolada"),
        help_text=gettext_lazy(
            "Columns: municipality_code, year, total; optional motivation, ledarskap, styrning."
        ),
    )


@org_view(admin=True)
def kolada_import(request: HttpRequest) -> HttpResponse:
    """A process owner imports published HME values from Kolada to compare with."""
    organisation = request.organisation
    current = ResultSettings.objects.filter(organisation=organisation).first()
    form = KoladaForm(
        request.POST or None,
        request.FILES or None,
        initial={"municipality_code": current.municipality_code if current else ""},
    )
    errors = []
    if request.method == "POST" and form.is_valid():
        count, errors = do_import_kolada(
            organisation, form.cleaned_data["file"].read(), form.cleaned_data["municipality_code"]
        )
        audit.record(
            Kind.IMPORT_RUN,
            organisation,
            request.user,
            kind="kolada",
            file=form.cleaned_data["file"].name,
            rows=count,
            errors=len(errors),
        )
        if not errors:
            messages.success(
                request,
                ngettext("%(n)s value imported.", "%(n)s values imported.", count) % {"n": count},
            )
            return redirect("results:kolada", organisation.slug)
    context = {
        "form": form,
        "errors": errors,
        "values": KoladaValue.objects.filter(organisation=organisation),
    }
    return render(request, "results/kolada.html", context)


@org_view()
def batch_start(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """Start a ZIP of the PDF reports of every shown unit the user may see (POST)."""
    _reader(request)
    if request.method != "POST":
        raise Http404
    campaign = _campaign(request, campaign_id)
    snapshot = get_snapshot(campaign)
    pks = list(
        visible_rows(snapshot, request.access).filter(shown=True).values_list("unit_pk", flat=True)
    )
    batch = ReportBatch.objects.create(
        campaign=campaign,
        created_by=request.user,
        language=get_language(),
        unit_pks=pks,
        total=len(pks),
    )
    build_report_batch.enqueue(batch.pk)
    audit.record(
        Kind.RESULTS_EXPORTED,
        request.organisation,
        request.user,
        campaign=campaign.name,
        format="pdf-zip",
        units=len(pks),
    )
    return redirect("results:batch", request.organisation.slug, campaign.pk, batch.pk)


@org_view()
def batch_status(request: HttpRequest, campaign_id: int, batch_id: int) -> HttpResponse:
    """The batch's progress (htmx polls the fragment); `?download=1` gives the ZIP – only
    while its maker still reads results (a role taken away takes the ZIP with it)."""
    _reader(request)
    campaign = _campaign(request, campaign_id)
    batch = get_object_or_404(
        ReportBatch.objects.defer("content"),
        pk=batch_id,
        campaign=campaign,
        created_by=request.user,
    )
    if request.GET.get("download") and batch.status == ReportBatch.Status.DONE:
        content = ReportBatch.objects.values_list("content", flat=True).get(pk=batch.pk)
        name = f"{slugify(campaign.name) or 'reports'}.zip"
        return _download(bytes(content), "application/zip", name)
    template = "results/batch_job.html" if request.htmx else "results/batch.html"
    return render(request, template, {"campaign": campaign, "batch": batch})
