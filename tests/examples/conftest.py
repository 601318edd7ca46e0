"""Library fixtures: a curator, a published example of Hemtjänst Norr with a named contact,
and a Goda exempel programme with two stories and its lessons."""

import pytest

from tests.conftest import make_user
from tillit.examples import actions
from tillit.examples.models import ExamplesRole
from tillit.programmes import actions as programme_actions
from tillit.programmes.loading import install_shipped_templates
from tillit.programmes.models import ProgrammeTemplate


@pytest.fixture
def curator_user(org):
    ExamplesRole.objects.create(organisation=org, email="redaktor@testby.se")
    return make_user("redaktor@testby.se", name="Rut Redaktör")


def publish(example):
    actions.do_submit_for_review(example)
    actions.do_publish(example, None)
    example.refresh_from_db()
    return example


VALUES = {
    "title": "Färre mål i hemtjänsten",
    "problem": "Tjugotre mål som ingen kunde räkna upp.",
    "what_changed": "Gruppen valde tre mål om brukarens vardag; samverkan med kommunens "
    "controller blev enklare.",
    "areas": ["steering"],
    "principles": ["helhetssyn"],
    "language": "sv",
    "inventory": [{"area": "steering", "question": "Hur många mål?", "answer": "Tre."}],
}


@pytest.fixture
def example(org, units, team_manager_user):
    """Published, of Hemtjänst Norr, with Hugo Chef named with consent."""
    made = actions.do_create_example(org, VALUES, [units["HEM"]], team_manager_user)
    actions.do_add_contact(
        made, units["HEM"], "Hugo Chef", "chef.hem@testby.se", "enhetschef", consent=True
    )
    return publish(made)


@pytest.fixture
def goda_programme(org, units):
    install_shipped_templates()
    programme = programme_actions.do_start_programme(
        organisation=org,
        template_version=ProgrammeTemplate.objects.get(slug="goda-exempel").latest(),
        title="Goda exempel 2026",
        language="sv",
        units=[units["HEM"]],
        created_by=None,
    )
    add = programme_actions.do_create_artefact
    add(
        programme,
        "invitation",
        "story",
        {"title": "Hemtjänsten som slutade jaga minuter", "text": "Vi planerar besöken själva."},
        None,
    )
    add(
        programme,
        "follow-up",
        "lesson",
        {"title": "Hur ger ni återkoppling?", "area": "leadership", "detail": "Varje vecka."},
        None,
    )
    add(programme, "follow-up", "lesson", {"title": "Om metoden", "area": "method"}, None)
    return programme
