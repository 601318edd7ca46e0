"""The people page and the roles page: listing, correcting, granting and revoking."""

import pytest
from django.urls import reverse

from tillit.org.models import Person, RoleGrant, Unit
from tillit.org.roles import RoleError, do_revoke_role


def people_url(org, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("org:people", args=[org.slug]) + (f"?{query}" if query else "")


@pytest.fixture
def crowd(org, units):
    """120 people: 60 in Hemtjänst Norr, 40 in Socialförvaltningen, 20 in BUF."""
    spread = [("HEM", 60), ("SOC", 40), ("BUF", 20)]
    Person.objects.bulk_create(
        Person(
            organisation=org,
            unit=units[uid],
            email=f"{uid.lower()}{i:03}@testby.se",
            name=f"{uid.title()} Person {i:03}",
        )
        for uid, n in spread
        for i in range(n)
    )


def names(response):
    return [p.name for p in response.context["page"]]


def test_people_are_listed_50_a_page(client, org, crowd, admin_user):
    client.force_login(admin_user)
    first = client.get(people_url(org))
    assert first.status_code == 200
    assert len(names(first)) == 50
    third = client.get(people_url(org, page=3))
    assert len(names(third)) == 20
    assert not set(names(first)) & set(names(third))
    assert first.context["page"].paginator.count == 120


def test_search_by_name_or_email(client, org, crowd, admin_user):
    client.force_login(admin_user)
    assert names(client.get(people_url(org, q="Buf Person 01"))) == [
        f"Buf Person 01{i}" for i in range(10)
    ]
    assert names(client.get(people_url(org, q="soc007@"))) == ["Soc Person 007"]


def test_filter_by_unit_includes_the_units_below(client, org, crowd, units, admin_user):
    client.force_login(admin_user)
    response = client.get(people_url(org, unit=units["SOC"].pk))
    assert response.context["page"].paginator.count == 100  # SOC and HEM below it
    response = client.get(people_url(org, unit=units["HEM"].pk, q="Person 05"))
    assert response.context["page"].paginator.count == 10


def test_page_links_keep_the_filter(client, org, crowd, units, admin_user):
    client.force_login(admin_user)
    response = client.get(people_url(org, unit=units["SOC"].pk))
    assert f"unit={units['SOC'].pk}&amp;page=2" in response.content.decode()


def test_people_of_another_organisation_never_show(client, org, other_org, crowd, admin_user):
    stranger = Person.objects.create(
        organisation=other_org,
        unit=Unit.objects.get(organisation=other_org),
        email="x@annanstad.se",
        name="Buf Person 999",
    )
    client.force_login(admin_user)
    assert "Buf Person 999" not in names(client.get(people_url(org, q="999")))
    url = reverse("org:person_edit", args=[org.slug, stranger.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"name": "Kapad"}).status_code == 404
    assert Person.objects.get(pk=stranger.pk).name == "Buf Person 999"


def test_admin_edits_a_person(client, org, units, employee_user, admin_user):
    anna = Person.objects.get(email="anna@testby.se")
    client.force_login(admin_user)
    url = reverse("org:person_edit", args=[org.slug, anna.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"name": "Anna Berg", "unit": units["BUF"].pk, "language": "da", "active": ""}
    )
    assert response.status_code == 302
    anna.refresh_from_db()
    assert (anna.name, anna.unit_id, anna.language, anna.active) == (
        "Anna Berg",
        units["BUF"].pk,
        "da",
        False,
    )
    assert anna.left_at is not None
    client.post(url, {"name": "Anna Berg", "unit": units["BUF"].pk, "active": "on"})
    anna.refresh_from_db()
    assert anna.active and anna.left_at is None and anna.language == ""


def test_person_cannot_be_put_in_another_organisations_unit(
    client, org, other_org, employee_user, admin_user
):
    anna = Person.objects.get(email="anna@testby.se")
    client.force_login(admin_user)
    response = client.post(
        reverse("org:person_edit", args=[org.slug, anna.pk]),
        {"name": "Anna", "unit": Unit.objects.get(organisation=other_org).pk, "active": "on"},
    )
    assert response.status_code == 200
    assert "unit" in response.context["form"].errors
    assert Person.objects.get(pk=anna.pk).unit.organisation == org


# --- Roles -----------------------------------------------------------------------------


def roles_url(org):
    return reverse("org:roles", args=[org.slug])


def test_roles_page_lists_admins_med_reps_and_managers(client, org, units, admin_user, med_user):
    client.force_login(admin_user)
    response = client.get(roles_url(org))
    assert response.status_code == 200
    assert [g.email for g in response.context["admins"]] == ["admin@testby.se"]
    assert [(g.email, g.unit.external_id) for g in response.context["med_reps"]] == [
        ("med@testby.se", "BUF")
    ]
    assert {u.manager_email for u in response.context["managers"]} == {
        "chef.soc@testby.se",
        "chef.hem@testby.se",
    }


def test_grant_admin_and_med(client, org, units, admin_user, mailoutbox):
    client.force_login(admin_user)
    response = client.post(roles_url(org), {"email": " Ny.Admin@Testby.se ", "role": "admin"})
    assert response.status_code == 302
    grant = RoleGrant.objects.get(email="ny.admin@testby.se")
    assert (grant.role, grant.unit, grant.granted_by) == ("admin", None, admin_user)
    response = client.post(
        roles_url(org), {"email": "skydd@testby.se", "role": "med", "unit": units["HEM"].pk}
    )
    assert response.status_code == 302
    assert RoleGrant.objects.get(email="skydd@testby.se").unit == units["HEM"]
    assert len(mailoutbox) == 2  # both were invited


def test_med_needs_a_unit(client, org, units, admin_user):
    client.force_login(admin_user)
    response = client.post(roles_url(org), {"email": "skydd@testby.se", "role": "med"})
    assert response.status_code == 200
    assert "unit" in response.context["form"].errors
    assert not RoleGrant.objects.filter(email="skydd@testby.se").exists()


def test_granting_a_role_twice_is_refused(client, org, units, admin_user, med_user, mailoutbox):
    client.force_login(admin_user)
    response = client.post(
        roles_url(org), {"email": "med@testby.se", "role": "med", "unit": units["BUF"].pk}
    )
    assert response.status_code == 200
    assert "med@testby.se" in str(response.context["form"].non_field_errors())
    assert RoleGrant.objects.filter(email="med@testby.se").count() == 1
    assert (
        client.post(roles_url(org), {"email": "admin@testby.se", "role": "admin"})
        .context["form"]
        .non_field_errors()
    )
    assert mailoutbox == []


def test_revoke_after_confirmation(client, org, units, admin_user, med_user):
    grant = RoleGrant.objects.get(email="med@testby.se")
    url = reverse("org:role_revoke", args=[org.slug, grant.pk])
    client.force_login(admin_user)
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "med@testby.se" in confirm.content.decode()
    assert RoleGrant.objects.filter(pk=grant.pk).exists()  # a GET changes nothing
    assert client.post(url).status_code == 302
    assert not RoleGrant.objects.filter(pk=grant.pk).exists()


def test_the_last_admin_cannot_be_revoked(client, org, admin_user):
    grant = RoleGrant.objects.get(email="admin@testby.se")
    client.force_login(admin_user)
    response = client.post(reverse("org:role_revoke", args=[org.slug, grant.pk]), follow=True)
    assert RoleGrant.objects.filter(pk=grant.pk).exists()
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    with pytest.raises(RoleError):
        do_revoke_role(grant)


def test_an_admin_can_be_revoked_when_another_remains(client, org, other_org, admin_user):
    second = RoleGrant.objects.create(organisation=org, email="b@testby.se", role="admin")
    client.force_login(admin_user)
    client.post(reverse("org:role_revoke", args=[org.slug, second.pk]))
    assert not RoleGrant.objects.filter(pk=second.pk).exists()
    # The other organisation's only admin does not count for this one.
    first = RoleGrant.objects.get(organisation=org, email="admin@testby.se")
    with pytest.raises(RoleError):
        do_revoke_role(first)


def test_grants_of_another_organisation_cannot_be_revoked(client, org, other_org, admin_user):
    foreign = RoleGrant.objects.get(organisation=other_org)
    RoleGrant.objects.create(organisation=other_org, email="two@annanstad.se", role="admin")
    client.force_login(admin_user)
    url = reverse("org:role_revoke", args=[org.slug, foreign.pk])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert RoleGrant.objects.filter(pk=foreign.pk).exists()


def test_med_unit_must_be_in_the_organisation(client, org, other_org, admin_user):
    client.force_login(admin_user)
    response = client.post(
        roles_url(org),
        {
            "email": "x@testby.se",
            "role": "med",
            "unit": Unit.objects.get(organisation=other_org).pk,
        },
    )
    assert response.status_code == 200
    assert not RoleGrant.objects.filter(email="x@testby.se").exists()


# --- Who may do what -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("admin_user", 200),
        ("manager_user", 403),
        ("team_manager_user", 403),
        ("med_user", 403),
        ("employee_user", 403),
        ("outsider_user", 404),
    ],
)
def test_people_and_roles_pages_are_for_admins(
    client, request, org, units, admin_user, employee_user, persona, status
):
    client.force_login(request.getfixturevalue(persona))
    anna = Person.objects.get(email="anna@testby.se")
    grant = RoleGrant.objects.get(email="admin@testby.se")
    gets = [
        people_url(org),
        reverse("org:person_edit", args=[org.slug, anna.pk]),
        roles_url(org),
        reverse("org:role_revoke", args=[org.slug, grant.pk]),
    ]
    assert [client.get(url).status_code for url in gets] == [status] * 4


