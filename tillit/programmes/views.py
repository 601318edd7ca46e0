"""Programme pages: list, start, overview with the step wheel, steps, artefacts, follow-up."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tillit.core.middleware import long_work
from tillit.org.access import org_view
from tillit.programmes import actions, forms, report, rights
from tillit.programmes.catalogue import ARTEFACT_KINDS
from tillit.programmes.models import (
    Artefact,
    Participant,
    Programme,
    ProgrammeStep,
    ProgrammeTemplate,
    text_for,
)
from tillit.programmes.presenting import kinds_for, tool_view
from tillit.programmes.wheel import segments
from tillit.results.pages import latest_unit_results


def _programme(request: HttpRequest, pk: int, *, steer: bool = False) -> Programme:
    """The programme if the user may view it (404 otherwise); 403 if steering is needed."""
    programme = get_object_or_404(
        Programme.objects.select_related("template_version__template"),
        pk=pk,
        organisation=request.organisation,
    )
    email = request.user.email
    if not rights.can_view(request.access, email, programme):
        raise Http404
    if steer and not rights.can_steer(request.access, email, programme):
        raise PermissionDenied
    return programme


def _step(programme: Programme, step_id: str) -> ProgrammeStep:
    return get_object_or_404(ProgrammeStep, programme=programme, step_id=step_id)


@org_view()
def programmes(request: HttpRequest) -> HttpResponse:
    """The programmes the user may open, and the methods to start one from."""
    access = request.access
    visible = rights.visible_programmes(access, request.user.email).prefetch_related("units")
    return render(
        request,
        "programmes/list.html",
        {
            "programmes": visible.select_related("template_version__template").order_by(
                "status", "-created_at"
            ),
            "templates": ProgrammeTemplate.objects.all(),
            "can_start": access.is_admin or bool(access.managed_paths),
            "language": get_language(),
        },
    )


@org_view()
def template_guide(request: HttpRequest, slug: str) -> HttpResponse:
    """A method's guide for whoever initiates and steers it, with its steps and tools."""
    template = get_object_or_404(ProgrammeTemplate, slug=slug)
    version = template.latest()
    if version is None:
        raise Http404
    language = get_language()
    steps = [
        {"step": s, "tools": [tool_view(t, language) for t in s["tools"]]}
        for s in version.definition["steps"]
    ]
    return render(
        request,
        "programmes/template.html",
        {"template": template, "definition": version.definition, "steps": steps, "lang": language},
    )


@org_view()
def start(request: HttpRequest) -> HttpResponse:
    """Start a programme from a template for units the user manages (admins: any unit)."""
    access = request.access
    units = access.visible_units().open() if access.is_admin else _managed_units(access)
    if not units.exists():
        raise PermissionDenied
    templates = list(ProgrammeTemplate.objects.all())
    form = forms.StartProgrammeForm(
        request.POST or None,
        templates=templates,
        units=units.order_by("path"),
        language=get_language(),
        initial={
            "template": request.GET.get("template"),
            "language": request.organisation.language,
        },
    )
    if request.method == "POST" and form.is_valid():
        chosen = list(form.cleaned_data["units"])
        if not rights.can_start_for(access, chosen):
            raise PermissionDenied
        programme = actions.do_start_programme(
            organisation=request.organisation,
            template_version=form.templates[form.cleaned_data["template"]].latest(),
            title=form.cleaned_data["title"],
            language=form.cleaned_data["language"],
            units=chosen,
            created_by=request.user,
        )
        return redirect("programmes:detail", request.organisation.slug, programme.pk)
    return render(request, "programmes/start.html", {"form": form})


