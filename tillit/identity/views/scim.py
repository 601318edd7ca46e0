"""SCIM 2.0 (RFC 7643/7644) for people: what Entra ID, Okta and others push users with.

A SCIM User is a `Person`: `id` is its key, `userName` its e-mail, the unit comes from the
enterprise extension's `department` (a unit id of the import, or else the name of exactly one
open unit). Every write goes through `provisioning.save_person` – the import's checks. DELETE
deactivates: a person is never deleted (invitations and roles refer to them).
"""

from __future__ import annotations

import json
import re

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from tillit.identity import provisioning
from tillit.identity.tokens import token_view
from tillit.org import tables
from tillit.org.models import Person, Unit

CORE = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
CONTENT_TYPE = "application/scim+json"
MAX_PAGE = 200
_FILTER = re.compile(r'^\s*userName\s+eq\s+"(?P<value>[^"]*)"\s*$', re.IGNORECASE)


def _response(data: dict, status: int = 200) -> JsonResponse:
    return JsonResponse(
        data, status=status, content_type=CONTENT_TYPE, json_dumps_params={"ensure_ascii": False}
    )


def scim_error(status: int, detail: str, scim_type: str = "") -> JsonResponse:
    body = {"schemas": [ERROR], "status": str(status), "detail": detail}
    if scim_type:
        body["scimType"] = scim_type
    response = _response(body, status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="tillit-scim"'
    return response


def scim_view(methods: tuple[str, ...]):
    return token_view(dict.fromkeys(methods, "scim"), make_error=scim_error)


class ScimError(Exception):
    def __init__(self, status: int, detail: str, scim_type: str = ""):
        super().__init__(detail)
        self.status, self.detail, self.scim_type = status, detail, scim_type


# ---------------------------------------------------------------- representation


def resource(request: HttpRequest, person: Person) -> dict:
    """A person as a SCIM User."""
    location = request.build_absolute_uri(reverse("identity:scim_user", args=[person.pk]))
    data = {
        "schemas": [CORE, ENTERPRISE],
        "id": str(person.pk),
        "userName": person.email,
        "displayName": person.name,
        "name": {"formatted": person.name},
        "emails": [{"value": person.email, "type": "work", "primary": True}],
        "active": person.active,
        ENTERPRISE: {"department": person.unit.external_id},
        "meta": {"resourceType": "User", "location": location},
    }
    if person.language:
        data["preferredLanguage"] = person.language
    return data


def _unit_id(organisation, department: str) -> str:
    """The import's unit id for a department value: an id, or the name of one open unit."""
    units = Unit.objects.filter(organisation=organisation, closed_at__isnull=True)
    if units.filter(external_id=department).exists():
        return department
    named = list(units.filter(name__iexact=department).values_list("external_id", flat=True)[:2])
    return named[0] if len(named) == 1 else department  # the import's check then names it


def _values(organisation, data: dict) -> dict[str, object]:
    """The import columns a SCIM User body gives (absent attributes are not in the dict)."""
    if not isinstance(data, dict):
        raise ScimError(400, _("The body must be a JSON object."), "invalidSyntax")
    values: dict[str, object] = {}
    email = data.get("userName")
    if not email:
        emails = data.get("emails") or []
        primary = [e for e in emails if isinstance(e, dict) and e.get("primary")] or emails
        email = primary[0].get("value") if primary and isinstance(primary[0], dict) else None
    if email is not None:
        values["email"] = str(email)
    name = data.get("displayName")
    parts = data.get("name")
    if not name and isinstance(parts, dict):
        name = parts.get("formatted") or " ".join(
            str(parts[k]) for k in ("givenName", "familyName") if parts.get(k)
        )
    if name:
        values["name"] = str(name)
    language = data.get("preferredLanguage")
    if isinstance(language, str) and language:
        values["language"] = language.split("-")[0].split("_")[0]
    extension = data.get(ENTERPRISE)
    if isinstance(extension, dict) and extension.get("department"):
        values["unit_id"] = _unit_id(organisation, str(extension["department"]))
    return values


def _save(request: HttpRequest, values: dict, person: Person | None, active) -> Person:
    try:
        saved = provisioning.save_person(request.organisation, values, person=person)
    except tables.FileErrors as error:
        detail = "; ".join(f"{e.column}: {e.message}" for e in error.errors)
        raise ScimError(400, detail, "invalidValue") from None
    if active is not None:
        provisioning.set_active(saved, bool(active))
    return saved


def _body(request: HttpRequest) -> dict:
    try:
        body = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        raise ScimError(400, _("The body is not JSON."), "invalidSyntax") from None
    if not isinstance(body, dict):
        raise ScimError(400, _("The body must be a JSON object."), "invalidSyntax")
    return body


def _handle(view):
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except ScimError as error:
            return scim_error(error.status, error.detail, error.scim_type)

    return wrapped


def _people(request: HttpRequest):
    return Person.objects.filter(organisation=request.organisation).select_related("unit")


# ---------------------------------------------------------------- endpoints


@scim_view(("GET", "POST"))
@_handle
def users(request: HttpRequest) -> HttpResponse:
    """List (with `filter=userName eq "…"`) or create people."""
    if request.method == "POST":
        body = _body(request)
        values = _values(request.organisation, body)
        email = str(values.get("email", "")).strip().lower()
        if email and _people(request).filter(email=email).exists():
            raise ScimError(409, _("%(email)s exists already.") % {"email": email}, "uniqueness")
        person = _save(request, values, None, body.get("active", True))
        response = _response(resource(request, person), 201)
        response["Location"] = resource(request, person)["meta"]["location"]
        return response
    people = _people(request).order_by("pk")
    text = request.GET.get("filter")
    if text:
        match = _FILTER.match(text)
        if match is None:
            raise ScimError(
                400, _('Only the filter userName eq "…" is supported.'), "invalidFilter"
            )
        people = people.filter(email=match["value"].strip().lower())
    try:
        start = max(1, int(request.GET.get("startIndex", 1)))
        count = min(MAX_PAGE, max(0, int(request.GET.get("count", 100))))
    except ValueError:
        raise ScimError(400, _("startIndex and count are whole numbers."), "invalidValue") from None
    total = people.count()
    page = people[start - 1 : start - 1 + count]
    return _response(
        {
            "schemas": [LIST],
            "totalResults": total,
            "startIndex": start,
            "itemsPerPage": len(page),
            "Resources": [resource(request, p) for p in page],
        }
    )


def _apply_patch(person: Person, body: dict) -> tuple[dict, object]:
    """PatchOp operations as import values and an active flag (None: unchanged)."""
    if PATCH not in (body.get("schemas") or []):
        raise ScimError(400, _("A PATCH body is a PatchOp message."), "invalidSyntax")
    flat: dict = {}
    for operation in body.get("Operations") or []:
        if not isinstance(operation, dict):
            raise ScimError(400, _("An operation must be an object."), "invalidSyntax")
        op = str(operation.get("op", "")).lower()
        if op not in ("add", "replace", "remove"):
            raise ScimError(400, _("Unknown operation %(op)s.") % {"op": op}, "invalidSyntax")
        path = operation.get("path")
        value = operation.get("value")
        if not path:
            if not isinstance(value, dict):
                raise ScimError(
                    400, _("An operation without a path needs an object."), "invalidValue"
                )
            flat.update(value)
            continue
        key = str(path)
        if key.lower() == f"{ENTERPRISE}:department".lower():
            flat.setdefault(ENTERPRISE, {})["department"] = value
        elif key.lower().startswith("emails"):
            flat["userName"] = value[0]["value"] if isinstance(value, list) and value else value
        elif key.lower() in ("name.formatted", "displayname"):
            flat["displayName"] = value
        elif key.lower() in ("name.givenname", "name.familyname"):
            flat.setdefault("name", {})[key.split(".")[1]] = value
        elif key.lower() in ("active", "username", "preferredlanguage"):
            flat[
                {
                    "active": "active",
                    "username": "userName",
                    "preferredlanguage": "preferredLanguage",
                }[key.lower()]
            ] = value
        elif op != "remove":
            raise ScimError(
                400, _("The attribute %(path)s cannot be changed.") % {"path": key}, "noTarget"
            )
    if isinstance(flat.get("name"), dict) and not flat.get("displayName"):
        given = flat["name"].get("givenName") or ""
        family = flat["name"].get("familyName") or ""
        # Tillit keeps one name: half of it alone would lose the other half.
        if given and family:
            flat["displayName"] = f"{given} {family}"
        flat.pop("name")
    active = flat.get("active")
    if isinstance(active, str):
        active = active.lower() == "true"
    return _values(person.organisation, flat), active


@scim_view(("GET", "PUT", "PATCH", "DELETE"))
@_handle
def user(request: HttpRequest, person_id: str) -> HttpResponse:
    """Read, replace, change or deactivate one person."""
    person = None
    if person_id.isdigit() and len(person_id) < 19:  # beyond a bigint is no id of ours
        person = _people(request).filter(pk=int(person_id)).first()
    if person is None:
        raise ScimError(404, _("No such user."))
    if request.method == "DELETE":
        provisioning.set_active(person, False)
        return HttpResponse(status=204)
    if request.method == "PUT":
        body = _body(request)
        person = _save(
            request, _values(request.organisation, body), person, body.get("active", True)
        )
    elif request.method == "PATCH":
        try:
            values, active = _apply_patch(person, _body(request))
        except (AttributeError, IndexError, KeyError, TypeError):
            # Values of the wrong shape deep in an operation (a list where an object belongs).
            raise ScimError(
                400, _("An operation's value has the wrong form."), "invalidValue"
            ) from None
        if values or active is not None:
            person = _save(request, values, person, active)
    return _response(resource(request, person))


def not_found(request: HttpRequest) -> HttpResponse:
    """Groups, Bulk and anything else not offered: a SCIM error, not an HTML page."""
    return scim_error(404, _("Not found."))


# ---------------------------------------------------------------- discovery


@scim_view(("GET",))
def service_provider_config(request: HttpRequest) -> HttpResponse:
    return _response(
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
            "patch": {"supported": True},
            "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
            "filter": {"supported": True, "maxResults": MAX_PAGE},
            "changePassword": {"supported": False},
            "sort": {"supported": False},
            "etag": {"supported": False},
            "authenticationSchemes": [
                {
                    "type": "oauthbearertoken",
                    "name": "Bearer token",
                    "description": "A token with the scope scim, made on the Tokens page.",
                    "primary": True,
                }
            ],
        }
    )


