"""The API reads what the pages publish and writes through the import's checks."""

import json

from django.urls import reverse

from tillit.identity.actions import do_create_token
from tillit.org.models import ImportJob, Person, RoleGrant, Unit
from tillit.programmes.models import Artefact
from tillit.surveys.models import Campaign


def test_results_are_exactly_what_the_pages_export_to_that_role(
    client, api, world, org, units, admin_user, manager_user, whole
):
    export = reverse("results:export", args=["testby", world.pk, "json"])
    client.force_login(admin_user)
    assert api(whole)("get", f"/campaigns/{world.pk}/results").json() == json.loads(
        client.get(export).content
    )
    # A token limited to Socialförvaltningen reads what its manager reads.
    _token, soc = do_create_token(org, "SOC", ["results:read"], unit=units["SOC"])
    client.force_login(manager_user)
    theirs = api(soc)("get", f"/campaigns/{world.pk}/results").json()
    assert theirs == json.loads(client.get(export).content)
    assert {u["name"] for u in theirs["units"]} == {"Socialförvaltningen", "Hemtjänst Norr"}


def test_nothing_of_another_organisation(api, world, other_org, whole):
    theirs = Campaign.objects.get(organisation=other_org)
    assert api(whole)("get", f"/campaigns/{theirs.pk}/results").status_code == 404
    assert api(whole)("get", f"/campaigns/{2**64}/results").status_code == 404
    names = [c["name"] for c in api(whole)("get", "/campaigns").json()["campaigns"]]
    assert names == ["Enkät 2026"]
    assert "Annanstad" not in api(whole)("get", "/units").content.decode()


def test_scopes_and_unit_limits(api, world, org, units):
    _token, reader = do_create_token(org, "Tree", ["org:read"], unit=units["SOC"])
    call = api(reader)
    assert [u["unit_id"] for u in call("get", "/units").json()["units"]] == ["SOC", "HEM"]
    assert call("put", "/units", {"units": []}).status_code == 403
    assert call("get", "/signals").status_code == 403
    assert call("delete", "/units").status_code == 405
    assert api("nonsense")("get", "/units").status_code == 401


def test_actions_and_signals(api, world, org, units, whole):
    titles = [a["title"] for a in api(whole)("get", "/actions").json()["actions"]]
    assert titles == ["Kortare möten", "Ny rutin"]
    _token, soc = do_create_token(org, "SOC", ["programmes:read"], unit=units["SOC"])
    assert [a["unit_id"] for a in api(soc)("get", "/actions").json()["actions"]] == ["HEM"]
    (signal,) = api(whole)("get", "/signals").json()["signals"]
    assert signal["title"] == "Månadsrapport" and signal["unit_ids"] == ["SOC"]
    assert Artefact.objects.count() == 2


def test_tree_written_as_an_import_or_not_at_all(api, world, org, whole):
    tree = api(whole)("get", "/units").json()["units"]
    rows = [
        {k: u[k] or "" for k in ("unit_id", "parent_id", "name", "manager_email", "type")}
        for u in tree
    ]
    rows.append({"unit_id": "IT", "parent_id": "K", "name": "IT-enheten"})
    rows[1]["name"] = "Socialförvaltningen (ny)"
    done = api(whole)("put", "/units", {"units": rows})
    assert done.status_code == 200, done.content
    assert done.json()["summary"]["created"] == 1 and done.json()["summary"]["renamed"] == 1
    assert Unit.objects.get(organisation=org, external_id="IT").parent.external_id == "K"
    assert ImportJob.objects.filter(organisation=org, status="done").count() == 1

    rows.append({"unit_id": "X", "parent_id": "NOWHERE", "name": "X", "colour": "red"})
    refused = api(whole)("put", "/units", {"units": rows})
    assert refused.status_code == 400
    assert refused.json()["errors"] == [{"row": 6, "column": "colour", "message": "Unknown field."}]
    del rows[-1]["colour"]
    refused = api(whole)("put", "/units", {"units": rows})
    assert refused.status_code == 400
    (problem,) = refused.json()["errors"]
    assert (problem["row"], problem["column"]) == (6, "parent_id")
    assert "NOWHERE" in problem["message"]
    assert not Unit.objects.filter(organisation=org, external_id="X").exists()
    assert api(whole)("put", "/units", b"{").status_code == 400


def test_people_replaced_or_patched_with_the_imports_rules(api, org, units, whole):
    people = [
        {"email": "a@testby.se", "unit_id": "HEM", "name": "A", "role": "admin"},
        {"email": "b@testby.se", "unit_id": "BUF", "name": "B", "birth_year": 1980},
    ]
    assert api(whole)("put", "/people", {"people": people}).json()["summary"]["created"] == 2
    assert RoleGrant.objects.filter(email="a@testby.se", role="admin").exists()
    patch = [{"email": "c@testby.se", "unit_id": "SOC", "name": "C"}]
    assert api(whole)("patch", "/people", {"people": patch}).status_code == 200
    assert Person.objects.filter(organisation=org, active=True).count() == 3
    with_role = [{**patch[0], "role": "admin"}]
    refused = api(whole)("patch", "/people", {"people": with_role})
    assert refused.status_code == 400 and refused.json()["errors"][0]["column"] == "role"
    bad = [{"email": "d@testby.se", "unit_id": "HEM", "name": "D", "birth_year": 1800}]
    refused = api(whole)("patch", "/people", {"people": bad})
    assert refused.status_code == 400 and refused.json()["errors"][0]["column"] == "birth_year"
    # The whole list again without b: b is deactivated, as by a file.
    api(whole)("put", "/people", {"people": [people[0], patch[0]]})
    assert not Person.objects.get(email="b@testby.se").active


def test_token_page_shows_the_secret_once_and_revokes(client, org, admin_user, employee_user):
    client.force_login(employee_user)
    assert client.get("/o/testby/tokens/").status_code == 403
    client.force_login(admin_user)
    made = client.post(
        "/o/testby/tokens/", {"name": "Intranät", "scopes": ["org:read"]}, follow=True
    )
    assert made.status_code == 200 and made["Cache-Control"] == "no-store"
    secret = made.context["secret"]
    assert secret.startswith("tlt_") and secret.encode() in made.content
    token = made.context["tokens"].get()
    assert secret not in (token.token_hash, token.prefix) and len(token.token_hash) == 64
    listing = client.get("/o/testby/tokens/")
    assert secret.encode() not in listing.content
    auth = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/units", headers=auth).status_code == 200
    assert b"Never" not in client.get("/o/testby/tokens/").content
    client.post(f"/o/testby/tokens/{token.pk}/revoke/")
    assert client.get("/api/v1/units", headers=auth).status_code == 401
