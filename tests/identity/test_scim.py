"""SCIM 2.0 as Entra ID speaks it, over real HTTP requests to the test client."""

import json

import pytest

from tillit.identity.actions import do_create_token, do_revoke_token
from tillit.identity.views.scim import ENTERPRISE, PATCH
from tillit.org.models import Person

SCIM = "application/scim+json"


@pytest.fixture
def scim(client, org, units):
    _token, secret = do_create_token(org, "Entra ID", ["scim"])

    def call(method: str, path: str, body=None, token: str = secret):
        return getattr(client, method)(
            "/scim/v2" + path,
            json.dumps(body) if body is not None else None,
            content_type=SCIM,
            headers={"Authorization": f"Bearer {token}"},
        )

    return call


def _user(email: str, department: str, **more) -> dict:
    return {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
        "userName": email,
        "name": {"givenName": "Nora", "familyName": "Berg"},
        "displayName": "Nora Berg",
        "active": True,
        ENTERPRISE: {"department": department},
        **more,
    }


def test_create_find_change_and_deactivate_a_person(scim, units):
    created = scim("post", "/Users", _user("Nora.Berg@testby.se", "HEM"))
    assert created.status_code == 201, created.content
    assert created["Content-Type"] == SCIM
    person_id = created.json()["id"]
    person = Person.objects.get(pk=person_id)
    assert (person.email, person.name, person.unit.external_id) == (
        "nora.berg@testby.se",
        "Nora Berg",
        "HEM",
    )
    found = scim("get", '/Users?filter=userName eq "nora.berg@testby.se"').json()
    assert found["totalResults"] == 1 and found["Resources"][0]["id"] == person_id
    assert scim("get", '/Users?filter=userName eq "nobody@testby.se"').json()["totalResults"] == 0
    assert scim("post", "/Users", _user("nora.berg@testby.se", "HEM")).status_code == 409

    # Entra ID's PATCH: a new department (by the unit's name) and display name.
    patch = {
        "schemas": [PATCH],
        "Operations": [
            {"op": "Replace", "path": f"{ENTERPRISE}:department", "value": "Barn- och utbildning"},
            {"op": "Replace", "path": "displayName", "value": "Nora Berg-Lund"},
        ],
    }
    changed = scim("patch", f"/Users/{person_id}", patch)
    assert changed.status_code == 200, changed.content
    person.refresh_from_db()
    assert person.unit == units["BUF"] and person.name == "Nora Berg-Lund"

    family_only = {
        "schemas": [PATCH],
        "Operations": [{"op": "replace", "path": "name.familyName", "value": "Lund"}],
    }
    assert scim("patch", f"/Users/{person_id}", family_only).json()["displayName"] == (
        "Nora Berg-Lund"  # half a name does not replace the whole
    )
    off = {
        "schemas": [PATCH],
        "Operations": [{"op": "Replace", "path": "active", "value": "False"}],
    }
    assert scim("patch", f"/Users/{person_id}", off).json()["active"] is False
    person.refresh_from_db()
    assert not person.active and person.left_at is not None

    replaced = scim("put", f"/Users/{person_id}", _user("nora.berg@testby.se", "SOC"))
    assert replaced.status_code == 200 and replaced.json()["active"] is True
    person.refresh_from_db()
    assert person.active and person.unit == units["SOC"]

    assert scim("delete", f"/Users/{person_id}").status_code == 204
    person.refresh_from_db()
    assert not person.active  # kept, never deleted


def test_bad_values_are_refused_with_the_field_named_and_nothing_changed(scim, employee_user):
    response = scim("post", "/Users", _user("not-an-address", "HEM"))
    assert response.status_code == 400
    assert "email" in response.json()["detail"] and response.json()["scimType"] == "invalidValue"
    response = scim("post", "/Users", _user("new@testby.se", "NOWHERE"))
    assert response.status_code == 400 and "NOWHERE" in response.json()["detail"]
    anna = Person.objects.get(email="anna@testby.se")
    bad = {"schemas": [PATCH], "Operations": [{"op": "replace", "path": "userName", "value": "x"}]}
    assert scim("patch", f"/Users/{anna.pk}", bad).status_code == 400
    anna.refresh_from_db()
    assert anna.email == "anna@testby.se"
    assert scim("get", "/Users?filter=name co x").status_code == 400
    assert Person.objects.count() == 1


def test_tokens_are_per_organisation_scoped_and_revocable(scim, org, other_org, client):
    theirs = Person.objects.create(
        organisation=other_org, email="x@annanstad.se", name="X", unit=other_org.units.get()
    )
    assert scim("get", f"/Users/{theirs.pk}").status_code == 404
    assert scim("get", "/Users").json()["totalResults"] == 0
    assert scim("get", "/Users", token="wrong").status_code == 401
    _api_only, secret = do_create_token(org, "API", ["org:read"])
    assert scim("get", "/Users", token=secret).status_code == 403
    token, secret = do_create_token(org, "Old", ["scim"])
    assert scim("get", "/Users", token=secret).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    do_revoke_token(token)
    assert scim("get", "/Users", token=secret).status_code == 401
    from tillit.audit.models import AuditEntry

    made = AuditEntry.objects.filter(organisation=org, kind=AuditEntry.Kind.API_TOKEN_CREATED)
    assert [(e.detail["name"], e.detail["scopes"]) for e in made.order_by("pk")][-2:] == [
        ("API", ["org:read"]),
        ("Old", ["scim"]),
    ]
    revoked = AuditEntry.objects.get(kind=AuditEntry.Kind.API_TOKEN_REVOKED)
    assert revoked.detail == {"name": "Old"}
    assert not any(secret[4:14] in e.search_text + str(e.detail) for e in made)


def test_discovery_documents(scim):
    config = scim("get", "/ServiceProviderConfig").json()
    assert config["patch"]["supported"] is True and config["bulk"]["supported"] is False
    assert scim("get", "/Schemas").json()["totalResults"] == 2
    types = scim("get", "/ResourceTypes").json()["Resources"]
    assert types[0]["endpoint"] == "/Users"


def test_malformed_requests_are_scim_errors_not_crashes(scim, employee_user):
    anna = Person.objects.get(email="anna@testby.se")
    for body in (
        {"schemas": [PATCH], "Operations": [{"op": "replace", "path": "emails", "value": [1]}]},
        {
            "schemas": [PATCH],
            "Operations": [
                {"op": "add", "value": {"name": "x"}},
                {"op": "add", "path": "name.givenName", "value": "y"},
            ],
        },
        {"schemas": [PATCH], "Operations": ["replace"]},
        {"Operations": []},
    ):
        response = scim("patch", f"/Users/{anna.pk}", body)
        assert response.status_code == 400, (body, response.content)
        assert response.json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    assert scim("get", "/Users/99999999999999999999999").status_code == 404
    assert scim("get", "/Groups").status_code == 404
    assert scim("post", "/Users", [1, 2]).status_code == 400
    anna.refresh_from_db()
    assert anna.name == "Anna Andersson"
