"""The read and write API: plain views over the apps' own functions, JSON in and out.

Reads go through the same functions as the pages (`results.snapshot.published_json` over
`results.pages.visible_rows`, `org.access`), writes through the file import's checks and
transaction (`org.import_jobs.import_table`), so the API can show or change nothing the pages
and the import could not.
"""

import json

from django.db import transaction
from django.db.models import F
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from tillit.api import openapi
from tillit.identity.tokens import error, token_view
from tillit.org import import_jobs, importing, people_import, tables
from tillit.org.models import ImportJob
from tillit.programmes.models import Artefact
from tillit.results.pages import visible_rows
from tillit.results.refreshing import get_snapshot
from tillit.results.snapshot import published_json
from tillit.steering import burden
from tillit.steering.models import Signal
from tillit.surveys.models import Campaign

LISTED = (Campaign.Status.OPEN, Campaign.Status.CLOSED)


def schema(request: HttpRequest) -> JsonResponse:
    """The OpenAPI 3.1 description of this API (public, like any API's documentation)."""
    base = request.build_absolute_uri("/api/v1")
    return JsonResponse(openapi.document(base), json_dumps_params={"ensure_ascii": False})


def _units(request):
    return request.access.visible_units()


@token_view({"GET": "org:read", "PUT": "org:write"})
def units(request: HttpRequest) -> JsonResponse:
    """GET the unit tree (the token's part of it); PUT the whole tree, as an import file."""
    if request.method == "PUT":
        return _import(request, ImportJob.Kind.UNITS, "units")
    rows = (
        _units(request)
        .select_related("parent")
        .order_by("path")
        .values(
            "external_id",
            "parent__external_id",
            "name",
            "unit_type",
            "cost_centre",
            "manager_email",
            "closed_at",
        )
    )
    return JsonResponse(
        {
            "units": [
                {
                    "unit_id": r["external_id"],
                    "parent_id": r["parent__external_id"],
                    "name": r["name"],
                    "type": r["unit_type"],
                    "cost_centre": r["cost_centre"],
                    "manager_email": r["manager_email"],
                    "closed": r["closed_at"] is not None,
                }
                for r in rows
            ]
        }
    )


@token_view({"PUT": "org:write", "PATCH": "org:write"})
def people(request: HttpRequest) -> JsonResponse:
    """PUT every person (people missing are deactivated, roles synced, as an import file);
    PATCH some of them (created or changed, the others left as they are)."""
    return _import(request, ImportJob.Kind.PEOPLE, "people", partial=request.method == "PATCH")


def _body_rows(request: HttpRequest, key: str) -> list | JsonResponse:
    try:
        body = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        return error(400, _("The body is not JSON."))
    rows = body.get(key) if isinstance(body, dict) else None
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        return error(
            400, _("The body must be an object with a list of objects in %(key)s.") % {"key": key}
        )
    return rows


def _import(request: HttpRequest, kind: str, key: str, *, partial: bool = False) -> JsonResponse:
    """Rows of JSON through the import: all checked, all applied in one transaction or none."""
    rows = _body_rows(request, key)
    if isinstance(rows, JsonResponse):
        return rows
    if kind == ImportJob.Kind.UNITS:
        columns = list(importing.UNIT_COLUMNS + importing.UNIT_OPTIONAL)
    else:
        columns = list(people_import.PEOPLE_COLUMNS + people_import.PEOPLE_OPTIONAL)
    errors = []
    cells_of = []
    for number, row in enumerate(rows, start=1):
        for name in row.keys() - set(columns):
            errors.append(tables.RowError(number, name, _("Unknown field.")))
        cells = []
        for name in columns:
            value = row.get(name)
            if value is not None and not isinstance(value, str | int):
                errors.append(tables.RowError(number, name, _("Give text or a number.")))
                value = None
            cells.append("" if value is None else str(value))
        cells_of.append((number, cells))
        if partial and row.get("role"):
            # Roles of some people only would leave the file's record of imported grants
            # wrong; they come with the whole list (PUT) or from the Roles page.
            errors.append(
                tables.RowError(number, "role", _("Give roles with PUT, for all people."))
            )
    if errors:
        return _errors(errors)
    table = tables.Table(columns=columns, rows=cells_of)
    organisation = request.organisation
    if partial:
        plan, errors = people_import.check_people(organisation, table, partial=True)
        if errors:
            return _errors(errors)
        with transaction.atomic():
            summary = people_import.apply_people(organisation, plan, partial=True)
        summary.pop("grants", None)
        return JsonResponse({"summary": summary})
    with transaction.atomic():
        result = import_jobs.import_table(organisation, kind, table)
        if not result.ok:
            return _errors(result.errors)
        # Recorded as an import, so the next one knows which role grants it made.
        ImportJob.objects.create(
            organisation=organisation,
            kind=kind,
            filename=f"API ({request.token.name})"[:255],
            status=ImportJob.Status.DONE,
            total=2 * result.rows,
            processed=2 * result.rows,
            summary=result.summary,
            finished_at=timezone.now(),
        )
    summary = dict(result.summary)
    summary.pop("grants", None)
    return JsonResponse({"summary": summary})


