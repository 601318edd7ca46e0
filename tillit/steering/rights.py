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

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from tillit.org.access import Access
from tillit.steering.models import SteeringRole


@dataclass(frozen=True)
class Rights:
    """A user's steering roles in one organisation, on top of their `Access`."""

    access: Access
    secretariat: bool
    board: bool

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


def rights_for(request: HttpRequest) -> Rights:
    """The steering rights of the request's user (after `org_view` has set `access`)."""
    roles = set(
        SteeringRole.objects.filter(
            organisation=request.organisation, email=request.user.email
        ).values_list("role", flat=True)
    )
    return Rights(
        request.access, SteeringRole.Role.SECRETARIAT in roles, SteeringRole.Role.BOARD in roles
    )


def need(check: str):
    """Decorate an org view: attach `request.rights` and refuse (403) unless `check` holds."""

    def decorate(view):
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs):
            request.rights = rights_for(request)
            if check and not getattr(request.rights, check):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
