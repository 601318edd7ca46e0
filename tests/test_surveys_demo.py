"""The demo surveys: two closed campaigns with realistic, anonymous synthetic answers, and an
open one that shows participation only."""

import statistics
from collections import defaultdict

import pytest
from django.db.models import Avg, Count

from tillit.org.demo import build_tillby
from tillit.surveys.demo import build_demo_surveys
from tillit.surveys.models import Answer, Invitation, Response

pytestmark = pytest.mark.django_db


def _tidy_postgresql() -> None:
    """VACUUM ANALYZE on PostgreSQL: the rolled-back inserts of the tests before leave dead
    rows and index entries that made this module's 100,000 answers and its queries take
    minutes in the whole suite (a second or two alone); a server's autovacuum does this."""
    from django.db import connection

    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        _tidy_postgresql()
        org = build_tillby("medium", 2026)
        campaigns = build_demo_surveys(org, seed=5)
        _tidy_postgresql()
    yield org, campaigns
    with django_db_blocker.unblock():
        from tillit.org.demo import delete_organisation

        delete_organisation(org)


def test_two_closed_campaigns_with_hme_and_tillitsindex(demo):
    _org, campaigns = demo
    assert [c.name for c in campaigns[:2]] == ["Medarbetarenkät 2025", "Medarbetarenkät 2026"]
    for campaign in campaigns[:2]:
        assert campaign.status == "closed"
        assert [v.instrument.slug for v in campaign.versions()] == ["hme", "tillitsindex"]


def test_an_open_pulse_survey_publishes_participation_only(demo):
    from tillit.results.refreshing import get_snapshot

    _org, campaigns = demo
    pulse = campaigns[2]
    assert pulse.status == "open" and pulse.accepts_answers()
    snapshot = get_snapshot(pulse)
    assert snapshot.frozen_at is not None and snapshot.data["phase"] == "participation"
    rows = list(snapshot.units.all())
    assert not any(row.shown for row in rows)
    top = rows[0].data
    assert 0.25 < top["n_responded"] / top["n_invited"] < 0.65
    closed = get_snapshot(campaigns[1])
    assert closed.units.filter(shown=True).count() > 10


def test_response_rate_near_three_quarters_and_some_small_units(demo):
    _org, campaigns = demo
    latest = campaigns[1]
    invited = Invitation.objects.filter(campaign=latest).count()
    responded = Invitation.objects.filter(campaign=latest, responded=True).count()
    assert Response.objects.filter(campaign=latest).count() == responded
    assert 0.65 < responded / invited < 0.85
    per_unit = Response.objects.filter(campaign=latest).values("unit").annotate(n=Count("id"))
    assert any(row["n"] < 5 for row in per_unit)
    assert any(row["n"] >= 10 for row in per_unit)


def test_units_differ_clearly(demo):
    _org, campaigns = demo
    means = (
        Answer.objects.filter(campaign=campaigns[1], instrument="hme")
        .values("unit")
        .annotate(n=Count("id"), mean=Avg("value"))
    )
    big = [row["mean"] for row in means if row["n"] >= 90]  # ≥ 10 respondents
    assert max(big) - min(big) > 0.8
    assert 3.0 < statistics.mean(big) < 4.3


def test_trend_against_the_year_before(demo):
    _org, campaigns = demo
    overall = [
        Answer.objects.filter(campaign=c, instrument="hme").aggregate(m=Avg("value"))["m"]
        for c in campaigns
    ]
    assert overall[1] > overall[0]


def test_answers_are_complete_and_typed(demo):
    _org, campaigns = demo
    items = defaultdict(set)
    for instrument, item_id in Answer.objects.filter(campaign=campaigns[1]).values_list(
        "instrument", "item_id"
    ):
        items[instrument].add(item_id)
    assert len(items["hme"]) == 9 and len(items["tillitsindex"]) >= 21
    texts = Answer.objects.filter(campaign=campaigns[1]).exclude(text="")
    assert texts.exists() and not texts.filter(value__isnull=False).exists()
    dates = set(
        Response.objects.filter(campaign=campaigns[1]).values_list("submitted_on", flat=True)
    )
    assert len(dates) > 5