@org_view()
@require_POST
def start_dialogue(request: HttpRequest) -> HttpResponse:
    """ "Start a results dialogue" from a unit's results page: a results dialogue for that unit
    about that survey, opened at its results step."""
    from tillit.org.models import Unit
    from tillit.surveys.models import Campaign

    campaign = get_object_or_404(
        Campaign, pk=request.POST.get("campaign"), organisation=request.organisation
    )
    unit = get_object_or_404(Unit, pk=request.POST.get("unit"), organisation=request.organisation)
    if campaign.status != Campaign.Status.CLOSED or not rights.can_start_for(
        request.access, [unit]
    ):
        raise PermissionDenied
    programme = actions.do_start_results_dialogue(
        campaign=campaign, unit=unit, created_by=request.user
    )
    messages.success(request, _("The results dialogue is started."))
    first = programme.steps.order_by("position").first()
    return redirect("programmes:step", request.organisation.slug, programme.pk, first.step_id)


def _managed_units(access):
    from tillit.org.models import Unit

    units = Unit.objects.filter(organisation=access.organisation).open()
    if not access.managed_paths:
        return units.none()
    from django.db.models import Q

    q = Q()
    for path in access.managed_paths:
        q |= Q(path__startswith=path)
    return units.filter(q)


@org_view()
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Where the programme stands at a glance: the step wheel and list, participants, artefacts."""
    programme = _programme(request, pk)
    steps = list(programme.steps.all())
    language = programme.language
    for step in steps:
        step.title = text_for(step.definition.get("title"), language)
    done = sum(s.status == ProgrammeStep.Status.DONE for s in steps)
    counts = {}
    for artefact in programme.artefacts.all():
        counts[artefact.kind] = counts.get(artefact.kind, 0) + 1
    return render(
        request,
        "programmes/detail.html",
        {
            "programme": programme,
            "steps": steps,
            "wheel": segments([s.status for s in steps]),
            "done": done,
            "steps_left": len(steps) - done,
            "counts": [(ARTEFACT_KINDS[k].plural, n) for k, n in sorted(counts.items())],
            "participants": programme.participants.all(),
            "can_steer": rights.can_steer(request.access, request.user.email, programme),
            "description": programme.text(programme.definition["description"]),
            "open_actions": programme.artefacts.open_actions().count(),
        },
    )


@org_view()
@require_POST
def finish(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark the programme finished (those who steer it)."""
    return _set_finished(request, pk, True, _("The programme is finished."))


@org_view()
@require_POST
def reopen(request: HttpRequest, pk: int) -> HttpResponse:
    """Make a finished programme running again (those who steer it)."""
    return _set_finished(request, pk, False, _("The programme is running again."))


def _set_finished(request: HttpRequest, pk: int, finished: bool, done: str) -> HttpResponse:
    programme = _programme(request, pk, steer=True)
    if actions.do_set_finished(programme, finished):
        messages.success(request, done)
    return redirect("programmes:detail", request.organisation.slug, pk)


@org_view()
def step(request: HttpRequest, pk: int, step_id: str) -> HttpResponse:
    """One step: its guide, tools (each with a guide), checklist, status, sessions, artefacts."""
    programme = _programme(request, pk)
    current = _step(programme, step_id)
    return render(request, "programmes/step.html", _step_context(request, programme, current))


def _step_context(request, programme: Programme, current: ProgrammeStep, **extra) -> dict:
    definition, language = current.definition, programme.language
    checklist = [text_for(item, language) for item in definition.get("checklist", [])]
    can_steer = rights.can_steer(request.access, request.user.email, programme)
    checklist_form = forms.ChecklistForm(items=checklist, initial={"ticked": current.checked})
    checklist_form.fields["ticked"].disabled = not can_steer
    return {
        "programme": programme,
        "step": current,
        "d": {
            k: text_for(definition.get(k), language)
            for k in ("title", "purpose", "content", "how_to")
        },
        "tools": [tool_view(t, language) for t in definition.get("tools", [])],
        "checklist_form": checklist_form,
        "status_form": forms.StepStatusForm(initial={"status": current.status}),
        "session_form": extra.get("session_form") or forms.SessionForm(),
        "sessions": current.sessions.all(),
        "artefacts": programme.artefacts.filter(step_id=current.step_id),
        "kinds": kinds_for(definition),
        "can_steer": can_steer,
        "steps": [
            (other, text_for(other.definition.get("title"), language))
            for other in programme.steps.all()
        ],
        **_results_context(request, programme, definition),
    }


