"""The people of an organisation: list, search, correct, invite to log in."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tillit.core.models import User
from tillit.org.access import org_view
from tillit.org.forms import PeopleFilterForm, PersonForm
from tillit.org.models import Person, Unit
from tillit.org.roles import Outcome, do_invite

PER_PAGE = 50


@org_view(admin=True)
def people(request: HttpRequest) -> HttpResponse:
    """Everyone in the organisation, 50 a page, searchable and filtered by subtree."""
    filters = PeopleFilterForm(request.GET or None, organisation=request.organisation)
    found = Person.objects.filter(organisation=request.organisation).select_related("unit")
    if filters.is_valid():
        if q := filters.cleaned_data["q"].strip():
            found = found.filter(Q(name__icontains=q) | Q(email__icontains=q))
        if unit := filters.cleaned_data["unit"]:
            found = found.filter(unit__in=Unit.objects.subtree(unit))
    page = Paginator(found.order_by("name", "pk"), PER_PAGE).get_page(request.GET.get("page"))
    emails = [p.email for p in page]
    # Who can already log in, for the "invite" buttons: one query for the page.
    with_password = {
        u.email for u in User.objects.filter(email__in=emails) if u.has_usable_password()
    }
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filters": filters,
        "page": page,
        "with_password": with_password,
        "query": query.urlencode(),
    }
    return render(request, "org/people.html", context)


@org_view(admin=True)
def person_edit(request: HttpRequest, person_id: int) -> HttpResponse:
    """Correct a person's name, unit, language or whether they still work here."""
    person = get_object_or_404(Person, pk=person_id, organisation=request.organisation)
    form = PersonForm(request.POST or None, instance=person)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("%(name)s was saved.") % {"name": person.name})
        return redirect("org:people", request.organisation.slug)
    return render(request, "org/person_edit.html", {"person": person, "form": form})


@org_view(admin=True)
@require_POST
def person_invite(request: HttpRequest, person_id: int) -> HttpResponse:
    """Send a person an invitation to log in (again, if the first one expired)."""
    person = get_object_or_404(Person, pk=person_id, organisation=request.organisation)
    if not person.active:
        messages.error(
            request, _("%(name)s is inactive: make them active first.") % {"name": person.name}
        )
        return redirect("org:person_edit", request.organisation.slug, person.pk)
    outcome = do_invite(request.organisation, person.email, by=request.user)
    if outcome is Outcome.INVITED:
        messages.success(
            request, _("An invitation was sent to %(email)s.") % {"email": person.email}
        )
    else:
        messages.info(request, _("%(email)s can already log in.") % {"email": person.email})
    return redirect("org:person_edit", request.organisation.slug, person.pk)
