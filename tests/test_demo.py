"""The demo organisations: shape of the tree, determinism, idempotence, logins and roles."""

import re
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command

from tillit.core.models import User
from tillit.org import demo
from tillit.org.access import access_for
from tillit.org.demo import DEMO_PASSWORD, build_demo, delete_demo
from tillit.org.models import Organisation, Person, RoleGrant, Unit, UnitChange

TYPES = ["kommun", "förvaltning", "avdelning", "enhet", "arbetsgrupp"]
DANISH = ["kommune", "forvaltning", "afdeling", "enhed", "arbejdsgruppe"]


@pytest.fixture
def small(db):
    return build_demo("small")


def tillby() -> Organisation:
    return Organisation.objects.get(slug="tillby")


def check_tree(org: Organisation) -> dict[int, int]:
    """Assert the tree's invariants; return people per unit."""
    units = {u.pk: u for u in Unit.objects.filter(organisation=org)}
    assert sum(1 for u in units.values() if u.parent_id is None) == 1
    children: dict[int, set[int]] = {}
    for u in units.values():
        chain, p = [], u.parent_id
        while p is not None:
            chain.insert(0, p)
            p = units[p].parent_id
        assert u.path == "/" + "".join(f"{pk}/" for pk in [*chain, u.pk])
        assert u.depth == len(chain)
        assert u.ancestor_ids() == chain
        if u.parent_id:
            children.setdefault(u.parent_id, set()).add(u.pk)
    # Subtree and ancestor queries agree with the parent links (checked on a sample).
    for u in list(units.values())[:: max(1, len(units) // 40)]:
        below, todo = {u.pk}, [u.pk]
        while todo:
            kids = children.get(todo.pop(), set())
            below |= kids
            todo += kids
        assert set(Unit.objects.subtree(u).values_list("pk", flat=True)) == below
        assert [a.pk for a in u.ancestors()] == u.ancestor_ids()
    # Five levels, typed by level, each unit with a cost centre and a manager who is a person
    # sitting in the unit or (for a work group) in its parent.
    assert {u.depth for u in units.values()} == {0, 1, 2, 3, 4}
    people = {p.email: p for p in Person.objects.filter(organisation=org)}
    for u in units.values():
        assert u.unit_type == (TYPES[u.depth] if org.slug == "tillby" else DANISH[u.depth])
        assert u.cost_centre
        manager = people[u.manager_email]
        assert manager.unit_id in {u.pk, u.parent_id}
    return Counter(p.unit_id for p in people.values())


def test_small_demo_has_the_expected_shape(small):
    org = tillby()
    per_unit = check_tree(org)
    n_units = Unit.objects.filter(organisation=org).count()
    assert 8 <= n_units <= 16
    assert 30 <= Person.objects.filter(organisation=org).count() <= 55
    parents = set(Unit.objects.filter(organisation=org).values_list("parent_id", flat=True))
    leaves = Unit.objects.filter(organisation=org).exclude(pk__in=parents)
    assert any(per_unit[leaf.pk] < 5 for leaf in leaves)  # anonymity matters
    assert UnitChange.objects.filter(unit__organisation=org, kind="created").count() == n_units
    check_tree(Organisation.objects.get(slug="fjordby"))


def test_emails_are_unique_ascii_and_people_realistic(small):
    people = list(Person.objects.filter(organisation=tillby()))
    emails = [p.email for p in people]
    assert len(emails) == len(set(emails))
    assert all(re.fullmatch(r"[a-z0-9.-]+@tillby\.se", e) for e in emails)
    for p in people:
        assert 1960 <= p.birth_year <= 2004
        assert p.start_date.year >= p.birth_year + 18
        assert p.gender in {"female", "male"}
        assert p.language in {"sv", "da", "nb", "en"}
    assert demo.ascii_fold("Åsa Öberg-Çelik Ærø") == "asa oberg-celik aero"


def test_person_names_come_from_the_lists_and_emails_from_names(small):
    from tillit.org import demo_names

    for p in Person.objects.filter(organisation=tillby()).exclude(email=demo.TILLBY_OWNER):
        first, last = p.name.split(" ", 1)
        assert first in demo_names.WOMEN + demo_names.MEN
        assert last in demo_names.SURNAMES
        assert p.email.startswith(f"{demo.ascii_fold(first)}.{demo.ascii_fold(last)}")


def test_running_twice_is_idempotent(small):
    counts = (Unit.objects.count(), Person.objects.count(), User.objects.count())
    again = build_demo("small")
    assert again.created == []
    assert (Unit.objects.count(), Person.objects.count(), User.objects.count()) == counts
    assert RoleGrant.objects.filter(email=demo.CONSULTANT.email).count() == 2


def snapshot() -> list[tuple]:
    return list(
        Person.objects.filter(organisation__slug="tillby")
        .order_by("unit__external_id", "email")
        .values_list("unit__external_id", "unit__name", "name", "email", "birth_year")
    )


@pytest.mark.one_database
def test_the_seed_makes_it_deterministic(db):
    build_demo("small", seed=7)
    first = snapshot()
    delete_demo()
    assert not Organisation.objects.filter(slug__in=["tillby", "fjordby"]).exists()
    assert not User.objects.filter(email=demo.TILLBY_OWNER).exists()
    build_demo("small", seed=7)
    assert snapshot() == first
    delete_demo()
    build_demo("small", seed=8)
    assert snapshot() != first


def test_reset_leaves_other_organisations_alone(small, other_org, outsider_user):
    delete_demo()
    assert Organisation.objects.filter(slug="annanstad").exists()
    assert User.objects.filter(email=outsider_user.email).exists()


def test_every_demo_login_logs_in(small, client):
    assert len(small.logins) == 7
    for login in small.logins:
        assert client.login(username=login.email, password=DEMO_PASSWORD), login.email
        client.logout()


def access(email: str, slug: str = "tillby"):
    return access_for(User.objects.get(email=email), Organisation.objects.get(slug=slug))


def test_roles_see_what_they_may(small, client):
    org = tillby()
    norr = Unit.objects.get(organisation=org, name="Hemtjänst Norr")
    vof = Unit.objects.get(organisation=org, name="Vård- och omsorgsförvaltningen")
    strategy = Unit.objects.get(organisation=org, name="Utveckling och strategi")
    logins = {login.role: login.email for login in small.logins}
    owner, chief = demo.TILLBY_OWNER, vof.manager_email
    team, employee = norr.manager_email, demo.TILLBY_EMPLOYEE
    med = RoleGrant.objects.get(organisation=org, role="med").email
    assert {owner, chief, team, med, employee} <= set(logins.values())

    assert access(owner).is_admin
    assert access(chief).can_see_unit(norr) and not access(chief).can_see_unit(strategy)
    assert access(team).can_see_unit(norr) and not access(team).can_see_unit(vof)
    assert access(med).can_see_unit(norr) and not access(med).is_admin
    assert access(employee).person.unit.parent == norr
    assert not access(employee).visible_units().exists()

    client.login(username=owner, password=DEMO_PASSWORD)
    assert client.get("/o/tillby/").status_code == 200
    assert client.get("/o/fjordby/").status_code == 404
    client.login(username=employee, password=DEMO_PASSWORD)
    assert client.get("/o/tillby/").status_code == 200
    assert client.get("/o/tillby/import/").status_code == 403


def test_consultant_sees_both_organisations(small, client):
    client.login(username=demo.CONSULTANT.email, password=DEMO_PASSWORD)
    page = client.get("/").content.decode()
    assert "Tillby kommun" in page and "Fjordby Kommune" in page
    assert client.get("/o/fjordby/").status_code == 200
    assert access(demo.CONSULTANT.email, "fjordby").is_admin
    assert access(demo.CONSULTANT.email, "tillby").is_admin


def test_fjordby_is_danish(small):
    org = Organisation.objects.get(slug="fjordby")
    assert org.language == "da"
    assert Unit.objects.filter(organisation=org, name="Hjemmeplejen Nord").exists()
    languages = Counter(Person.objects.filter(organisation=org).values_list("language", flat=True))
    assert languages.most_common(1)[0][0] == "da"
    emails = Person.objects.filter(organisation=org).values_list("email", flat=True)
    assert all(e.endswith("@fjordby.dk") for e in emails)


def test_extenders_run_once_on_creation(db, monkeypatch):
    calls = []
    monkeypatch.setattr(demo, "extenders", lambda: [calls.append])
    result = build_demo("small")
    assert calls == [result] and set(result.created) == {"tillby", "fjordby"}
    build_demo("small")
    assert len(calls) == 1


@pytest.mark.one_database
def test_medium_demo_is_about_3000_people_in_250_units(db):
    build_demo("medium")
    org = tillby()
    assert 2700 <= Person.objects.filter(organisation=org).count() <= 3300
    assert 225 <= Unit.objects.filter(organisation=org).count() <= 275
    per_unit = check_tree(org)
    parents = set(Unit.objects.filter(organisation=org).values_list("parent_id", flat=True))
    leaf_sizes = [
        per_unit[pk]
        for pk in Unit.objects.filter(organisation=org)
        .exclude(pk__in=parents)
        .values_list("pk", flat=True)
    ]
    assert sum(5 <= n <= 20 for n in leaf_sizes) > len(leaf_sizes) / 2  # most groups 5–20
    assert sum(n < 5 for n in leaf_sizes) >= 5  # and some too small to report alone


@pytest.mark.one_database
def test_demo_command_prints_the_logins_and_is_idempotent(db):
    out = StringIO()
    call_command("demo", "--size", "small", stdout=out)
    text = out.getvalue()
    assert "http://127.0.0.1:8000" in text
    assert DEMO_PASSWORD in text
    for email in (demo.TILLBY_OWNER, demo.FJORDBY_LEADER, demo.CONSULTANT.email):
        assert email in text
    before = snapshot()
    out = StringIO()
    call_command("demo", "--size", "small", stdout=out)
    assert snapshot() == before
    assert "already exist" in out.getvalue() and demo.TILLBY_OWNER in out.getvalue()
    call_command("demo", "--size", "small", "--seed", "3", "--reset", stdout=StringIO())
    after = snapshot()
    assert after != before and len({e for *_, e, _ in after}) == len(after)
    assert User.objects.get(email=demo.TILLBY_OWNER).check_password(DEMO_PASSWORD)