def _results_context(request, programme: Programme, definition: dict) -> dict:
    """For a step with a results tool: the units' newest published results and their actions."""
    tools = [t for t in definition.get("tools", []) if t["type"] == "results"]
    if not tools:
        return {}
    instrument = tools[0].get("config", {}).get("instrument")
    return {
        # Every instrument of the survey (HME and the trust principles alike); the step's
        # instrument only picks the newest survey when the programme names none.
        "unit_results": latest_unit_results(
            [u.pk for u in programme.units.all()],
            instrument,
            request.access,
            campaign_id=programme.campaign_id,
            every_instrument=True,
        ),
        "unit_actions": list(rights.unit_actions(request.access, request.user.email, programme)),
    }


@org_view()
@require_POST
def step_status(request: HttpRequest, pk: int, step_id: str) -> HttpResponse:
    programme = _programme(request, pk, steer=True)
    form = forms.StepStatusForm(request.POST)
    if form.is_valid():
        actions.do_set_step_status(_step(programme, step_id), form.cleaned_data["status"])
        messages.success(request, _("The step's status was saved."))
    return redirect("programmes:step", request.organisation.slug, pk, step_id)


@org_view()
@require_POST
def step_checklist(request: HttpRequest, pk: int, step_id: str) -> HttpResponse:
    programme = _programme(request, pk, steer=True)
    current = _step(programme, step_id)
    form = forms.ChecklistForm(
        request.POST, items=[""] * len(current.definition.get("checklist", []))
    )
    if form.is_valid():
        actions.do_set_checklist(current, form.cleaned_data["ticked"])
        messages.success(request, _("The checklist was saved."))
    return redirect("programmes:step", request.organisation.slug, pk, step_id)


@org_view()
@require_POST
def step_session(request: HttpRequest, pk: int, step_id: str) -> HttpResponse:
    programme = _programme(request, pk, steer=True)
    current = _step(programme, step_id)
    form = forms.SessionForm(request.POST)
    if not form.is_valid():
        context = _step_context(request, programme, current, session_form=form)
        return render(request, "programmes/step.html", context, status=400)
    actions.do_plan_session(current, **form.cleaned_data)
    messages.success(request, _("The session was planned."))
    return redirect("programmes:step", request.organisation.slug, pk, step_id)


@org_view()
def artefact_add(request: HttpRequest, pk: int, step_id: str, kind: str) -> HttpResponse:
    """Record an artefact of a step (participants and those who steer)."""
    programme = _programme(request, pk)
    current = _step(programme, step_id)
    if kind not in ARTEFACT_KINDS:
        raise Http404
    initial = {"status": "planned"} if kind == "action" else {}
    form = forms.artefact_form(
        kind, _referable(request), request.POST or None, initial=initial, **_people(request)
    )
    if request.method == "POST" and form.is_valid():
        actions.do_create_artefact(
            programme, step_id, kind, forms.cleaned_values(form), request.user
        )
        messages.success(request, _("Saved."))
        return redirect("programmes:step", request.organisation.slug, pk, step_id)
    title = text_for(current.definition.get("title"), programme.language)
    return render(
        request,
        "programmes/artefact_form.html",
        {
            "form": form,
            "programme": programme,
            "step": current,
            "step_title": title,
            "kind": ARTEFACT_KINDS[kind],
            "people_options": _people_options(programme, kind),
        },
    )


def _people(request: HttpRequest) -> dict:
    """What a person field needs: the organisation's active people and the search address."""
    from tillit.org.models import Person

    return {
        "people": Person.objects.filter(organisation=request.organisation, active=True),
        "search_url": reverse("programmes:people", args=[request.organisation.slug]),
    }


PEOPLE_SHOWN = 20


def _people_options(programme: Programme | None, kind: str):
    """Before anything is typed, a person field offers the people of the programme's units
    (the likely owners); typing searches the whole organisation."""
    from tillit.org.models import Person, Unit

    if not any(f.type == "person" for f in ARTEFACT_KINDS[kind].fields):
        return None
    people = Person.objects.none()
    if programme is not None:
        units = Unit.objects.none()
        for unit in programme.units.all():
            units = units | Unit.objects.subtree(unit)
        people = Person.objects.filter(
            organisation=programme.organisation, active=True, unit__in=units
        )
    return people.select_related("unit").order_by("name", "email")[:PEOPLE_SHOWN]


