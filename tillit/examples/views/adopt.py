"""Adoption: a unit takes up an example, changes its stage, and answers the follow-up."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from tillit.examples import actions
from tillit.examples.forms import AdoptForm, FollowUpForm
from tillit.examples.models import Adoption
from tillit.examples.rights import examples_view
from tillit.examples.views.library import example_for
from tillit.programmes.rights import visible_programmes


@examples_view()
def adopt(request: HttpRequest, pk: int) -> HttpResponse:
    """Adopt the example for a unit the user manages."""
    example = example_for(request, pk)
    units = request.rights.adoptable_units().order_by("path")
    if not units.exists():
        raise PermissionDenied
    form = AdoptForm(
        request.POST or None,
        units=units,
        programmes=visible_programmes(request.access, request.user.email),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.do_adopt(example, data["unit"], data, request.user)
        except actions.NotAllowed:
            messages.error(request, _("Only a published example can be adopted."))
        else:
            messages.success(request, _("Adopted. We will ask how it went."))
            return redirect("examples:detail", request.organisation.slug, example.pk)
    return render(request, "examples/adopt.html", {"example": example, "form": form})


@examples_view()
def follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    """The follow-up questionnaire for the adopting unit's manager; the answer moves the stage."""
    adoption = get_object_or_404(
        Adoption.objects.select_related("unit", "example"),
        pk=pk,
        unit__organisation=request.organisation,
    )
    if not request.rights.may_follow_up(adoption):
        raise PermissionDenied
    form = FollowUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.do_answer_follow_up(
            adoption,
            form.cleaned_data["behaviour_changed"],
            form.cleaned_data["result"],
            request.user,
        )
        messages.success(request, _("Thank you. The adoption's stage is updated."))
        return redirect("examples:detail", request.organisation.slug, adoption.example_id)
    return render(
        request,
        "examples/follow_up.html",
        {"adoption": adoption, "form": form, "answers": adoption.follow_ups.all()},
    )
