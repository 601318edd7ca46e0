"""Who may do what in the library.

Every member reads the organisation's published examples and the examples other
organisations share; managers (and process owners and curators) propose examples and adopt
them for the units they manage; curators and the process owner curate; only the process owner
shares an example with other organisations. The author of a draft keeps editing it until it is
published. A consultant holds roles in several organisations and so reads each one's library,
and every organisation's shared examples.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from tillit.examples.models import ExamplesRole, GoodExample
from tillit.org.access import Access, access_for
from tillit.org.models import Organisation, Unit


@dataclass(frozen=True)
class Rights:
    """A user's rights in one organisation's library, on top of their `Access`."""

    access: Access
    curator: bool
    user_id: int | None

    @property
    def is_member(self) -> bool:
        return self.access.is_member or self.curator

    @property
    def curates(self) -> bool:
        """Reviews, comments on and publishes examples; records contacts' consent."""
        return self.curator or self.access.is_admin

    @property
    def shares(self) -> bool:
        """Shares a published example with other organisations (the process owner)."""
        return self.access.is_admin

    @property
    def proposes(self) -> bool:
        """Fills in the short form (managers, process owners, curators)."""
        return self.curates or bool(self.access.managed_paths)

    def adoptable_units(self):
        """The units this user may adopt an example for: the subtrees they manage."""
        access = self.access
        if access.is_admin:
            return Unit.objects.filter(organisation=access.organisation).open()
        if not access.managed_paths:
            return Unit.objects.none()
        units = Unit.objects.none()
        for path in access.managed_paths:
            units |= Unit.objects.filter(organisation=access.organisation, path__startswith=path)
        return units.open()

    def may_edit(self, example: GoodExample) -> bool:
        """Curators edit any unpublished example; the author their own draft."""
        if example.organisation_id != self.access.organisation.pk:
            return False
        if self.curates:
            return True
        return example.status == GoodExample.Status.DRAFT and example.author_id == self.user_id

    def may_read(self, example: GoodExample) -> bool:
        """Published examples of the organisation, shared ones of others, one's own drafts."""
        if example.organisation_id != self.access.organisation.pk:
            return example.status == GoodExample.Status.PUBLISHED and example.shared
        if example.status == GoodExample.Status.PUBLISHED or example.author_id == self.user_id:
            return True
        return self.may_edit(example)

    def may_follow_up(self, adoption) -> bool:
        """The adopting unit's manager (or the process owner) answers the follow-up."""
        return self.access.can_see_unit(adoption.unit) and (
            self.access.is_admin
            or any(adoption.unit.path.startswith(p) for p in self.access.managed_paths)
        )


def rights_for(access: Access, user) -> Rights:
    """The library rights of `user` with `access` in its organisation."""
    curator = ExamplesRole.objects.filter(
        organisation=access.organisation, email=user.email, role=ExamplesRole.Role.CURATOR
    ).exists()
    return Rights(access, curator, user.pk)


def examples_view(check: str = ""):
    """Decorate a view taking `org` (a slug), as `org_view` does, with curators counted as
    members. Outsiders get 404; members without the right `check` get 403."""

    def decorate(view):
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, org: str, *args, **kwargs):
            organisation = get_object_or_404(Organisation, slug=org)
            access = access_for(request.user, organisation)
            rights = rights_for(access, request.user)
            if not rights.is_member:
                raise Http404
            if check and not getattr(rights, check):
                raise PermissionDenied
            request.organisation, request.access, request.rights = organisation, access, rights
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
