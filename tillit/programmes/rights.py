"""Who may see and steer which programme (on top of `tillit.org.access`).

- admins see and steer every programme of their organisation;
- managers steer the programmes of the units they manage (their subtree), MED representatives
  co-own the programmes of their unit in the same way;
- facilitators steer the programmes they facilitate; other participants see their programmes and
  record artefacts in them;
- the owner of an action may follow it up, even without taking part in the programme.
Nothing else is visible: other people get 404, so a programme's existence is not revealed.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from tillit.org.access import Access
from tillit.programmes import actions
from tillit.programmes.models import Artefact, Participant, Programme


def _unit_q(access: Access, prefix: str = "units__") -> Q | None:
    paths = access.unit_paths
    if not paths:
        return None
    q = Q()
    for path in paths:
        q |= Q(**{f"{prefix}path__startswith": path})
    return q


def visible_programmes(access: Access, email: str) -> QuerySet[Programme]:
    """The programmes of the organisation this user may open."""
    programmes = Programme.objects.filter(organisation=access.organisation)
    if access.is_admin:
        return programmes
    q = Q(participants__email=email)
    unit_q = _unit_q(access)
    if unit_q is not None:
        q |= unit_q
    return programmes.filter(q).distinct()


def can_steer(access: Access, email: str, programme: Programme) -> bool:
    """Admin, manager or MED representative of one of its units, or its facilitator."""
    if programme.organisation_id != access.organisation.pk:
        return False
    if access.is_admin or any(access.can_see_unit(u) for u in programme.units.all()):
        return True
    return programme.participants.filter(email=email, role=Participant.Role.FACILITATOR).exists()


def can_view(access: Access, email: str, programme: Programme) -> bool:
    """Those who steer it, and its participants."""
    return (
        can_steer(access, email, programme) or programme.participants.filter(email=email).exists()
    )


def can_start_for(access: Access, units) -> bool:
    """Admins start programmes for any units; managers for units they manage."""
    if access.is_admin:
        return True
    return bool(units) and all(
        any(u.path.startswith(p) for p in access.managed_paths) for u in units
    )


def can_follow_up(access: Access, email: str, action: Artefact) -> bool:
    """The action's owner, managers of its unit, and whoever may view its programme."""
    if action.organisation_id != access.organisation.pk:
        return False
    if action.owner_email == email or access.is_admin:
        return True
    if action.unit is not None and access.can_see_unit(action.unit):
        return True
    return action.programme is not None and can_view(access, email, action.programme)


def my_actions(access: Access, email: str) -> QuerySet[Artefact]:
    """Actions the user owns, or of units they manage (their subtrees), open ones first by date."""
    q = Q(owner_email=email)
    for path in access.managed_paths:
        q |= Q(unit__path__startswith=path)
    return (
        Artefact.objects.filter(organisation=access.organisation, kind="action")
        .filter(q)
        .select_related("programme", "unit")
        .with_owner_names()
        .order_by("due_date", "pk")
    )


def unit_actions(access: Access, email: str, programme: Programme) -> QuerySet[Artefact]:
    """Actions agreed for the programme's units, in programmes this user may open (this one
    included): what a results dialogue follows up beside the units' new results."""
    return (
        actions.unit_actions(*programme.units.all())
        .filter(programme__in=visible_programmes(access, email))
        .select_related("programme", "unit")
        .with_owner_names()
    )
