"""Register pages: the list, a signal, editing with the stale-edit check, import and export,
the burden heatmap, proposing a signal with its system analysis, roles and hourly cost."""

from __future__ import annotations

import statistics

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tillit.core.middleware import long_work
from tillit.org.models import Organisation, Unit
from tillit.org.tables import FileErrors
from tillit.results.pages import latest_unit_results
from tillit.steering import actions, burden, charts, exports, forms, importing
from tillit.steering.models import Decision, Signal, SteeringRole
from tillit.steering.rights import steering_view


def _settings(request: HttpRequest) -> Organisation:
    """The hourly cost lives on the organisation (its settings page edits it too)."""
    return request.organisation


def signal_for(request: HttpRequest, pk: int) -> Signal:
    """A signal of the request's organisation, or 404 (another tenant's id is not found)."""
    return get_object_or_404(Signal, pk=pk, organisation=request.organisation)


@steering_view()
def register(request: HttpRequest) -> HttpResponse:
    """The register: every signal with its hours per year, searchable; open to all members."""
    query = request.GET.get("q", "").strip()
    signals = Signal.objects.filter(organisation=request.organisation)
    if query:
        signals = signals.filter(Q(title__icontains=query) | Q(description__icontains=query))
    if status := request.GET.get("status"):
        signals = signals.filter(status=status)
    hours = burden.totals(request.organisation)
    page = Paginator(signals.order_by("title", "pk"), 100).get_page(request.GET.get("page"))
    cost = _settings(request)
    in_force = sum(hours.values())
    decisions = Decision.objects.filter(signal__organisation=request.organisation)
    waits = [d.days_from_report for d in decisions if d.days_from_report is not None]
    return render(
        request,
        "steering/register.html",
        {
            "page": page,
            "rows": [(s, hours.get(s.pk)) for s in page],
            "query": query,
            "status": status or "",
            "statuses": Signal.Status.choices,
            "in_force_hours": in_force,
            "in_force_money": burden.money(in_force, cost.hourly_cost),
            "settings": cost,
            "freed": burden.hours_freed_by_level(request.organisation),
            "median_days": statistics.median(waits) if waits else None,
        },
    )


@steering_view()
def signal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One signal: its fields, hours per unit, decisions, measurements and history."""
    signal = signal_for(request, pk)
    total, per_unit = burden.signal_total(signal)
    cost = _settings(request)
    rights = request.rights
    if not rights.sees_whole_burden:
        per_unit = [row for row in per_unit if rights.can_see_path(row[0].path)]
    return render(
        request,
        "steering/signal.html",
        {
            "signal": signal,
            "total": total,
            "money": burden.money(total, cost.hourly_cost),
            "settings": cost,
            "per_unit": per_unit[:200],
            "hits": [h.unit for h in signal.hits.select_related("unit")],
            "decisions": signal.decisions.all(),
            "measurements": signal.measurements.all(),
            "changes": signal.changes.select_related("changed_by")[:50],
            "measurement_form": forms.MeasurementForm(),
        },
    )


@steering_view("keeps_register")
def signal_new(request: HttpRequest) -> HttpResponse:
    """Add a signal to the register directly (the process owner or the secretariat)."""
    form = forms.SignalForm(request.POST or None, organisation=request.organisation)
    if request.method == "POST" and form.is_valid():
        signal = actions.do_create_signal(
            request.organisation, form.values(), list(form.cleaned_data["units"]), request.user
        )
        messages.success(request, _("Saved."))
        return redirect("steering:signal", request.organisation.slug, signal.pk)
    return render(request, "steering/signal_form.html", {"form": form})


@steering_view("keeps_register")
def signal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a signal; a save based on an old version gets 409 and both versions."""
    signal = signal_for(request, pk)
    form = forms.SignalForm(
        request.POST or None, instance=signal, organisation=request.organisation
    )
    if request.method == "POST" and form.is_valid():
        base = form.cleaned_data.get("version") or signal.version
        try:
            actions.do_update_signal(
                signal, form.values(), list(form.cleaned_data["units"]), base, request.user
            )
        except actions.StaleEdit as stale:
            current = stale.current
            fresh = forms.SignalForm(instance=current, organisation=request.organisation)
            return render(
                request,
                "steering/signal_form.html",
                {"form": fresh, "signal": current, "conflict": True},
                status=409,
            )
        messages.success(request, _("Saved."))
        return redirect("steering:signal", request.organisation.slug, signal.pk)
    return render(request, "steering/signal_form.html", {"form": form, "signal": signal})