@pytest.mark.parametrize(
    "persona", ["manager_user", "team_manager_user", "med_user", "employee_user", "outsider_user"]
)
def test_non_admins_cannot_change_people_or_roles(
    client, request, org, units, admin_user, employee_user, persona, mailoutbox
):
    client.force_login(request.getfixturevalue(persona))
    anna = Person.objects.get(email="anna@testby.se")
    grant = RoleGrant.objects.get(email="admin@testby.se")
    RoleGrant.objects.create(organisation=org, email="second@testby.se", role="admin")
    expected = 404 if persona == "outsider_user" else 403
    posts = [
        (reverse("org:person_edit", args=[org.slug, anna.pk]), {"name": "X", "active": "on"}),
        (reverse("org:person_invite", args=[org.slug, anna.pk]), {}),
        (roles_url(org), {"email": "me@evil.example", "role": "admin"}),
        (reverse("org:role_revoke", args=[org.slug, grant.pk]), {}),
    ]
    assert [client.post(url, data).status_code for url, data in posts] == [expected] * 4
    assert Person.objects.get(pk=anna.pk).name == "Anna Andersson"
    assert not RoleGrant.objects.filter(email="me@evil.example").exists()
    assert RoleGrant.objects.filter(pk=grant.pk).exists()
    assert mailoutbox == []


