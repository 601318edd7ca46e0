"""Answering a public-records or GDPR request for a campaign, and a person's own data export.

A campaign's records export is the stored publication (results' own XLSX of the snapshot, every
unit with exactly what was published and why the others were not), so it can never hold more
than the disclosure rules let out. The own-data export holds what Tillit knows about the person
as a user – never survey answers: responses are not linked to anyone (ANONYMITY.md).
"""

from __future__ import annotations

import json

from django.db import transaction

from tillit import audit
from tillit.audit.log import Kind
from tillit.core.models import User
from tillit.org.models import Organisation, Person, RoleGrant
from tillit.programmes.models import Artefact, Participant
from tillit.records.models import RecordsRequest
from tillit.results.exports import xlsx_bytes
from tillit.results.refreshing import get_snapshot
from tillit.surveys.models import Invitation


def do_answer_records_request(request: RecordsRequest, *, by: User | None = None) -> bytes | None:
    """Store the decision (the decision log) and, when disclosed, return the published result
    of the campaign as XLSX."""
    with transaction.atomic():
        request.decided_by = by
        request.save()
        audit.record(
            Kind.RECORDS_EXPORTED,
            request.organisation,
            by,
            campaign=request.campaign.name,
            kind=request.kind,
            reference=request.reference,
            decision=request.decision,
            format="xlsx",
        )
    if request.decision != RecordsRequest.Decision.DISCLOSED:
        return None
    return xlsx_bytes(get_snapshot(request.campaign))


def personal_data(user: User, organisation: Organisation) -> dict:
    """What Tillit holds about `user` in `organisation`: account, roles, employment rows,
    programme participation, artefacts they wrote, campaigns they were invited to."""
    email = user.email
    people = Person.objects.filter(organisation=organisation, email=email).select_related("unit")
    grants = RoleGrant.objects.filter(organisation=organisation, email=email).select_related("unit")
    participants = Participant.objects.filter(
        programme__organisation=organisation, email=email
    ).select_related("programme")
    artefacts = Artefact.objects.filter(organisation=organisation, created_by=user)
    invitations = Invitation.objects.filter(
        campaign__organisation=organisation, person__email=email
    ).select_related("campaign")
    return {
        "account": {
            "email": email,
            "name": user.name,
            "joined": user.date_joined.date().isoformat(),
            "last_login": user.last_login.date().isoformat() if user.last_login else None,
        },
        "organisation": organisation.name,
        "employment": [
            {"unit": p.unit.name, "active": p.active, "start_date": _date(p.start_date)}
            for p in people
        ],
        "roles": [
            {"role": g.get_role_display(), "unit": g.unit.name if g.unit else None} for g in grants
        ],
        "managed_units": list(
            organisation.units.filter(manager_email=email).values_list("name", flat=True)
        ),
        "programmes": [
            {"programme": p.programme.title, "role": p.get_role_display()} for p in participants
        ],
        "artefacts": [
            {"kind": a.kind, "title": a.title, "data": a.data, "created": _date(a.created_at)}
            for a in artefacts
        ],
        # Whether the person was asked and has answered – never what: answers are not linked.
        "invitations": [
            {"campaign": i.campaign.name, "answered": i.responded} for i in invitations
        ],
    }


def do_export_personal_data(user: User, organisation: Organisation) -> bytes:
    """The own-data export as JSON, logged."""
    audit.record(Kind.PERSONAL_EXPORTED, organisation, user, email=user.email, format="json")
    return json.dumps(personal_data(user, organisation), ensure_ascii=False, indent=2).encode()


def _date(value) -> str | None:
    if value is None:
        return None
    return (value.date() if hasattr(value, "date") else value).isoformat()