@steering_view("keeps_register")
def register_import(request: HttpRequest) -> HttpResponse:
    """Import signals from CSV or XLSX; a file with any error changes nothing."""
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            summary = importing.import_signals(
                request.organisation, upload.read(), upload.name, request.user
            )
        except FileErrors as problem:
            errors = problem.errors
        else:
            messages.success(
                request,
                _("Imported: %(created)d new signals, %(updated)d updated.")
                % {"created": summary.created, "updated": summary.updated},
            )
            return redirect("steering:register", request.organisation.slug)
    return render(
        request,
        "steering/import.html",
        {"form": form, "errors": errors, "columns": importing.COLUMNS},
        status=400 if errors else 200,
    )


@steering_view()
@long_work
def register_xlsx(request: HttpRequest) -> HttpResponse:
    """The register as a workbook that imports again."""
    signals = list(
        Signal.objects.filter(organisation=request.organisation)
        .prefetch_related("hits__unit")
        .order_by("title", "pk")
    )
    content = importing.export_xlsx(
        request.organisation,
        signals,
        burden.totals(request.organisation),
        _settings(request).hourly_cost,
    )
    return exports.download(content, f"{request.organisation.slug}-register.xlsx")


LIST_LIMIT = 25


def _burden_root(request: HttpRequest) -> tuple[Unit, list[Unit]]:
    """The subtree asked for (if the user may read it) and the roots the user may choose."""
    rights = request.rights
    units = Unit.objects.filter(organisation=request.organisation).open()
    if rights.sees_whole_burden:
        roots = list(units.filter(parent__isnull=True).order_by("name"))
    else:
        paths = burden.outermost(rights.access.unit_paths)
        roots = list(units.filter(path__in=paths).order_by("name"))
    if not roots:
        raise Http404
    chosen = request.GET.get("unit")
    if not chosen:
        return roots[0], roots
    if not chosen.isdigit():
        raise Http404
    root = get_object_or_404(units, pk=int(chosen))
    if not rights.can_see_path(root.path):
        raise Http404  # a unit outside the user's subtrees is not found, as elsewhere
    return root, roots


@steering_view("sees_burden")
def burden_page(request: HttpRequest) -> HttpResponse:
    """The burden of a subtree: the heatmap, heaviest signals, unused and past review."""
    root, roots = _burden_root(request)
    result = burden.burden_of(request.organisation, root)
    kinds = [str(label) for _value, label in Signal.Kind.choices]
    today = timezone.localdate()
    svg = charts.heatmap(
        [row.name for row in result.rows],
        [*kinds, _("All")],
        [[*row.per_employee, row.total_per_employee] for row in result.rows],
        _("Hours per employee per year, by unit and type of signal"),
    )
    ancestors = [u for u in root.ancestors() if request.rights.can_see_path(u.path)]
    cost = _settings(request)
    unused, past = result.unused(today), result.past_review(today)
    # The unit's newest published HME figures beside its burden, when the user may read the
    # unit's results (published figures are disclosure-safe; the right is results' own rule).
    hme = [
        entry
        for entry in latest_unit_results([root.pk], "hme", request.access)
        if entry["may_open"]
    ]
    return render(
        request,
        "steering/burden.html",
        {
            "root": root,
            "roots": roots,
            "ancestors": ancestors,
            "burden": result,
            "kinds": kinds,
            "svg": svg,
            "heaviest": [(s, h, burden.money(h, cost.hourly_cost)) for s, h in result.heaviest()],
            # The heaviest first, and no more than a page can hold: a large register has
            # hundreds (the whole list is in the XLSX).
            "unused": unused[:LIST_LIMIT],
            "unused_more": max(0, len(unused) - LIST_LIMIT),
            "past_review": past[:LIST_LIMIT],
            "past_review_more": max(0, len(past) - LIST_LIMIT),
            "settings": cost,
            "hme": hme[0] if hme else None,
        },
    )


@steering_view("sees_burden")
@long_work
def burden_xlsx(request: HttpRequest) -> HttpResponse:
    """The heatmap's figures as a workbook."""
    root, _roots = _burden_root(request)
    result = burden.burden_of(request.organisation, root)
    content = exports.burden_xlsx(result, timezone.localdate())
    return exports.download(content, f"burden-{root.pk}.xlsx")


