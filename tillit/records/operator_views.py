"""The site operator's end of an organisation: archive, restore, delete for good."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tillit.org.access import operator_org_view
from tillit.records.actions import (
    OrganisationError,
    do_archive_organisation,
    do_delete_organisation,
    do_restore_organisation,
    holdings,
    open_campaigns,
)
from tillit.records.forms import DeleteOrganisationForm


@require_POST
@operator_org_view
def archive(request: HttpRequest) -> HttpResponse:
    """Archive: hidden from its members, nothing deleted."""
    organisation = request.operated
    try:
        do_archive_organisation(organisation, by=request.user)
    except OrganisationError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("%(org)s is archived: hidden from its members, nothing deleted.")
            % {"org": organisation.name},
        )
    return redirect("org:operator_org", organisation.slug)


@require_POST
@operator_org_view
def restore(request: HttpRequest) -> HttpResponse:
    """Bring an archived organisation back."""
    do_restore_organisation(request.operated, by=request.user)
    messages.success(request, _("%(org)s is restored.") % {"org": request.operated.name})
    return redirect("org:operator_org", request.operated.slug)


@require_http_methods(["GET", "POST"])
@operator_org_view
def delete(request: HttpRequest) -> HttpResponse:
    """What deleting takes with it, and the typed name that confirms it (POST deletes)."""
    organisation = request.operated
    form = DeleteOrganisationForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            do_delete_organisation(
                organisation,
                typed_name=form.cleaned_data["typed_name"],
                reference=form.cleaned_data["reference"],
                by=request.user,
            )
        except OrganisationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, _("%(org)s was deleted for good.") % {"org": organisation.name}
            )
            return redirect("org:operator")
    if form.errors:
        status = 400
    context = {
        "operated": organisation,
        "form": form,
        "holdings": holdings(organisation),
        "open_campaigns": open_campaigns(organisation),
    }
    return render(request, "records/delete_organisation.html", context, status=status)
