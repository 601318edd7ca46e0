"""Finding examples: full text in Swedish and Danish on either database, filters, and
"examples like this one"."""

import pytest
from django.urls import reverse

from tests.examples.conftest import VALUES, publish
from tillit.examples import actions
from tillit.examples.search import Filters, first, like_this, search

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(org, units):
    units["BUF"].unit_type = "skola"
    units["BUF"].save()
    swedish = publish(
        actions.do_create_example(
            org,
            {
                **VALUES,
                "title": "Bocka av vid rutinbesöken",
                "problem": "Fritext efter varje besök.",
                "areas": ["steering", "work_organisation"],
            },
            [units["HEM"]],
            None,
        )
    )
    danish = publish(
        actions.do_create_example(
            org,
            {
                **VALUES,
                "title": "Fravær ét sted",
                "problem": "Dobbelte registreringerne af fravær i skolen.",
                "what_changed": "Lønsystemet henter fraværet.",
                "areas": ["culture"],
                "principles": ["tillit"],
                "language": "da",
            },
            [units["BUF"]],
            None,
        )
    )
    draft = actions.do_create_example(
        org, {**VALUES, "title": "Utkast om rutinbesök"}, [units["HEM"]], None
    )
    return swedish, danish, draft


def titles(found) -> list[str]:
    return [e.title for e in found]


def test_swedish_and_danish_words_find_their_inflections(org, library):
    swedish, danish, _draft = library
    assert titles(search(org, "rutinbesök")) == [swedish.title]  # the draft is not found
    assert titles(search(org, "registrering")) == [danish.title]
    assert titles(search(org, "rutinbesök fravær")) == []  # every word must match


def test_a_result_page_keeps_the_rank_order_and_the_filters(org, units, library):
    swedish, danish, _draft = library
    more = [
        publish(
            actions.do_create_example(
                org, {**VALUES, "title": f"Rutinbesök {n}"}, [units["HEM"]], None
            )
        )
        for n in range(3)
    ]
    page = first(org, "rutinbesök", count=2)
    assert len(page) == 2
    assert [e.pk for e in page] == [e.pk for e in first(org, "rutinbesök")][:2]
    assert {e.pk for e in first(org, "rutinbesök")} == {swedish.pk, *(e.pk for e in more)}
    assert first(org, "rutinbesök", Filters(area="culture")) == []
    assert [e.title for e in first(org, "fravær", Filters(area="culture"))] == [danish.title]


def test_operators_in_the_query_are_plain_words(org, library):
    for query in ('" OR *', "NEAR(a b)", "-fravær", "a:b", "'"):
        list(search(org, query))  # no syntax error reaches the reader
        first(org, query)


def test_filters(org, units, library):
    swedish, danish, _draft = library
    assert titles(search(org, "", Filters(area="culture"))) == [danish.title]
    assert titles(search(org, "", Filters(principle="tillit"))) == [danish.title]
    assert titles(search(org, "", Filters(unit_type="skola"))) == [danish.title]
    assert titles(search(org, "", Filters(evidence=True))) == []
    assert set(titles(search(org, "", Filters(area="steering")))) == {swedish.title}


def test_examples_like_this_one(org, units, library):
    swedish, _danish, _draft = library
    near = publish(
        actions.do_create_example(
            org,
            {**VALUES, "title": "Färre besök med fritext", "areas": ["steering"]},
            [units["HEM"]],
            None,
        )
    )
    assert titles(like_this(swedish, org)) == [near.title]


def test_the_library_page_searches_and_filters(client, org, employee_user, library):
    swedish, danish, _draft = library
    client.force_login(employee_user)
    page = client.get(
        reverse("examples:library", args=[org.slug]), {"q": "fravær", "area": "culture"}
    )
    text = page.content.decode()
    assert danish.title in text and swedish.title not in text
    partial = client.get(
        reverse("examples:library", args=[org.slug]), {"q": "rutinbesök"}, HTTP_HX_REQUEST="true"
    )
    assert swedish.title in partial.content.decode()
    assert "<html" not in partial.content.decode()
