"""The API's OpenAPI 3.0 description, written by hand beside the views it describes.

Small enough to keep by hand; a test runs a schema-based fuzzer (Schemathesis) against a live
server with it, so the description and the views cannot drift apart unnoticed.
"""

from typing import Any

from tillit.identity.models import ApiToken

_nullable_string = {"type": "string", "nullable": True}
_date = {"type": "string", "format": "date"}

ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["row", "column", "message"],
                "properties": {
                    "row": {"type": "integer", "description": "Position in the list, from 1."},
                    "column": {"type": "string"},
                    "message": {"type": "string"},
                },
            },
        },
    },
}

UNIT_IN = {
    "type": "object",
    "required": ["unit_id", "name"],
    "additionalProperties": False,
    "properties": {
        "unit_id": {"type": "string", "maxLength": 64},
        "parent_id": {"type": "string", "description": "Empty or absent for the top unit."},
        "name": {"type": "string", "maxLength": 200},
        "manager_email": {"type": "string"},
        "type": {"type": "string"},
        "cost_centre": {"type": "string"},
    },
}

PERSON_IN = {
    "type": "object",
    "required": ["email", "unit_id", "name"],
    "additionalProperties": False,
    "properties": {
        "email": {"type": "string"},
        "unit_id": {"type": "string"},
        "name": {"type": "string"},
        "role": {"type": "string", "description": "As the import's role column."},
        "language": {"type": "string"},
        "birth_year": {"oneOf": [{"type": "integer"}, {"type": "string"}]},
        "start_date": {"type": "string"},
        "gender": {"type": "string"},
    },
}

SUMMARY = {
    "type": "object",
    "required": ["summary"],
    "properties": {"summary": {"type": "object", "additionalProperties": {"type": "integer"}}},
}


def _list(key: str, item: dict) -> dict:
    return {
        "type": "object",
        "required": [key],
        "properties": {key: {"type": "array", "items": item}},
    }


def _json(schema: dict) -> dict:
    return {"content": {"application/json": {"schema": schema}}}


def _responses(ok: dict, *, extra: tuple[int, ...] = ()) -> dict:
    responses = {
        "200": {"description": "OK", **_json(ok)},
        "401": {"description": "No valid token", **_json(ERROR)},
        "403": {"description": "The token lacks the scope", **_json(ERROR)},
    }
    for status in extra:
        responses[str(status)] = {"description": "Refused", **_json(ERROR)}
    return responses


def _op(summary: str, scope: str, ok: dict, **more: Any) -> dict:
    return {
        "summary": summary,
        "security": [{"bearer": [scope]}],
        "responses": _responses(ok, extra=more.pop("extra", ())),
        **more,
    }


UNIT_OUT = {
    "type": "object",
    "required": ["unit_id", "parent_id", "name", "closed"],
    "properties": {
        "unit_id": {"type": "string"},
        "parent_id": _nullable_string,
        "name": {"type": "string"},
        "type": {"type": "string"},
        "cost_centre": {"type": "string"},
        "manager_email": {"type": "string"},
        "closed": {"type": "boolean"},
    },
}

CAMPAIGN = {
    "type": "object",
    "required": ["id", "name", "status", "opens_on", "closes_on"],
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "status": {"type": "string", "enum": ["draft", "open", "closed"]},
        "opens_on": _date,
        "closes_on": _date,
        "target_unit_id": _nullable_string,
    },
}

RESULT_UNIT = {
    "type": "object",
    "required": ["id", "name", "shown"],
    "properties": {
        "id": {"type": "string", "description": "The unit_id of the import."},
        "name": {"type": "string"},
        "parent_id": _nullable_string,
        "shown": {"type": "boolean"},
        "n_invited": {"type": "integer", "nullable": True},
        "n_responded": {"type": "integer", "nullable": True},
        "n_published": {"type": "integer", "nullable": True},
        "indices": {"type": "object", "nullable": True},
        "items": {"type": "object", "nullable": True},
        "comments": {"type": "array", "nullable": True},
    },
}

RESULT = {
    "type": "object",
    "required": ["units"],
    "properties": {
        "campaign": {},
        "thresholds": {"type": "object", "additionalProperties": {"type": "integer"}},
        "units": {"type": "array", "items": RESULT_UNIT},
    },
}

ACTION = {
    "type": "object",
    "required": ["id", "title", "status"],
    "properties": {
        "id": {"type": "integer"},
        "title": {"type": "string"},
        "status": {"type": "string"},
        "due_date": {"type": "string", "format": "date", "nullable": True},
        "owner_email": {"type": "string"},
        "unit_id": _nullable_string,
        "programme": _nullable_string,
    },
}

SIGNAL = {
    "type": "object",
    "required": ["id", "title", "kind", "status", "unit_ids"],
    "properties": {
        "id": {"type": "integer"},
        "title": {"type": "string"},
        "kind": {"type": "string"},
        "issuer_level": {"type": "string"},
        "status": {"type": "string"},
        "hours_per_year": {"type": "number", "nullable": True},
        "review_date": {"type": "string", "format": "date", "nullable": True},
        "unit_ids": {"type": "array", "items": {"type": "string"}},
    },
}


def _body(schema: dict) -> dict:
    return {"required": True, **_json(schema)}


def document(base_url: str) -> dict:
    """The description, with this server's address."""
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Tillit API",
            "version": "1",
            "description": (
                "Read published results, the unit tree, campaigns, programmes' actions and the "
                "steering register; write the unit tree and people with the file import's "
                "checks. A token belongs to one organisation and reads what its process owner "
                "(or, for a token limited to a unit, that unit's manager) reads in the pages."
            ),
        },
        "servers": [{"url": base_url}],
        "components": {
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "Scopes: " + ", ".join(v for v, _ in ApiToken.Scope.choices),
                }
            }
        },
        "paths": {
            "/units": {
                "get": _op("The unit tree", "org:read", _list("units", UNIT_OUT)),
                "put": _op(
                    "Replace the unit tree, as an import file (missing units are closed)",
                    "org:write",
                    SUMMARY,
                    requestBody=_body(_list("units", UNIT_IN)),
                    extra=(400,),
                ),
            },
            "/people": {
                "put": _op(
                    "Replace all people, as an import file (missing people are deactivated)",
                    "org:write",
                    SUMMARY,
                    requestBody=_body(_list("people", PERSON_IN)),
                    extra=(400,),
                ),
                "patch": _op(
                    "Create or change the people given; the others stay",
                    "org:write",
                    SUMMARY,
                    requestBody=_body(_list("people", PERSON_IN)),
                    extra=(400,),
                ),
            },
            "/campaigns": {
                "get": _op(
                    "Campaigns and their status", "campaigns:read", _list("campaigns", CAMPAIGN)
                )
            },
            "/campaigns/{campaign_id}/results": {
                "get": _op(
                    "A campaign's published result (the JSON export's content)",
                    "results:read",
                    RESULT,
                    parameters=[
                        {
                            "name": "campaign_id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "integer", "minimum": 1, "maximum": 2**62},
                        }
                    ],
                    extra=(404,),
                )
            },
            "/actions": {
                "get": _op("Programmes' actions", "programmes:read", _list("actions", ACTION))
            },
            "/signals": {
                "get": _op(
                    "The steering-signal register", "steering:read", _list("signals", SIGNAL)
                )
            },
        },
    }