def _attribute(name: str, kind: str = "string", **more) -> dict:
    return {
        "name": name,
        "type": kind,
        "multiValued": False,
        "required": False,
        "mutability": "readWrite",
        "returned": "default",
        **more,
    }


SCHEMAS = [
    {
        "id": CORE,
        "name": "User",
        "attributes": [
            _attribute("userName", required=True, uniqueness="server"),
            _attribute("displayName"),
            _attribute("name", "complex", subAttributes=[_attribute("formatted")]),
            _attribute("emails", "complex", multiValued=True, subAttributes=[_attribute("value")]),
            _attribute("active", "boolean"),
            _attribute("preferredLanguage"),
        ],
    },
    {
        "id": ENTERPRISE,
        "name": "EnterpriseUser",
        "attributes": [_attribute("department", description="The unit id (or unit name).")],
    },
]


@scim_view(("GET",))
def schemas(request: HttpRequest) -> HttpResponse:
    return _response({"schemas": [LIST], "totalResults": len(SCHEMAS), "Resources": SCHEMAS})


@scim_view(("GET",))
def resource_types(request: HttpRequest) -> HttpResponse:
    user_type = {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
        "id": "User",
        "name": "User",
        "endpoint": "/Users",
        "schema": CORE,
        "schemaExtensions": [{"schema": ENTERPRISE, "required": False}],
    }
    return _response({"schemas": [LIST], "totalResults": 1, "Resources": [user_type]})
