"""The tree page, the unit page and correcting the tree in the UI."""

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.conftest import make_user
from tillit.org.models import Person, Unit, UnitChange
from tillit.org.views.tree import build_tree


def tree_url(org, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("org:tree", args=[org.slug]) + (f"?{query}" if query else "")


def person(org, unit, email, **fields):
    return Person.objects.create(
        organisation=org, unit=unit, email=email, name=email.split("@")[0], **fields
    )


def rows_by_id(response):
    return {row.unit.external_id: row for row in response.context["rows"]}


# --- The tree page ---------------------------------------------------------------------


def test_tree_nests_units_and_counts_people_per_unit_and_subtree(client, org, units, admin_user):
    person(org, units["SOC"], "a@testby.se")
    person(org, units["HEM"], "b@testby.se")
    person(org, units["HEM"], "c@testby.se")
    person(org, units["HEM"], "gone@testby.se", active=False)
    person(org, units["BUF"], "d@testby.se")
    client.force_login(admin_user)
    response = client.get(tree_url(org))
    assert response.status_code == 200
    rows = response.context["rows"]
    # Depth first, siblings by name: Barn- och utbildning before Socialförvaltningen.
    assert [(r.unit.external_id, r.level) for r in rows] == [
        ("K", 0),
        ("BUF", 1),
        ("SOC", 1),
        ("HEM", 2),
    ]
    by_id = rows_by_id(response)
    assert (by_id["HEM"].direct, by_id["HEM"].total) == (2, 2)  # the inactive one not counted
    assert (by_id["SOC"].direct, by_id["SOC"].total) == (1, 3)
    assert (by_id["K"].direct, by_id["K"].total) == (0, 4)
    # The top two levels are open; deeper levels start collapsed.
    assert by_id["K"].is_open and by_id["SOC"].is_open and not by_id["HEM"].is_open
    html = response.content.decode()
    # HEM's list sits inside SOC's <details>, which sits inside K's.
    k, soc, hem = (html.index(f">{units[x].name}</a>") for x in ("K", "SOC", "HEM"))
    assert html.count("<details") == 2  # K and SOC have children; leaves have none
    assert k < soc < hem
    assert "chef.soc@testby.se" in html  # admins see managers' addresses


def test_build_tree_closes_every_list_it_opens():
    """Pure nesting: every <details><ul> opened by a parent is closed after its last child."""
    org_id = 1

    def unit(pk, parent, name):
        path = (parent.path if parent else "/") + f"{pk}/"
        return Unit(
            pk=pk,
            organisation_id=org_id,
            name=name,
            parent_id=parent.pk if parent else None,
            path=path,
            depth=path.count("/") - 2,
        )

    root = unit(1, None, "Root")
    a = unit(2, root, "A")
    a1 = unit(3, a, "A1")
    a11 = unit(4, a1, "A11")
    b = unit(5, root, "B")
    rows = build_tree([b, a11, root, a1, a], {4: 2, 5: 1}, lambda u: f"/u/{u.pk}/")
    assert [r.unit.name for r in rows] == ["Root", "A", "A1", "A11", "B"]
    assert [r.closers for r in rows] == ["", "", "", "xx", "x"]
    assert [r.total for r in rows] == [3, 2, 2, 2, 1]
    opened = sum(1 for r in rows if r.children)
    assert opened == sum(len(r.closers) for r in rows)


def test_closed_units_are_hidden_until_asked_for(client, org, units, admin_user):
    units["BUF"].closed_at = timezone.now()
    units["BUF"].save()
    client.force_login(admin_user)
    hidden = client.get(tree_url(org))
    assert "BUF" not in rows_by_id(hidden)
    assert hidden.context["n_closed"] == 1
    shown = client.get(tree_url(org, closed=1))
    assert "BUF" in rows_by_id(shown)
    assert 'class="badge badge--closed"' in shown.content.decode()


def test_search_shows_matches_with_their_ancestors(client, org, units, admin_user):
    client.force_login(admin_user)
    response = client.get(tree_url(org, q="hemtj"))
    by_id = rows_by_id(response)
    assert set(by_id) == {"K", "SOC", "HEM"}
    assert all(row.is_open for row in by_id.values())
    assert rows_by_id(client.get(tree_url(org, q="nothing-like-this"))) == {}


def test_manager_sees_only_the_managed_subtree_without_addresses(client, org, units, manager_user):
    client.force_login(manager_user)
    response = client.get(tree_url(org))
    assert set(rows_by_id(response)) == {"SOC", "HEM"}
    assert "chef.hem@testby.se" not in response.content.decode()


def test_employee_sees_only_their_own_unit(client, org, units, employee_user):
    client.force_login(employee_user)
    response = client.get(tree_url(org))
    assert response.status_code == 200
    assert response.context["rows"] == []
    assert response.context["own_unit"] == units["HEM"]
    assert "Hemtjänst Norr" in response.content.decode()
    assert "Socialförvaltningen" not in response.content.decode()


def make_big_tree(org, n_per_level=(6, 7, 7)):
    """A kommun with 6 × 7 × 7 = 294 units below the root, plus people."""
    root = Unit.objects.get(organisation=org, external_id="K")
    level, created = [root], []
    for n, depth in zip(n_per_level, range(1, 4), strict=True):
        nxt = []
        for parent in level:
            for i in range(n):
                nxt.append(
                    Unit.objects.create(
                        organisation=org,
                        external_id=f"{parent.external_id}-{i}",
                        name=f"Enhet {depth}.{i} under {parent.name}",
                        parent=parent,
                        manager_email=f"chef{i}@testby.se",
                        closed_at=timezone.now() if i == 6 else None,
                    )
                )
        created.extend(nxt)
        level = nxt
    Person.objects.bulk_create(
        Person(organisation=org, unit=u, email=f"p{u.pk}@testby.se", name=f"P {u.pk}")
        for u in created
    )
    return created


def test_tree_page_queries_are_bounded(
    client, org, units, admin_user, django_assert_max_num_queries
):
    created = make_big_tree(org)
    assert len(created) > 290
    client.force_login(admin_user)
    client.get(tree_url(org))  # warm the session
    # Session, user, organisation, three for the user's rights, units, counts.
    with django_assert_max_num_queries(8):
        response = client.get(tree_url(org, closed=1))
    assert len(response.context["rows"]) == len(created) + 4
    assert rows_by_id(response)["K"].total == len(created)


# --- The unit page ---------------------------------------------------------------------


def test_unit_page_shows_facts_place_people_and_history(client, org, units, admin_user):
    hem = units["HEM"]
    person(org, hem, "a@testby.se")
    person(org, units["SOC"], "b@testby.se")
    client.force_login(admin_user)
    client.post(
        reverse("org:unit_edit", args=[org.slug, hem.pk]),
        {"name": "Hemtjänst Nord", "parent": units["SOC"].pk, "unit_type": "enhet"},
    )
    response = client.get(reverse("org:unit", args=[org.slug, units["SOC"].pk]))
    assert response.status_code == 200
    assert [a.external_id for a in response.context["ancestors"]] == ["K"]
    assert [c.external_id for c in response.context["children"]] == ["HEM"]
    assert (response.context["n_direct"], response.context["n_subtree"]) == (1, 2)
    hem_page = client.get(reverse("org:unit", args=[org.slug, hem.pk]))
    kinds = [(c.kind, c.field) for c in hem_page.context["history"]]
    assert (UnitChange.Kind.RENAMED, "name") in kinds
    assert (UnitChange.Kind.EDITED, "unit_type") in kinds
    assert "Hemtjänst Nord" in hem_page.content.decode()


def test_unit_history_is_newest_first(client, org, units, admin_user):
    unit = units["BUF"]
    client.force_login(admin_user)
    for name in ("Första", "Andra", "Tredje"):
        client.post(
            reverse("org:unit_edit", args=[org.slug, unit.pk]),
            {"name": name, "parent": units["K"].pk},
        )
    history = client.get(reverse("org:unit", args=[org.slug, unit.pk])).context["history"]
    assert [c.new_value for c in history] == ["Tredje", "Andra", "Första"]


def test_unit_page_breadcrumbs_stop_at_what_a_manager_may_see(
    client, org, units, team_manager_user
):
    client.force_login(team_manager_user)
    response = client.get(reverse("org:unit", args=[org.slug, units["HEM"].pk]))
    assert response.status_code == 200
    assert response.context["ancestors"] == []
    assert (
        reverse("org:unit_edit", args=[org.slug, units["HEM"].pk]) not in response.content.decode()
    )


def test_unit_of_another_organisation_is_404_even_for_an_admin(client, org, other_org, admin_user):
    other_root = Unit.objects.get(organisation=other_org)
    client.force_login(admin_user)
    for name in ("org:unit", "org:unit_edit", "org:unit_add"):
        assert client.get(reverse(name, args=[org.slug, other_root.pk])).status_code == 404
    for name in ("org:unit_close", "org:unit_reopen"):
        assert client.post(reverse(name, args=[org.slug, other_root.pk])).status_code == 404
    assert Unit.objects.get(pk=other_root.pk).closed_at is None


# --- Editing ---------------------------------------------------------------------------


def edit(client, org, unit, **data):
    return client.post(reverse("org:unit_edit", args=[org.slug, unit.pk]), data)


def test_moving_a_unit_rewrites_its_subtree_and_logs_the_move(client, org, units, admin_user):
    client.force_login(admin_user)
    response = edit(client, org, units["SOC"], name="Socialförvaltningen", parent=units["BUF"].pk)
    assert response.status_code == 302
    soc = Unit.objects.get(pk=units["SOC"].pk)
    hem = Unit.objects.get(pk=units["HEM"].pk)
    buf = units["BUF"]
    assert soc.parent_id == buf.pk
    assert soc.path == f"{buf.path}{soc.pk}/"
    assert hem.path == f"{buf.path}{soc.pk}/{hem.pk}/"
    assert hem.depth == 3
    change = UnitChange.objects.get(unit=soc, kind=UnitChange.Kind.MOVED)
    assert (change.old_value, change.new_value) == ("K", "BUF")
    assert change.changed_by == admin_user and change.source == "ui"


def test_a_unit_cannot_move_below_itself(client, org, units, admin_user):
    client.force_login(admin_user)
    before = list(Unit.objects.order_by("pk").values_list("parent_id", "path"))
    response = edit(client, org, units["SOC"], name="Socialförvaltningen", parent=units["HEM"].pk)
    assert response.status_code == 200
    assert "below itself" in response.context["form"].errors["parent"][0]
    assert list(Unit.objects.order_by("pk").values_list("parent_id", "path")) == before
    assert not UnitChange.objects.exists()


def test_the_parent_select_leaves_out_the_units_own_subtree(client, org, units, admin_user):
    client.force_login(admin_user)
    response = client.get(reverse("org:unit_edit", args=[org.slug, units["SOC"].pk]))
    offered = {u.external_id for u in response.context["form"].fields["parent"].queryset}
    assert offered == {"K", "BUF"}


def test_bad_values_give_field_errors_and_change_nothing(client, org, units, admin_user):
    client.force_login(admin_user)
    response = edit(
        client, org, units["BUF"], name="", parent=units["K"].pk, manager_email="not-an-address"
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"name", "manager_email"}
    assert Unit.objects.get(pk=units["BUF"].pk).name == "Barn- och utbildning"


def test_the_root_may_stay_without_parent(client, org, units, admin_user):
    client.force_login(admin_user)
    response = edit(client, org, units["K"], name="Testby kommun", cost_centre="100")
    assert response.status_code == 302
    assert Unit.objects.get(pk=units["K"].pk).cost_centre == "100"


def test_new_unit_below_a_parent(client, org, units, admin_user):
    client.force_login(admin_user)
    url = reverse("org:unit_add", args=[org.slug, units["HEM"].pk])
    assert client.get(url).context["form"]["parent"].value() == units["HEM"].pk
    response = client.post(
        url, {"external_id": "HEM-1", "name": "Arbetsgrupp 1", "parent": units["HEM"].pk}
    )
    assert response.status_code == 302
    new = Unit.objects.get(organisation=org, external_id="HEM-1")
    assert new.path == f"{units['HEM'].path}{new.pk}/"
    assert UnitChange.objects.filter(unit=new, kind=UnitChange.Kind.CREATED).exists()


def test_new_unit_with_a_taken_id_is_refused(client, org, units, admin_user, other_org):
    client.force_login(admin_user)
    url = reverse("org:unit_add", args=[org.slug, units["HEM"].pk])
    response = client.post(url, {"external_id": "BUF", "name": "Dubblett", "parent": units["K"].pk})
    assert response.status_code == 200
    assert "Barn- och utbildning" in str(response.context["form"].errors["external_id"])
    assert Unit.objects.filter(organisation=org).count() == 4
    # The same id in another organisation does not count.
    ok = client.post(url, {"external_id": "K2", "name": "Ny", "parent": units["K"].pk})
    assert ok.status_code == 302


def test_close_and_reopen(client, org, units, admin_user):
    client.force_login(admin_user)
    hem = units["HEM"]
    client.post(reverse("org:unit_close", args=[org.slug, hem.pk]))
    assert Unit.objects.get(pk=hem.pk).is_closed
    client.post(reverse("org:unit_reopen", args=[org.slug, hem.pk]))
    assert not Unit.objects.get(pk=hem.pk).is_closed
    kinds = list(UnitChange.objects.filter(unit=hem).values_list("kind", flat=True))
    assert kinds == [UnitChange.Kind.CLOSED, UnitChange.Kind.REOPENED]


def test_a_unit_with_open_units_below_cannot_be_closed(client, org, units, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("org:unit_close", args=[org.slug, units["SOC"].pk]), follow=True)
    assert not Unit.objects.get(pk=units["SOC"].pk).is_closed
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


def test_close_needs_post(client, org, units, admin_user):
    client.force_login(admin_user)
    assert (
        client.get(reverse("org:unit_close", args=[org.slug, units["HEM"].pk])).status_code == 405
    )
    assert not Unit.objects.get(pk=units["HEM"].pk).is_closed


# --- Who may do what -------------------------------------------------------------------

PERSONAS = [
    "admin_user",
    "manager_user",
    "team_manager_user",
    "med_user",
    "employee_user",
    "outsider_user",
]


@pytest.mark.parametrize(
    ("persona", "unit", "expected"),
    [
        # tree, unit page, edit, add
        ("admin_user", "HEM", (200, 200, 200, 200)),
        ("manager_user", "HEM", (200, 200, 403, 403)),
        ("manager_user", "BUF", (200, 404, 403, 403)),
        ("team_manager_user", "HEM", (200, 200, 403, 403)),
        ("team_manager_user", "SOC", (200, 404, 403, 403)),
        ("med_user", "BUF", (200, 200, 403, 403)),
        ("med_user", "HEM", (200, 404, 403, 403)),
        ("employee_user", "HEM", (200, 404, 403, 403)),
        ("outsider_user", "HEM", (404, 404, 404, 404)),
    ],
)
def test_tree_and_unit_pages_per_persona(client, request, org, units, persona, unit, expected):
    client.force_login(request.getfixturevalue(persona))
    pk = units[unit].pk
    got = (
        client.get(tree_url(org)).status_code,
        client.get(reverse("org:unit", args=[org.slug, pk])).status_code,
        client.get(reverse("org:unit_edit", args=[org.slug, pk])).status_code,
        client.get(reverse("org:unit_add", args=[org.slug, pk])).status_code,
    )
    assert got == expected


@pytest.mark.parametrize("persona", PERSONAS[1:])
def test_only_admins_change_the_tree(client, request, org, units, persona):
    client.force_login(request.getfixturevalue(persona))
    hem = units["HEM"]
    statuses = {
        edit(client, org, hem, name="Kapad", parent=units["SOC"].pk).status_code,
        client.post(reverse("org:unit_close", args=[org.slug, hem.pk])).status_code,
        client.post(reverse("org:unit_reopen", args=[org.slug, hem.pk])).status_code,
        client.post(
            reverse("org:unit_add", args=[org.slug, hem.pk]),
            {"external_id": "X", "name": "X", "parent": hem.pk},
        ).status_code,
    }
    assert statuses == {404 if persona == "outsider_user" else 403}
    hem = Unit.objects.get(pk=hem.pk)
    assert (hem.name, hem.is_closed) == ("Hemtjänst Norr", False)
    assert not Unit.objects.filter(external_id="X").exists()


def test_a_tree_error_from_actions_is_shown_on_the_form(
    client, org, units, admin_user, monkeypatch
):
    """A move that `actions` refuses (here: a parent that turned out to be in the subtree,
    as after a concurrent move) is a form error, not a crash, and changes nothing."""
    from tillit.org import actions

    real = actions.check_parent
    # As if the chosen parent had been moved below the unit in the meantime.
    monkeypatch.setattr(actions, "check_parent", lambda unit, parent: real(unit, units["HEM"]))
    client.force_login(admin_user)
    response = edit(client, org, units["SOC"], name="Ny", parent=units["BUF"].pk)
    assert response.status_code == 200
    assert "Hemtjänst Norr" in response.context["form"].errors["parent"][0]
    assert Unit.objects.get(pk=units["SOC"].pk).name == "Socialförvaltningen"


ALL_UNIT_VIEWS = ["org:unit", "org:unit_edit", "org:unit_add", "org:unit_close", "org:unit_reopen"]


@pytest.mark.parametrize("name", ["org:tree", *ALL_UNIT_VIEWS])
def test_anonymous_is_sent_to_login(client, org, units, name):
    args = [org.slug] if name == "org:tree" else [org.slug, units["HEM"].pk]
    for response in (client.get(reverse(name, args=args)), client.post(reverse(name, args=args))):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert not Unit.objects.get(pk=units["HEM"].pk).is_closed


def test_a_user_of_no_organisation_gets_404(client, org, units):
    client.force_login(make_user("stranger@example.com"))
    assert client.get(tree_url(org)).status_code == 404
    assert client.get(reverse("org:unit", args=[org.slug, units["K"].pk])).status_code == 404


def test_names_are_escaped_in_the_tree_and_selects(client, org, units, admin_user):
    Unit.objects.filter(pk=units["HEM"].pk).update(name="<script>alert(1)</script> & Co")
    client.force_login(admin_user)
    html = client.get(tree_url(org)).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in html
    edit_page = client.get(reverse("org:unit_edit", args=[org.slug, units["BUF"].pk]))
    assert "<script>alert" not in edit_page.content.decode()


def test_the_edit_form_shows_the_current_parent_selected(client, org, units, admin_user):
    client.force_login(admin_user)
    html = client.get(reverse("org:unit_edit", args=[org.slug, units["HEM"].pk])).content.decode()
    assert f'<option value="{units["SOC"].pk}" selected>' in html
    assert f'<option value="{units["K"].pk}">' in html
    assert '<select name="parent" id="id_parent" required' in html
