"""The stored snapshot follows the answers: surveys tell results, results refresh in the
background (surveys never imports results)."""

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from tests.test_surveys_support import GOOD
from tillit.results import refreshing
from tillit.results.models import ResultSnapshot
from tillit.surveys import actions, responding
from tillit.surveys.responding import Submitted

pytest_plugins = ["tests.test_surveys_support"]
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_process(monkeypatch):
    """Each test starts as a fresh process that has asked for no refresh yet."""
    monkeypatch.setattr(refreshing, "_ASKED", {})


IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def respondents(campaign) -> int:
    snapshot = ResultSnapshot.objects.get(campaign=campaign)
    return sum(row.data["n_responded"] for row in snapshot.units.filter(depth=0))


def computed(campaign):
    return ResultSnapshot.objects.get(campaign=campaign).computed_at


def test_each_stored_answer_recomputes_the_snapshot(
    launched, settings, django_capture_on_commit_callbacks
):
    campaign, tokens = launched
    settings.TASKS = IMMEDIATE
    with django_capture_on_commit_callbacks(execute=True):
        assert responding.do_submit(tokens["h1@testby.se"], uuid.uuid4(), GOOD) == Submitted.STORED
    stored = ResultSnapshot.objects.get(campaign=campaign)
    # While open, the refreshed snapshot holds participation only (ANONYMITY.md).
    assert stored.ready and stored.data["phase"] == "participation"
    first = stored.computed_at
    refreshing._ASKED.clear()  # ASK_EVERY seconds later
    with django_capture_on_commit_callbacks(execute=True):
        responding.do_submit(tokens["h2@testby.se"], uuid.uuid4(), GOOD)
    assert computed(campaign) > first


def test_a_burst_of_answers_asks_once_per_process_until_the_campaign_closes(
    launched, settings, django_capture_on_commit_callbacks
):
    campaign, tokens = launched
    settings.TASKS = IMMEDIATE
    with django_capture_on_commit_callbacks(execute=True):
        responding.do_submit(tokens["h1@testby.se"], uuid.uuid4(), GOOD)
    first = computed(campaign)
    with django_capture_on_commit_callbacks(execute=True):
        responding.do_submit(tokens["h2@testby.se"], uuid.uuid4(), GOOD)
    assert computed(campaign) == first  # the second answer, within ASK_EVERY, asked nothing
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_close_campaign(campaign)  # closing always refreshes
    assert respondents(campaign) == 2


def test_a_replayed_submit_asks_for_nothing(launched, settings, django_capture_on_commit_callbacks):
    campaign, tokens = launched
    settings.TASKS = DUMMY
    key = uuid.uuid4()
    with django_capture_on_commit_callbacks(execute=True):
        responding.do_submit(tokens["h1@testby.se"], key, GOOD)
    ResultSnapshot.objects.filter(campaign=campaign).update(refresh_queued_at=None)
    refreshing._ASKED.clear()  # so that only the replay itself could ask
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert responding.do_submit(tokens["h1@testby.se"], key, GOOD) == Submitted.REPLAY
    assert callbacks == []
    assert ResultSnapshot.objects.get(campaign=campaign).refresh_queued_at is None


def test_answers_under_a_waiting_refresh_queue_one_task(
    launched, settings, django_capture_on_commit_callbacks
):
    campaign, tokens = launched
    settings.TASKS = DUMMY
    with django_capture_on_commit_callbacks(execute=True):
        responding.do_submit(tokens["h1@testby.se"], uuid.uuid4(), GOOD)
    queued = ResultSnapshot.objects.get(campaign=campaign).refresh_queued_at
    assert queued is not None
    with django_capture_on_commit_callbacks(execute=True):
        responding.do_submit(tokens["h2@testby.se"], uuid.uuid4(), GOOD)
    assert ResultSnapshot.objects.get(campaign=campaign).refresh_queued_at == queued


def test_closing_and_reopening_refresh(launched, settings, django_capture_on_commit_callbacks):
    campaign, _tokens = launched
    settings.TASKS = IMMEDIATE
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_close_campaign(campaign)
    snapshot = ResultSnapshot.objects.get(campaign=campaign)
    assert snapshot.ready and snapshot.data["campaign"]["status"] == "closed"
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_reopen_campaign(campaign, closes_on=timezone.localdate() + dt.timedelta(days=7))
    assert ResultSnapshot.objects.get(campaign=campaign).data["campaign"]["status"] == "open"