@org_view()
def people_search(request: HttpRequest) -> HttpResponse:
    """The options of a person field's datalist: active people whose name or e-mail address
    contains what was typed (members who may start or steer programmes only)."""
    from tillit.org.models import Person

    access = request.access
    if not (access.is_admin or access.managed_paths or access.med_paths):
        raise PermissionDenied
    typed = " ".join(next(iter(request.GET.values()), "").split())[:100]
    people = Person.objects.filter(organisation=request.organisation, active=True)
    if typed:
        people = people.filter(Q(name__icontains=typed) | Q(email__icontains=typed))
    people = people.select_related("unit").order_by("name", "email")[:PEOPLE_SHOWN]
    return render(request, "programmes/_people_options.html", {"people": people})


def _referable(request: HttpRequest):
    """Artefacts of the programmes this user may open: what reference fields may offer."""
    return Artefact.objects.filter(
        organisation=request.organisation,
        programme__in=rights.visible_programmes(request.access, request.user.email),
    )


def _artefact(request: HttpRequest, artefact_id: int) -> Artefact:
    artefact = get_object_or_404(Artefact, pk=artefact_id, organisation=request.organisation)
    email = request.user.email
    allowed = (
        rights.can_follow_up(request.access, email, artefact)
        if artefact.kind == "action"
        else artefact.programme is not None
        and rights.can_view(request.access, email, artefact.programme)
    )
    if not allowed:
        raise Http404
    return artefact


@org_view()
def artefact_edit(request: HttpRequest, artefact_id: int) -> HttpResponse:
    """Edit an artefact; a save based on an old version gets 409 with both versions."""
    artefact = _artefact(request, artefact_id)
    form = forms.artefact_form(
        artefact.kind,
        _referable(request),
        request.POST or None,
        initial=forms.initial_values(artefact),
        **_people(request),
    )
    if request.method == "POST" and form.is_valid():
        base = form.cleaned_data.get("version") or artefact.version
        try:
            actions.do_update_artefact(artefact, forms.cleaned_values(form), base, request.user)
        except actions.StaleEdit as stale:
            return _conflict(request, stale.current, form)
        messages.success(request, _("Saved."))
        return redirect(_back_to(request, artefact))
    return render(
        request,
        "programmes/artefact_form.html",
        {
            "form": form,
            "artefact": artefact,
            "kind": ARTEFACT_KINDS[artefact.kind],
            "people_options": _people_options(artefact.programme, artefact.kind),
            "programme": artefact.programme,
        },
    )


def _conflict(request: HttpRequest, current: Artefact, form) -> HttpResponse:
    """Show the writer's version next to the saved one; nothing was overwritten."""
    mine = []
    for spec in ARTEFACT_KINDS[current.kind].fields:
        value = form.cleaned_data.get(spec.name)
        if spec.type == "choice":
            value = dict(spec.choices).get(value, value)
        mine.append((str(spec.label), "" if value in (None, "") else str(value)))
    theirs = [(str(ARTEFACT_KINDS[current.kind].fields[0].label), current.title)]
    theirs += current.display_rows()
    fresh = forms.artefact_form(
        current.kind, _referable(request), initial=forms.initial_values(current), **_people(request)
    )
    return render(
        request,
        "programmes/conflict.html",
        {
            "artefact": current,
            "mine": mine,
            "theirs": theirs,
            "form": fresh,
            "kind": ARTEFACT_KINDS[current.kind],
            "people_options": _people_options(current.programme, current.kind),
        },
        status=409,
    )


def _back_to(request: HttpRequest, artefact: Artefact) -> str:
    from django.urls import reverse

    if artefact.kind == "action":
        return reverse("programmes:action", args=[request.organisation.slug, artefact.pk])
    return reverse(
        "programmes:step", args=[request.organisation.slug, artefact.programme_id, artefact.step_id]
    )


