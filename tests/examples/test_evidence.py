"""Evidence shows only what results published: never a unit under k, never before a
publication, never an open campaign."""

import pytest

from tests.examples.conftest import VALUES
from tests.test_results_helpers import add_unit, answer, make_campaign
from tillit.examples import actions
from tillit.examples.evidence import evidence_for, index_changes
from tillit.results.refreshing import get_snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def surveys(org, units):
    """HEM: 6 answers at 3, then 6 at 4 (shown both times). T4: four answers each time
    (under k). T6: six answers, then three (hidden the second time)."""
    t4 = add_unit(org, "T4", units["BUF"], name="Team Fyra")
    t6 = add_unit(org, "T6", units["BUF"], name="Team Sex")
    before = make_campaign(org, units["K"], name="Enkät 2025", year=2025)
    after = make_campaign(org, units["K"], name="Enkät 2026", year=2026)
    for campaign, value, t6_count in ((before, 3, 6), (after, 4, 3)):
        answer(campaign, units["HEM"], [value] * 6)
        answer(campaign, t4, [value] * 4)
        answer(campaign, t6, [value] * t6_count)
    return before, after, t4, t6


def test_nothing_before_results_are_published(units, surveys):
    assert index_changes(units["HEM"]) == []


def test_a_published_unit_shows_its_change(units, surveys):
    _before, after, _t4, _t6 = surveys
    get_snapshot(after)  # publishes the earlier one first
    changes = index_changes(units["HEM"])
    assert [(c.label, c.before, c.after, c.change) for c in changes] == [
        ("HME total", 50.0, 75.0, 25),
        ("Trust index total", 50.0, 75.0, 25),
    ]
    assert (changes[0].before_campaign, changes[0].after_campaign) == ("Enkät 2025", "Enkät 2026")


def test_a_unit_hidden_in_either_publication_shows_nothing(org, units, surveys):
    _before, after, t4, t6 = surveys
    get_snapshot(after)
    assert index_changes(t4) == []  # under k both times
    assert index_changes(t6) == []  # under k the second time
    example = actions.do_create_example(org, VALUES, [t4, t6], None)
    assert not evidence_for(example).any


def test_an_open_campaign_adds_nothing(org, units, surveys):
    _before, after, _t4, _t6 = surveys
    get_snapshot(after)
    pulse = make_campaign(org, units["K"], name="Puls 2027", year=2027, status="open")
    answer(pulse, units["HEM"], [1] * 6)
    get_snapshot(pulse)
    assert {c.after_campaign for c in index_changes(units["HEM"])} == {"Enkät 2026"}
