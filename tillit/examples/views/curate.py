"""Writing and curating: the short form, drafts from programmes, editing, review, comments,
publishing, sharing, contacts and their consent, and the curator role."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tillit.examples import actions, search
from tillit.examples.forms import CommentForm, ContactForm, CuratorForm, ExampleForm
from tillit.examples.models import Contact, ExamplesRole, GoodExample, split_codes
from tillit.examples.rights import examples_view
from tillit.examples.views.library import example_for
from tillit.programmes.models import Artefact
from tillit.programmes.rights import visible_programmes


def _editable(request: HttpRequest, pk: int) -> GoodExample:
    example = example_for(request, pk)
    if not request.rights.may_edit(example):
        raise PermissionDenied
    return example


def _readable_origins(request: HttpRequest):
    return search.readable(request.organisation).order_by("title")


@examples_view("proposes")
def new(request: HttpRequest) -> HttpResponse:
    """The short form any manager fills in: it becomes a draft."""
    form = ExampleForm(
        request.POST or None,
        organisation=request.organisation,
        readable=_readable_origins(request),
        initial={"units": request.rights.adoptable_units()[:1]},
    )
    if request.method == "POST" and form.is_valid():
        values = form.values()
        values["language"] = request.organisation.language
        example = actions.do_create_example(
            request.organisation, values, list(form.cleaned_data["units"]), request.user
        )
        messages.success(request, _("Saved as a draft."))
        return redirect("examples:detail", request.organisation.slug, example.pk)
    return render(request, "examples/form.html", {"form": form, "short": True})


@examples_view()
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Every field of an unpublished example (its author or a curator)."""
    example = _editable(request, pk)
    if example.status == GoodExample.Status.PUBLISHED:
        raise PermissionDenied
    initial = {
        "title": example.title,
        "problem": example.problem,
        "what_changed": example.what_changed,
        "units": example.units.all(),
        "areas": example.area_list(),
        "principles": example.principle_list(),
        "story": example.story,
        "effort": example.effort,
        "preconditions": example.preconditions,
        "barriers": example.barriers,
        "kind": example.kind,
        "origin": example.origin,
        "language": example.language,
        "languages": split_codes(example.languages),
        "signals": example.signals.all(),
        "artefacts": example.artefacts.all(),
    }
    form = ExampleForm(
        request.POST or None,
        organisation=request.organisation,
        readable=_readable_origins(request).exclude(pk=example.pk),
        full=True,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        actions.do_update_example(
            example, form.values(), list(form.cleaned_data["units"]), request.user
        )
        messages.success(request, _("Saved."))
        return redirect("examples:detail", request.organisation.slug, example.pk)
    return render(request, "examples/form.html", {"form": form, "example": example})


@require_POST
@examples_view()
def step(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    """Move the example along: submit (author), return/publish/reopen (curator)."""
    example = example_for(request, pk)
    rights = request.rights
    try:
        if verb == "submit" and rights.may_edit(example):
            actions.do_submit_for_review(example)
            messages.success(request, _("Sent to the curators."))
        elif verb == "publish" and rights.curates and example.organisation == request.organisation:
            actions.do_publish(example, request.user)
            messages.success(request, _("Published."))
        elif verb == "return" and rights.curates and example.organisation == request.organisation:
            form = CommentForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Write what the author should change."))
                return redirect("examples:detail", request.organisation.slug, example.pk)
            actions.do_return_to_author(example, form.cleaned_data["text"], request.user)
            messages.success(request, _("Sent back to the author."))
        elif verb == "reopen" and rights.curates and example.organisation == request.organisation:
            actions.do_reopen(example)
            messages.success(request, _("Opened for a new version."))
        elif verb in ("share", "unshare") and rights.shares:
            if example.organisation != request.organisation:
                raise PermissionDenied
            actions.do_set_shared(example, verb == "share")
            messages.success(request, _("Saved."))
        else:
            raise PermissionDenied
    except actions.NotAllowed:
        messages.error(request, _("That step is not possible now."))
    return redirect("examples:detail", request.organisation.slug, example.pk)


@require_POST
@examples_view()
def comment(request: HttpRequest, pk: int) -> HttpResponse:
    """A comment between curator and author."""
    example = _editable(request, pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        actions.do_comment(example, form.cleaned_data["text"], request.user)
    else:
        messages.error(request, _("The comment is empty."))
    return redirect("examples:detail", request.organisation.slug, example.pk)


@examples_view("curates")
def contacts(request: HttpRequest, pk: int) -> HttpResponse:
    """Contact persons and their consent (the curator records it)."""
    example = _editable(request, pk)
    form = ContactForm(request.POST or None, units=example.units.all())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        actions.do_add_contact(
            example, data["unit"], data["name"], data["email"], data["role_title"], data["consent"]
        )
        messages.success(request, _("Saved."))
        return redirect("examples:contacts", request.organisation.slug, example.pk)
    return render(
        request,
        "examples/contacts.html",
        {"example": example, "form": form, "contacts": example.contacts.select_related("unit")},
    )


@require_POST
@examples_view()
def withdraw(request: HttpRequest, pk: int, contact_pk: int) -> HttpResponse:
    """Withdraw consent: the curator on someone's behalf, or the named person themself."""
    example = example_for(request, pk)
    contact = get_object_or_404(Contact, pk=contact_pk, example=example)
    mine = contact.email and contact.email == request.user.email.lower()
    if not (mine or (request.rights.curates and example.organisation == request.organisation)):
        raise PermissionDenied
    actions.do_withdraw_consent(contact)
    messages.success(request, _("Consent withdrawn: the name is removed from the example."))
    return redirect("examples:detail", request.organisation.slug, example.pk)


@examples_view("proposes")
def from_programmes(request: HttpRequest) -> HttpResponse:
    """Collect from programmes: a Goda exempel programme's stories become drafts; any
    programme's lessons and experiments may be proposed as good examples."""
    programmes = visible_programmes(request.access, request.user.email).select_related(
        "template_version__template"
    )
    if request.method == "POST":
        if programme_pk := request.POST.get("programme"):
            programme = get_object_or_404(programmes, pk=programme_pk)
            drafts = actions.do_draft_from_programme(programme, request.user)
            messages.success(
                request, _("%(n)s draft(s) made from the stories.") % {"n": len(drafts)}
            )
        elif artefact_pk := request.POST.get("artefact"):
            artefact = get_object_or_404(
                Artefact, pk=artefact_pk, programme__in=programmes, kind__in=("lesson", "action")
            )
            try:
                example = actions.do_propose_from_artefact(artefact, request.user)
            except actions.NotAllowed:
                messages.error(request, _("It names no unit; add one in the programme first."))
            else:
                return redirect("examples:edit", request.organisation.slug, example.pk)
        return redirect("examples:from_programmes", request.organisation.slug)
    goda = [p for p in programmes if p.template_version.template.slug == "goda-exempel"]
    candidates = (
        Artefact.objects.filter(programme__in=programmes, kind__in=("lesson", "action"))
        .select_related("programme")
        .order_by("programme__title", "kind", "title")
    )
    return render(
        request,
        "examples/from_programmes.html",
        {"goda": goda, "candidates": candidates},
    )


@examples_view("shares")
def roles(request: HttpRequest) -> HttpResponse:
    """The process owner names the curators."""
    form = CuratorForm(request.POST or None)
    if request.method == "POST":
        if revoke := request.POST.get("revoke"):
            role = get_object_or_404(ExamplesRole, pk=revoke, organisation=request.organisation)
            actions.do_revoke_curator(role)
            return redirect("examples:roles", request.organisation.slug)
        if form.is_valid():
            actions.do_grant_curator(request.organisation, form.cleaned_data["email"])
            messages.success(request, _("Saved."))
            return redirect("examples:roles", request.organisation.slug)
    curators = ExamplesRole.objects.filter(organisation=request.organisation).order_by("email")
    return render(request, "examples/roles.html", {"form": form, "curators": curators})
