"""The bøvl inbox: reporting from a phone, the receipt, the secretariat's triage, the board's
decisions, the public decision log, before/after measurements and escalation letters."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tillit.core.middleware import long_work
from tillit.steering import actions, exports, forms
from tillit.steering.models import BovlReport, Decision, NamedReporter, Signal
from tillit.steering.rights import steering_view
from tillit.steering.views.register import signal_for


@steering_view()
def report(request: HttpRequest) -> HttpResponse:
    """Report bøvl: any member, named or anonymous."""
    initial = {}
    person = request.access.person
    if person is not None:
        initial["unit"] = person.unit_id
    form = forms.BovlForm(request.POST or None, organisation=request.organisation, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        stored, code = actions.do_report_bovl(
            request.organisation,
            what=data["what"],
            unit=data["unit"],
            minutes_per_week=data["minutes_per_week"] or 0,
            hinders=data["hinders"],
            idea=data["idea"],
            reporter=None if data["anonymous"] else request.user,
        )
        # Rendered, not redirected: the receipt code is shown once and never put in an
        # address (addresses end up in logs).
        asked = data["unit"]
        return render(
            request,
            "steering/thanks.html",
            {
                "code": code,
                "anonymous": data["anonymous"],
                "asked": asked,
                "widened": asked is not None and stored.unit_id != asked.pk,
                "filed_under": stored.unit,
                "k": request.organisation.k_text,
            },
        )
    return render(request, "steering/report.html", {"form": form})


@steering_view()
def receipt(request: HttpRequest) -> HttpResponse:
    """Read the fate of a report by its receipt code (sent in a form, never in the address)."""
    found = None
    code = request.POST.get("code", "").strip()
    if request.method == "POST" and code:
        found = BovlReport.objects.filter(
            organisation=request.organisation, receipt_hash=actions.receipt_hash(code)
        ).first()
        if found is None:
            messages.error(request, _("No report has this receipt code."))
    return render(request, "steering/receipt.html", {"report": found, "code": code})


@steering_view()
def my_reports(request: HttpRequest) -> HttpResponse:
    """A named reporter's own reports with their answers and decisions."""
    reports = (
        BovlReport.objects.filter(organisation=request.organisation, reporter__user=request.user)
        .select_related("signal", "unit")
        .prefetch_related("signal__decisions")
    )
    return render(request, "steering/mine.html", {"reports": reports})


@steering_view("secretariat")
def inbox(request: HttpRequest) -> HttpResponse:
    """The secretariat's inbox: new reports first."""
    reports = BovlReport.objects.filter(organisation=request.organisation).select_related(
        "unit", "signal"
    )
    new = [r for r in reports if r.status == BovlReport.Status.NEW]
    rest = [r for r in reports if r.status != BovlReport.Status.NEW]
    return render(request, "steering/inbox.html", {"new": new, "rest": rest})


def _report_for(request: HttpRequest, pk) -> BovlReport:
    return get_object_or_404(BovlReport, pk=pk, organisation=request.organisation)


@steering_view("secretariat")
def triage(request: HttpRequest, pk) -> HttpResponse:
    """Triage one report; the secretariat alone sees a named reporter."""
    item = _report_for(request, pk)
    form = forms.TriageForm(request.POST or None, report=item)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        new_signal = None
        if data["new_signal_title"]:
            new_signal = {
                "title": data["new_signal_title"],
                "kind": data["new_signal_kind"] or Signal.Kind.RULE,
                "issuer_level": Signal.Level.ADMINISTRATION,
                "frequency": 0,
                "minutes": 0,
                "performers": 0,
                "status": Signal.Status.ACTIVE,
                "description": item.what,
            }
        actions.do_triage(
            item,
            remit=data["remit"],
            signal=data["signal"],
            new_signal=new_signal,
            new_units=[item.unit] if item.unit else [],
            duplicate_of=data["duplicate_of"],
            answer=data["answer"],
            user=request.user,
        )
        messages.success(request, _("Saved."))
        return redirect("steering:inbox", request.organisation.slug)
    named = NamedReporter.objects.filter(report=item).select_related("user").first()
    return render(
        request,
        "steering/triage.html",
        {"report": item, "form": form, "reporter": named.user if named else None},
    )


@steering_view("board")
def board(request: HttpRequest) -> HttpResponse:
    """What waits for the board: signals under review and proposed signals."""
    signals = Signal.objects.filter(organisation=request.organisation)
    return render(
        request,
        "steering/board.html",
        {
            "review": signals.filter(status=Signal.Status.UNDER_REVIEW).prefetch_related("reports"),
            "proposals": signals.filter(status=Signal.Status.PROPOSED),
        },
    )


@steering_view("board")
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    """The board decides on one signal, with a reason. Reports show without their reporter."""
    signal = signal_for(request, pk)
    if signal.status not in (Signal.Status.UNDER_REVIEW, Signal.Status.PROPOSED):
        raise Http404
    proposal = signal.status == Signal.Status.PROPOSED
    form = forms.DecisionForm(request.POST or None, proposal=proposal)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        actions.do_decide(
            signal,
            data["outcome"],
            data["reason"],
            request.user,
            escalate_to=data.get("escalate_to", ""),
        )
        messages.success(request, _("The decision is in the log."))
        return redirect("steering:decisions", request.organisation.slug)
    # Only the report's own fields: NamedReporter is never read here.
    reports = signal.reports.select_related("unit")
    return render(
        request,
        "steering/decide.html",
        {"signal": signal, "form": form, "reports": reports, "proposal": proposal},
    )


@steering_view()
def decisions(request: HttpRequest) -> HttpResponse:
    """The public log of the board's decisions, inside the organisation."""
    log = Decision.objects.filter(signal__organisation=request.organisation).select_related(
        "signal"
    )
    return render(request, "steering/decisions.html", {"log": log})


@require_POST
@steering_view("keeps_register")
def measurement_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a before/after measurement on a signal."""
    signal = signal_for(request, pk)
    form = forms.MeasurementForm(request.POST)
    if form.is_valid():
        actions.do_add_measurement(signal, form.cleaned_data, request.user)
        messages.success(request, _("Saved."))
    else:
        messages.error(
            request,
            _("The measurement was not saved: %(errors)s")
            % {"errors": " ".join(e for errs in form.errors.values() for e in errs)},
        )
    return redirect("steering:signal", request.organisation.slug, signal.pk)


@steering_view()
@long_work
def letter(request: HttpRequest, pk: int, extension: str) -> HttpResponse:
    """The escalation letter for a decision (board, secretariat and process owner)."""
    if extension not in ("pdf", "docx"):
        raise Http404
    rights = request.rights
    if not (rights.board or rights.keeps_register):
        raise PermissionDenied
    decision = get_object_or_404(
        Decision,
        pk=pk,
        signal__organisation=request.organisation,
        outcome=Decision.Outcome.ESCALATE,
    )
    content = exports.letter_pdf(decision) if extension == "pdf" else exports.letter_docx(decision)
    return exports.download(content, exports.letter_filename(decision, extension))