@org_view()
def action(request: HttpRequest, artefact_id: int) -> HttpResponse:
    """An action's follow-up: status, before/after measurements and logbook."""
    artefact = _artefact(request, artefact_id)
    if artefact.kind != "action":
        raise Http404
    measurement = forms.MeasurementForm(prefix="m")
    log = forms.LogEntryForm(prefix="l")
    status = forms.ActionStatusForm(
        prefix="s", initial={"status": artefact.status, "version": artefact.version}
    )
    if request.method == "POST":
        which = request.POST.get("form")
        if which == "measurement":
            measurement = forms.MeasurementForm(request.POST, prefix="m")
            if measurement.is_valid():
                actions.do_add_measurement(artefact, user=request.user, **measurement.cleaned_data)
                return redirect(_back_to(request, artefact))
        elif which == "log":
            log = forms.LogEntryForm(request.POST, prefix="l")
            if log.is_valid():
                actions.do_add_log_entry(artefact, log.cleaned_data["text"], request.user)
                return redirect(_back_to(request, artefact))
        elif which == "status":
            status = forms.ActionStatusForm(request.POST, prefix="s")
            if status.is_valid():
                try:
                    actions.do_set_action_status(
                        artefact,
                        status.cleaned_data["status"],
                        status.cleaned_data["version"],
                        request.user,
                    )
                except actions.StaleEdit:
                    messages.error(
                        request,
                        _("Someone else changed this action meanwhile; check it and try again."),
                    )
                    return redirect(_back_to(request, artefact))
                messages.success(request, _("Saved."))
                return redirect(_back_to(request, artefact))
    return render(
        request,
        "programmes/action.html",
        {
            "action": artefact,
            "measurement_form": measurement,
            "log_form": log,
            "status_form": status,
            "rows": artefact.display_rows(),
        },
    )


@org_view()
def my_actions(request: HttpRequest) -> HttpResponse:
    """Actions the user owns or of units they manage; overdue ones flagged."""
    items = list(rights.my_actions(request.access, request.user.email))
    open_items = [a for a in items if a.status not in ("done", "stopped")]
    closed = [a for a in items if a.status in ("done", "stopped")]
    return render(
        request,
        "programmes/my_actions.html",
        {
            "open_actions": open_items,
            "closed_actions": closed,
            "overdue": sum(a.is_overdue for a in open_items),
            "today": timezone.localdate(),
        },
    )


@org_view()
def participants(request: HttpRequest, pk: int) -> HttpResponse:
    """Name facilitators, participants, MED reps, managers and outside stakeholders."""
    programme = _programme(request, pk, steer=request.method == "POST")
    can_steer = rights.can_steer(request.access, request.user.email, programme)
    form = forms.ParticipantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.do_add_participant(programme, **form.cleaned_data, invite=True)
        messages.success(request, _("The participant was added."))
        return redirect("programmes:participants", request.organisation.slug, pk)
    return render(
        request,
        "programmes/participants.html",
        {
            "programme": programme,
            "participants": programme.participants.all(),
            "form": form,
            "can_steer": can_steer,
        },
    )


@org_view()
@require_POST
def participant_remove(request: HttpRequest, pk: int, participant_id: int) -> HttpResponse:
    programme = _programme(request, pk, steer=True)
    participant = get_object_or_404(Participant, pk=participant_id, programme=programme)
    actions.do_remove_participant(participant)
    messages.success(request, _("The participant was removed."))
    return redirect("programmes:participants", request.organisation.slug, pk)


@org_view()
@long_work
def report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The programme report as PDF, in the programme's language."""
    programme = _programme(request, pk)
    response = HttpResponse(report.pdf(programme), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{report.filename(programme)}.pdf"'
    return response


@org_view()
def report_docx(request: HttpRequest, pk: int) -> HttpResponse:
    """The programme report as DOCX, for further editing."""
    programme = _programme(request, pk)
    response = HttpResponse(
        report.docx(programme),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    response["Content-Disposition"] = f'attachment; filename="{report.filename(programme)}.docx"'
    return response
