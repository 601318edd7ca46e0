"""Roles and tenancy: who sees which organisation and which units."""

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.conftest import make_user
from tillit.org.access import access_for, organisations_for
from tillit.org.models import Organisation, RoleGrant, Unit


def visible(user, org):
    return set(access_for(user, org).visible_units().values_list("external_id", flat=True))


def test_admin_sees_every_unit(org, admin_user):
    access = access_for(admin_user, org)
    assert access.is_admin
    assert visible(admin_user, org) == {"K", "SOC", "HEM", "BUF"}


def test_manager_sees_the_managed_subtree_only(org, manager_user, team_manager_user, units):
    assert visible(manager_user, org) == {"SOC", "HEM"}
    assert visible(team_manager_user, org) == {"HEM"}
    access = access_for(team_manager_user, org)
    assert access.can_see_unit(units["HEM"])
    assert not access.can_see_unit(units["SOC"])
    assert not access.is_admin


def test_med_rep_sees_the_unit_they_are_attached_to(org, med_user):
    assert visible(med_user, org) == {"BUF"}


def test_employee_is_a_member_without_unit_rights(org, employee_user):
    access = access_for(employee_user, org)
    assert access.is_member
    assert access.person.name == "Anna Andersson"
    assert visible(employee_user, org) == set()


def test_manager_of_a_closed_unit_loses_its_rights(org, team_manager_user, units):
    units["HEM"].closed_at = timezone.now()
    units["HEM"].save()
    assert visible(team_manager_user, org) == set()
    assert not access_for(team_manager_user, org).is_member


def test_outsider_has_no_access(org, outsider_user, units):
    access = access_for(outsider_user, org)
    assert not access.is_member
    assert not access.can_see_unit(units["K"])
    assert visible(outsider_user, org) == set()


def test_rights_in_one_organisation_do_not_leak_into_another(org, other_org, admin_user):
    other_root = Unit.objects.get(organisation=other_org)
    assert not access_for(admin_user, other_org).is_member
    assert not access_for(admin_user, org).can_see_unit(other_root)


def test_a_consultant_can_be_admin_in_several_organisations(org, other_org):
    for organisation in (org, other_org):
        RoleGrant.objects.create(
            organisation=organisation, email="konsult@firma.se", role=RoleGrant.Role.ADMIN
        )
    consultant = make_user("konsult@firma.se")
    assert set(organisations_for(consultant)) == {org, other_org}


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("admin_user", 200),
        ("manager_user", 200),
        ("med_user", 200),
        ("employee_user", 200),
        ("outsider_user", 404),
    ],
)
def test_overview_is_for_members_only(client, request, org, persona, status):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("org:overview", args=[org.slug])).status_code == status


def test_unknown_organisation_is_404(client, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("org:overview", args=["nope"])).status_code == 404


def test_overview_counts_only_what_the_user_may_see(client, org, manager_user, employee_user):
    client.force_login(manager_user)
    response = client.get(reverse("org:overview", args=[org.slug]))
    assert response.context["n_units"] == 2
    assert response.context["n_people"] == 1  # Anna in Hemtjänst Norr


def test_home_goes_straight_to_the_only_organisation(client, admin_user, org):
    client.force_login(admin_user)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse("org:overview", args=[org.slug])


def test_home_lists_organisations_of_a_consultant(client, org, other_org):
    for organisation in (org, other_org):
        RoleGrant.objects.create(
            organisation=organisation, email="konsult@firma.se", role=RoleGrant.Role.ADMIN
        )
    client.force_login(make_user("konsult@firma.se"))
    response = client.get("/")
    assert response.status_code == 200
    assert {o.slug for o in response.context["organisations"]} == {"testby", "annanstad"}
    assert Organisation.objects.count() == 2


def test_home_of_a_user_without_organisation(client, db):
    client.force_login(make_user("lost@nowhere.se"))
    response = client.get("/")
    assert response.status_code == 200
    assert list(response.context["organisations"]) == []


def test_a_refusal_is_logged_in_one_line_without_a_traceback(client, employee_user, org, caplog):
    client.force_login(employee_user)
    with caplog.at_level("WARNING", logger="django.request"):
        response = client.get(reverse("org:import", args=[org.slug]))
    assert response.status_code == 403
    refusals = [r for r in caplog.records if getattr(r, "status_code", None) == 403]
    assert refusals and all(r.exc_info is None for r in refusals)
