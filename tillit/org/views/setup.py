"""Setting an organisation up: the site operator's pages and the process owner's settings."""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tillit.audit.models import AuditEntry
from tillit.org.access import operator_org_view, org_view
from tillit.org.models import Organisation, RoleGrant
from tillit.org.operating import (
    do_create_organisation,
    do_give_organisations,
    do_rename_organisation,
    do_save_settings,
)
from tillit.org.roles import Outcome
from tillit.org.setup_forms import (
    GiveOrganisationsForm,
    NewOrganisationForm,
    RenameForm,
    SettingsForm,
)


def operator_view(view: Callable) -> Callable:
    """Only site operators; anyone else gets "not found" (the pages are not advertised)."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_operator:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


@operator_view
def operator_home(request: HttpRequest) -> HttpResponse:
    """All organisations with their size and process owners; create one; give a consultant some."""
    organisations = Organisation.objects.annotate(
        n_units=Count("units", filter=Q(units__closed_at__isnull=True), distinct=True),
        n_people=Count("people", filter=Q(people__active=True), distinct=True),
    ).order_by("name")
    owners: dict[int, list[str]] = {}
    for org_id, email in RoleGrant.objects.filter(role=RoleGrant.Role.ADMIN).values_list(
        "organisation_id", "email"
    ):
        owners.setdefault(org_id, []).append(email)
    new_form = NewOrganisationForm(request.POST if "owner_email" in request.POST else None)
    give_form = GiveOrganisationsForm(request.POST if "organisations" in request.POST else None)
    if request.method == "POST":
        if new_form.is_bound and new_form.is_valid():
            data = new_form.cleaned_data
            organisation, outcome = do_create_organisation(
                data["name"],
                data["country"],
                data["language"],
                data["owner_email"],
                owner_name=data["owner_name"],
                by=request.user,
            )
            if outcome is Outcome.INVITED:
                text = _("%(org)s was created and an invitation was sent to %(email)s.")
            else:
                text = _("%(org)s was created; %(email)s was told of the new role.")
            messages.success(request, text % {"org": organisation, "email": data["owner_email"]})
            return redirect("org:operator")
        if give_form.is_bound and give_form.is_valid():
            email = give_form.cleaned_data["email"]
            added = do_give_organisations(
                email, list(give_form.cleaned_data["organisations"]), by=request.user
            )
            messages.success(
                request,
                _("%(email)s is now process owner in: %(orgs)s.")
                % {"email": email, "orgs": ", ".join(o.name for o in added) or "–"},
            )
            return redirect("org:operator")
    context = {
        "organisations": [(o, sorted(owners.get(o.pk, []))) for o in organisations],
        "new_form": new_form,
        "give_form": give_form,
        # What is left of deleted organisations: the entry that says so (its organisation null).
        "deleted": AuditEntry.objects.filter(
            organisation__isnull=True, kind=AuditEntry.Kind.ORGANISATION_DELETED
        )[:50],
    }
    return render(request, "org/operator.html", context)


@operator_org_view
def operator_organisation(request: HttpRequest) -> HttpResponse:
    """One organisation for the site operator: rename it (POST), archive, restore or delete it."""
    organisation = request.operated
    form = RenameForm(request.POST or None, initial={"name": organisation.name})
    if request.method == "POST" and form.is_valid():
        old = organisation.name
        do_rename_organisation(organisation, form.cleaned_data["name"], by=request.user)
        messages.success(
            request, _("%(old)s is now called %(new)s.") % {"old": old, "new": organisation.name}
        )
        return redirect("org:operator_org", organisation.slug)
    return render(request, "org/operator_org.html", {"form": form, "operated": organisation})


@org_view(admin=True)
def organisation_settings(request: HttpRequest) -> HttpResponse:
    """The process owner's settings: name, country, language, logo, thresholds, cost, benchmark."""
    organisation = request.organisation
    form = SettingsForm(request.POST or None, request.FILES or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        do_save_settings(
            form.save(commit=False),
            logo=form.cleaned_data.get("logo_file"),
            remove_logo=bool(form.cleaned_data.get("remove_logo")),
            by=request.user,
        )
        messages.success(request, _("The settings were saved."))
        return redirect("org:settings", organisation.slug)
    return render(request, "org/settings.html", {"form": form})


@org_view(admin=True)
def logo(request: HttpRequest) -> HttpResponse:
    """The report logo, for the settings page's preview."""
    organisation = request.organisation
    if not organisation.logo:
        raise Http404
    response = HttpResponse(bytes(organisation.logo), content_type=organisation.logo_type)
    response["Cache-Control"] = "private, no-cache"
    return response
