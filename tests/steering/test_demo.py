"""The demo's registers tell their story: Fjordby's bøvl to decision, Tillby's full register."""

import pytest

from tillit.org.demo import build_demo
from tillit.steering import burden
from tillit.steering.models import BovlReport, Decision, Measurement, Signal

pytestmark = pytest.mark.django_db


def test_demo_registers(db):
    build_demo("small")
    tillby = Signal.objects.filter(organisation__slug="tillby")
    # The small tree has fewer förvaltningar; the default (medium) demo holds 121 signals.
    assert tillby.count() >= 50
    assert tillby.filter(kind="indicator", serves__isnull=False).exists()
    fjordby = Signal.objects.filter(organisation__slug="fjordby")
    decisions = Decision.objects.filter(signal__organisation__slug="fjordby")
    assert set(decisions.values_list("outcome", flat=True)) == {"simplify", "remove", "escalate"}
    assert all(d.reason for d in decisions)
    measurement = Measurement.objects.get(signal__organisation__slug="fjordby")
    assert measurement.hours_freed == 450  # (12 − 3) min × 15 people × 200 days / 60
    reports = BovlReport.objects.filter(organisation__slug="fjordby")
    assert reports.filter(reporter__isnull=True).count() == 3
    assert reports.filter(reporter__isnull=False).count() == 1
    assert fjordby.filter(status="proposed").count() == 1
    org = fjordby.first().organisation
    freed = dict(burden.hours_freed_by_level(org))
    assert sum(freed.values()) == pytest.approx(450 + 64)  # measured + the removed report
    assert sum(burden.totals(tillby.first().organisation).values()) > 1000
