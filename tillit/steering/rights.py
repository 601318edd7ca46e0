"""Who may do what in the register, the bøvl inbox and the review board.

Every member reads the register and the decision log and may report bøvl or propose a signal.
The process owner (org admin) and the secretariat keep the register; the secretariat alone
triages reports and alone sees who sent a named one; the board decides. Burden pages: the
process owner, secretariat and board see the whole organisation, managers and MED
representatives their own subtrees (`Access.unit_paths`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from tillit.core.languages import activate_if_no_choice
from tillit.org.access import Access, access_for, live_organisations
from tillit.steering.models import SteeringRole


@dataclass(frozen=True)
class Rights:
    """A user's steering roles in one organisation, on top of their `Access`."""

    access: Access
    secretariat: bool
    board: bool

    @property
    def is_member(self) -> bool:
        """Has any business here: a member of the organisation or a steering role."""
        return self.access.is_member or self.secretariat or self.board

    @property
    def is_admin(self) -> bool:
        """The organisation's process owner."""
        return self.access.is_admin

    @property
    def keeps_register(self) -> bool:
        """May create, edit and import signals."""
        return self.access.is_admin or self.secretariat

    @property
    def sees_whole_burden(self) -> bool:
        """Reads the burden of the whole organisation."""
        return self.access.is_admin or self.secretariat or self.board

    @property
    def sees_burden(self) -> bool:
        """Reads the burden of at least one subtree."""
        return self.sees_whole_burden or bool(self.access.unit_paths)

    def can_see_path(self, path: str) -> bool:
        """May read the burden of the subtree at `path`."""
        return self.sees_whole_burden or any(path.startswith(p) for p in self.access.unit_paths)


def rights_for(access: Access, email: str) -> Rights:
    """The steering rights of a user with `access` in its organisation."""
    roles = set(
        SteeringRole.objects.filter(organisation=access.organisation, email=email).values_list(
            "role", flat=True
        )
    )
    return Rights(access, SteeringRole.Role.SECRETARIAT in roles, SteeringRole.Role.BOARD in roles)


def steering_view(check: str = ""):
    """Decorate a view taking `org` (a slug), as `org_view` does, with the steering roles
    counted as membership: a board member from outside the staff (a politician, an elected
    union member) is let in. Outsiders get 404; members without `check` get 403."""

    def decorate(view):
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, org: str, *args, **kwargs):
            organisation = get_object_or_404(live_organisations(), slug=org)
            access = access_for(request.user, organisation)
            rights = rights_for(access, request.user.email)
            if not rights.is_member:
                raise Http404
            if check and not getattr(rights, check):
                raise PermissionDenied
            request.organisation, request.access, request.rights = organisation, access, rights
            activate_if_no_choice(request, organisation.language)  # as org_view does
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