def test_anonymous_is_sent_to_login(client, org, units, admin_user, employee_user):
    anna = Person.objects.get(email="anna@testby.se")
    grant = RoleGrant.objects.get(email="admin@testby.se")
    urls = [
        reverse("org:people", args=[org.slug]),
        reverse("org:person_edit", args=[org.slug, anna.pk]),
        reverse("org:person_invite", args=[org.slug, anna.pk]),
        reverse("org:roles", args=[org.slug]),
        reverse("org:role_revoke", args=[org.slug, grant.pk]),
    ]
    client.logout()
    for url in urls:
        for response in (client.get(url), client.post(url, {"email": "x@y.se", "role": "admin"})):
            assert response.status_code == 302, url
            assert response["Location"].startswith(reverse("login"))
    assert RoleGrant.objects.filter(pk=grant.pk).exists()
    assert not RoleGrant.objects.filter(email="x@y.se").exists()


def test_an_admin_who_steps_down_lands_on_the_home_page(client, org, admin_user):
    RoleGrant.objects.create(organisation=org, email="b@testby.se", role="admin")
    own = RoleGrant.objects.get(email="admin@testby.se")
    client.force_login(admin_user)
    response = client.post(reverse("org:role_revoke", args=[org.slug, own.pk]))
    assert response["Location"] == reverse("home")
    assert client.get(roles_url(org)).status_code == 404  # no role left in Testby
