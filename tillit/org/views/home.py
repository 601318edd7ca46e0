from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from tillit.core.nextsteps import next_steps
from tillit.org.access import org_view, organisations_for
from tillit.org.models import ImportJob, Person, Unit


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The organisations the user belongs to; straight into the only one if there is one."""
    organisations = list(organisations_for(request.user))
    archived = list(organisations_for(request.user, archived=True))
    if len(organisations) == 1 and not archived:
        return redirect("org:overview", organisations[0].slug)
    return render(request, "org/home.html", {"organisations": organisations, "archived": archived})


@org_view()
def overview(request: HttpRequest) -> HttpResponse:
    """The organisation at a glance, and what this user should do next in it."""
    org, access = request.organisation, request.access
    units = access.visible_units()
    context = {
        "n_units": units.open().count(),
        "n_people": Person.objects.filter(unit__in=units, active=True).count(),
        "my_units": Unit.objects.filter(organisation=org, path__in=access.unit_paths).order_by(
            "path"
        ),
        "recent_imports": ImportJob.objects.filter(organisation=org)[:5] if access.is_admin else [],
        "next_steps": next_steps(request),
        "setting_up": access.is_admin and not Unit.objects.filter(organisation=org).exists(),
    }
    return render(request, "org/overview.html", context)