@steering_view()
def propose(request: HttpRequest) -> HttpResponse:
    """Propose a new signal through the system analysis; it goes to the board."""
    form = forms.ProposalForm(request.POST or None, organisation=request.organisation)
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k != "units"}
        signal = actions.do_propose_signal(
            request.organisation, values, list(form.cleaned_data["units"]), request.user
        )
        messages.success(request, _("Your proposal has gone to the review board."))
        return redirect("steering:signal", request.organisation.slug, signal.pk)
    return render(request, "steering/propose.html", {"form": form})


@steering_view()
def estimate(request: HttpRequest) -> HttpResponse:
    """The live estimate of a proposal's hours (an htmx fragment)."""
    form = forms.EstimateForm(request.GET or None, organisation=request.organisation)
    hours = staff = None
    if form.is_valid():
        data = form.cleaned_data
        hours, staff = burden.estimate(
            data["performers_kind"],
            float(data["performers"]),
            float(data["frequency"]),
            float(data["minutes"]),
            list(data["units"]),
        )
    cost = _settings(request)
    return render(
        request,
        "steering/_estimate.html",
        {
            "hours": hours,
            "staff": staff,
            "money": burden.money(hours, cost.hourly_cost) if hours is not None else None,
            "settings": cost,
        },
    )


@steering_view()
def search(request: HttpRequest) -> HttpResponse:
    """Signals whose title matches, so a proposer sees whether one already gives the answer."""
    query = request.GET.get("title", "").strip()
    found = []
    if len(query) >= 3:
        words = [w for w in query.split() if len(w) >= 3][:5]
        condition = Q()
        for word in words:
            condition |= Q(title__icontains=word) | Q(description__icontains=word)
        found = Signal.objects.filter(organisation=request.organisation).filter(condition)[:8]
    return render(request, "steering/_search.html", {"found": found, "query": query})


@steering_view("is_admin")
def roles(request: HttpRequest) -> HttpResponse:
    """The process owner names the secretariat and the board, and sets the hourly cost."""
    cost = _settings(request)
    role_form = forms.RoleForm(request.POST if "email" in request.POST else None)
    cost_form = forms.CostForm(
        request.POST if "hourly_cost" in request.POST else None,
        initial={"hourly_cost": cost.hourly_cost, "currency": cost.currency},
    )
    if request.method == "POST":
        if role_form.is_bound and role_form.is_valid():
            actions.do_grant_steering_role(
                request.organisation,
                role_form.cleaned_data["email"],
                role_form.cleaned_data["role"],
            )
            messages.success(request, _("Saved."))
            return redirect("steering:roles", request.organisation.slug)
        if cost_form.is_bound and cost_form.is_valid():
            cost.hourly_cost = cost_form.cleaned_data["hourly_cost"]
            cost.currency = cost_form.cleaned_data["currency"]
            cost.save(update_fields=["hourly_cost", "currency"])
            messages.success(request, _("Saved."))
            return redirect("steering:roles", request.organisation.slug)
    grants = SteeringRole.objects.filter(organisation=request.organisation).order_by(
        "role", "email"
    )
    return render(
        request,
        "steering/roles.html",
        {"grants": grants, "role_form": role_form, "cost_form": cost_form},
    )


@require_POST
@steering_view("is_admin")
def role_revoke(request: HttpRequest, grant_id: int) -> HttpResponse:
    """Take a steering role away."""
    grant = get_object_or_404(SteeringRole, pk=grant_id, organisation=request.organisation)
    actions.do_revoke_steering_role(grant)
    messages.success(request, _("Saved."))
    return redirect("steering:roles", request.organisation.slug)


@steering_view("keeps_register")
def challenges(request: HttpRequest) -> HttpResponse:
    """Challenges from samskabt styring programmes (step 2), to put under review as signals."""
    from tillit.programmes.models import Artefact
    from tillit.programmes.rights import visible_programmes

    programmes = visible_programmes(request.access, request.user.email)
    found = (
        Artefact.objects.filter(
            organisation=request.organisation, kind="challenge", programme__in=programmes
        )
        .select_related("programme")
        .order_by("-created_at")
    )
    if request.method == "POST":
        challenge = get_object_or_404(found, pk=request.POST.get("challenge"))
        signal = actions.do_signal_from_challenge(challenge, request.user)
        messages.success(request, _("Saved."))
        return redirect("steering:signal", request.organisation.slug, signal.pk)
    taken = dict(
        Signal.objects.filter(from_challenge__in=found).values_list("from_challenge", "pk")
    )
    return render(
        request,
        "steering/challenges.html",
        {"rows": [(c, taken.get(c.pk)) for c in found[:200]]},
    )
