"""Who holds which role: admins and MED representatives by grant, managers by unit."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from tillit.org.access import org_view
from tillit.org.forms import GrantForm
from tillit.org.models import RoleGrant, Unit
from tillit.org.roles import Outcome, RoleError, do_grant_role, do_revoke_role


@org_view(admin=True)
def roles(request: HttpRequest) -> HttpResponse:
    """List the roles, and grant one (POST)."""
    org = request.organisation
    form = GrantForm(request.POST or None, organisation=org)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            grant, outcome = do_grant_role(
                org, data["email"], data["role"], data["unit"], by=request.user
            )
        except RoleError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, _("The role was granted to %(email)s.") % {"email": grant.email}
            )
            if outcome is Outcome.INVITED:
                messages.info(
                    request,
                    _("An invitation to log in was sent to %(email)s.") % {"email": grant.email},
                )
            return redirect("org:roles", org.slug)
    grants = RoleGrant.objects.filter(organisation=org).select_related("unit")
    context = {
        "form": form,
        "admins": grants.filter(role=RoleGrant.Role.ADMIN).order_by("email"),
        "med_reps": grants.filter(role=RoleGrant.Role.MED).order_by("unit__name", "email"),
        "managers": Unit.objects.filter(organisation=org)
        .open()
        .exclude(manager_email="")
        .order_by("name"),
    }
    return render(request, "org/roles.html", context)


@org_view(admin=True)
def role_revoke(request: HttpRequest, grant_id: int) -> HttpResponse:
    """Confirm (GET) and revoke (POST) a grant; the last admin stays."""
    grant = get_object_or_404(
        RoleGrant.objects.select_related("unit"), pk=grant_id, organisation=request.organisation
    )
    if request.method == "POST":
        try:
            do_revoke_role(grant, by=request.user)
        except RoleError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request, _("The role of %(email)s was revoked.") % {"email": grant.email}
            )
            if grant.email == request.user.email and grant.role == RoleGrant.Role.ADMIN:
                # Admins who step down can no longer see the roles page (nor, if they
                # have no other role here, the organisation).
                return redirect("home")
        return redirect("org:roles", request.organisation.slug)
    return render(request, "org/role_revoke.html", {"grant": grant})
