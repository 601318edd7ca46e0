"""Who may open which page of the library (every role, and an outsider)."""

import pytest
from django.urls import reverse

from tests.examples.conftest import VALUES
from tillit.examples import actions

pytestmark = pytest.mark.django_db

PERSONAS = ("admin", "curator", "manager", "team_manager", "med", "employee", "outsider")
ALL = dict.fromkeys(PERSONAS[:-1], 200) | {"outsider": 404}


def expect(**codes) -> dict[str, int]:
    """200 for the named personas, 403 for the other members, 404 for the outsider."""
    return {p: (codes.get(p, 403) if p != "outsider" else 404) for p in PERSONAS}


PROPOSERS = expect(admin=200, curator=200, manager=200, team_manager=200)
PAGES = [
    ("library", False, ALL),
    ("shared", False, ALL),
    ("booklet", False, ALL),
    ("new", False, PROPOSERS),
    ("from_programmes", False, PROPOSERS),
    ("roles", False, expect(admin=200)),
    ("detail", True, ALL),
    ("contacts", True, expect(admin=200, curator=200)),
    ("adopt", True, expect(admin=200, manager=200, team_manager=200)),
]


@pytest.fixture
def users(
    admin_user,
    curator_user,
    manager_user,
    team_manager_user,
    med_user,
    employee_user,
    outsider_user,
):
    return dict(
        zip(
            PERSONAS,
            (
                admin_user,
                curator_user,
                manager_user,
                team_manager_user,
                med_user,
                employee_user,
                outsider_user,
            ),
            strict=True,
        )
    )


def test_who_opens_each_page(client, org, users, example):
    found, expected = {}, {}
    for persona, user in users.items():
        client.force_login(user)
        for name, with_example, codes in PAGES:
            args = [org.slug, example.pk] if with_example else [org.slug]
            status = client.get(reverse(f"examples:{name}", args=args)).status_code
            found[(name, persona)], expected[(name, persona)] = status, codes[persona]
    assert found == expected


def test_a_draft_is_read_and_edited_by_its_author_and_the_curators(client, org, units, users):
    draft = actions.do_create_example(org, VALUES, [units["HEM"]], users["team_manager"])
    edit = reverse("examples:edit", args=[org.slug, draft.pk])
    found = {}
    for persona, user in users.items():
        client.force_login(user)
        found[persona] = client.get(edit).status_code
    # Members who may not read a draft do not learn it exists.
    assert found == {
        "admin": 200,
        "curator": 200,
        "manager": 404,
        "team_manager": 200,
        "med": 404,
        "employee": 404,
        "outsider": 404,
    }


def test_only_curators_publish_and_only_the_process_owner_shares(client, org, units, users):
    draft = actions.do_create_example(org, VALUES, [units["HEM"]], users["team_manager"])
    client.force_login(users["team_manager"])
    client.post(reverse("examples:step", args=[org.slug, draft.pk, "submit"]))
    assert (
        client.post(reverse("examples:step", args=[org.slug, draft.pk, "publish"])).status_code
        == 403
    )
    client.force_login(users["curator"])
    client.post(reverse("examples:step", args=[org.slug, draft.pk, "publish"]))
    draft.refresh_from_db()
    assert draft.status == "published"
    share = reverse("examples:step", args=[org.slug, draft.pk, "share"])
    assert client.post(share).status_code == 403
    client.force_login(users["admin"])
    client.post(share)
    draft.refresh_from_db()
    assert draft.shared


def test_another_tenants_adoption_follow_up_is_not_found(client, other_org, users, example):
    actions.do_set_shared(example, True)
    adoption = actions.do_adopt(example, example.units.get(), {}, None)
    client.force_login(users["outsider"])
    url = reverse("examples:follow_up", args=[other_org.slug, adoption.pk])
    assert client.get(url).status_code == 404