def _errors(errors: list[tables.RowError]) -> JsonResponse:
    return error(
        400,
        _("Nothing was changed: the request has errors."),
        errors=[e.as_dict() for e in errors[: tables.MAX_ERRORS]],
    )


@token_view({"GET": "campaigns:read"})
def campaigns(request: HttpRequest) -> JsonResponse:
    """The organisation's campaigns and their status (drafts for whole-organisation tokens)."""
    rows = Campaign.objects.filter(organisation=request.organisation).select_related("target_unit")
    if not request.access.is_admin:
        rows = rows.filter(status__in=LISTED)
    return JsonResponse(
        {
            "campaigns": [
                {
                    "id": c.pk,
                    "name": c.name,
                    "status": c.status,
                    "opens_on": c.opens_on.isoformat(),
                    "closes_on": c.closes_on.isoformat(),
                    "target_unit_id": c.target_unit.external_id if c.target_unit else None,
                }
                for c in rows.order_by("-opens_on", "pk")
            ]
        }
    )


@token_view({"GET": "results:read"})
def results(request: HttpRequest, campaign_id: int) -> JsonResponse:
    """A campaign's published result, the units this token's role may read – the JSON
    export's very content."""
    campaign = None
    if campaign_id < 2**63:  # a larger number is no id, and overflows the database's integer
        campaign = Campaign.objects.filter(
            pk=campaign_id, organisation=request.organisation, status__in=LISTED
        ).first()
    if campaign is None:
        return error(404, _("No such campaign with results."))
    snapshot = get_snapshot(campaign)
    pks = set(visible_rows(snapshot, request.access).values_list("unit_pk", flat=True))
    return JsonResponse(published_json(snapshot, pks), json_dumps_params={"ensure_ascii": False})


@token_view({"GET": "programmes:read"})
def actions(request: HttpRequest) -> JsonResponse:
    """Actions agreed in programmes (and results dialogues), of the token's units."""
    rows = Artefact.objects.filter(organisation=request.organisation, kind="action")
    if not request.access.is_admin:
        rows = rows.filter(unit__path__startswith=request.access.unit_paths[0])
    rows = rows.select_related("unit", "programme").order_by(
        F("due_date").asc(nulls_last=True), "pk"
    )
    return JsonResponse(
        {
            "actions": [
                {
                    "id": a.pk,
                    "title": a.title,
                    "status": a.status,
                    "due_date": a.due_date.isoformat() if a.due_date else None,
                    "owner_email": a.owner_email,
                    "unit_id": a.unit.external_id if a.unit else None,
                    "programme": a.programme.title if a.programme else None,
                }
                for a in rows
            ]
        }
    )


@token_view({"GET": "steering:read"})
def signals(request: HttpRequest) -> JsonResponse:
    """The steering-signal register with each signal's hours per year (open to all members,
    as the register page is)."""
    organisation = request.organisation
    hours = burden.totals(organisation)
    rows = Signal.objects.filter(organisation=organisation).prefetch_related("units")
    return JsonResponse(
        {
            "signals": [
                {
                    "id": s.pk,
                    "title": s.title,
                    "kind": s.kind,
                    "issuer_level": s.issuer_level,
                    "status": s.status,
                    "hours_per_year": round(hours[s.pk], 1) if s.pk in hours else None,
                    "review_date": s.review_date.isoformat() if s.review_date else None,
                    "unit_ids": sorted(u.external_id for u in s.units.all()),
                }
                for s in rows.order_by("title", "pk")
            ]
        }
    )


def not_found(request: HttpRequest) -> JsonResponse:
    """Any other address under /api/: a JSON 404, as the description promises."""
    return error(404, _("Not found."))
