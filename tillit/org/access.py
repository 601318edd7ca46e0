"""Who may see what in an organisation. Every org view asks this module, never a template."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import reduce, wraps
from operator import or_

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from tillit.core.languages import activate_if_no_choice
from tillit.org.models import Organisation, Person, RoleGrant, Unit


@dataclass(frozen=True)
class Access:
    """A user's rights in one organisation."""

    organisation: Organisation
    is_admin: bool
    managed_paths: tuple[str, ...]
    med_paths: tuple[str, ...]
    person: Person | None

    @property
    def is_member(self) -> bool:
        """True when the user has any business in this organisation."""
        return self.is_admin or bool(self.unit_paths) or self.person is not None

    @property
    def unit_paths(self) -> tuple[str, ...]:
        """Roots of the subtrees the user reads as manager or MED representative."""
        return self.managed_paths + self.med_paths

    def can_see_unit(self, unit: Unit) -> bool:
        """Managers and MED representatives see their unit's subtree; admins see all."""
        if unit.organisation_id != self.organisation.pk:
            return False
        return self.is_admin or any(unit.path.startswith(p) for p in self.unit_paths)

    def visible_units(self):
        """The units this user may read, as a queryset."""
        units = Unit.objects.filter(organisation=self.organisation)
        if self.is_admin:
            return units
        if not self.unit_paths:
            return units.none()
        return units.filter(reduce(or_, (Q(path__startswith=p) for p in self.unit_paths)))


def access_for(user, organisation: Organisation) -> Access:
    """Compute a user's rights in an organisation from grants, managed units and HR data."""
    if not user.is_authenticated or not user.is_active:
        return Access(organisation, False, (), (), None)
    email = user.email
    grants = list(
        RoleGrant.objects.filter(organisation=organisation, email=email).select_related("unit")
    )
    managed = Unit.objects.filter(organisation=organisation, manager_email=email).open()
    return Access(
        organisation=organisation,
        is_admin=any(g.role == RoleGrant.Role.ADMIN for g in grants),
        managed_paths=tuple(managed.values_list("path", flat=True)),
        med_paths=tuple(g.unit.path for g in grants if g.role == RoleGrant.Role.MED and g.unit),
        person=Person.objects.filter(organisation=organisation, email=email, active=True).first(),
    )


def live_organisations():
    """Organisations that are not archived: an archived one is hidden from everyone but the
    site operator, and nothing in it changes."""
    return Organisation.objects.filter(archived_at__isnull=True)


def organisations_for(user, *, archived: bool = False):
    """Organisations in which the user has a role or is an active person (with `archived`:
    the archived ones, whose pages are closed but whose own-data export is not)."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    email = user.email
    return (
        Organisation.objects.filter(archived_at__isnull=not archived)
        .filter(
            Q(grants__email=email)
            | Q(units__manager_email=email, units__closed_at__isnull=True)
            | Q(people__email=email, people__active=True)
        )
        .distinct()
    )


def operator_org_view(view: Callable) -> Callable:
    """Decorate a site operator's view of one organisation (archived ones too), taking `org`
    (a slug). A member of the organisation who is no operator gets 403; anyone else 404."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, org: str, *args, **kwargs) -> HttpResponse:
        organisation = Organisation.objects.filter(slug=org).first()
        if organisation is None:
            raise Http404
        if not request.user.is_operator:
            live = organisation.archived_at is None
            if live and access_for(request.user, organisation).is_member:
                raise PermissionDenied
            raise Http404
        # Not `request.organisation`: the page frame would show the organisation's menu, whose
        # pages the operator may not open.
        request.operated = organisation
        return view(request, *args, **kwargs)

    return wrapped


def org_view(*, admin: bool = False) -> Callable:
    """Decorate a view taking `org` (a slug): load it, check rights, attach them to the request.

    Outsiders get 404 (an organisation's existence is not revealed); members without the
    needed role get 403.
    """

    def decorate(view: Callable) -> Callable:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, org: str, *args, **kwargs) -> HttpResponse:
            organisation = get_object_or_404(live_organisations(), slug=org)
            access = access_for(request.user, organisation)
            if not access.is_member:
                raise Http404
            if admin and not access.is_admin:
                raise PermissionDenied
            request.organisation = organisation
            request.access = access
            # People without an own choice see the organisation's language, not Swedish.
            activate_if_no_choice(request, organisation.language)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
