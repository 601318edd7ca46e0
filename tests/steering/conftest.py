"""Steering fixtures: staff in the Testby tree, the secretariat and the board, three signals."""

from decimal import Decimal

import pytest

from tests.conftest import make_user
from tillit.org.models import Person
from tillit.steering import actions
from tillit.steering.models import Signal, SteeringRole

# Active staff per unit (external id): the figures the hand-worked examples use.
STAFF = {"K": 1, "SOC": 2, "HEM": 4, "BUF": 3}


@pytest.fixture
def staffed(org, units):
    """Ten people: K 1, SOC 2, HEM 4, BUF 3 (one inactive person in HEM, who must not count)."""
    for ext, count in STAFF.items():
        for i in range(count):
            Person.objects.create(
                organisation=org,
                email=f"p{i}.{ext.lower()}@testby.se",
                name=f"P{i}",
                unit=units[ext],
            )
    Person.objects.create(
        organisation=org, email="gone@testby.se", name="Gone", unit=units["HEM"], active=False
    )
    return units


@pytest.fixture
def secretariat_user(org):
    SteeringRole.objects.create(organisation=org, email="sekr@testby.se", role="secretariat")
    return make_user("sekr@testby.se", name="Sekretariatet")


@pytest.fixture
def board_user(org):
    SteeringRole.objects.create(organisation=org, email="board@testby.se", role="board")
    return make_user("board@testby.se", name="Nämnden")


def signal(org, units, title, *, kind="report", people=None, share=None, freq, minutes, hit):
    """A signal in force through the action, as the register's forms create them."""
    values = {
        "title": title,
        "kind": kind,
        "issuer_level": "administration",
        "frequency": Decimal(str(freq)),
        "minutes": Decimal(str(minutes)),
        "performers_kind": "share" if share is not None else "people",
        "performers": Decimal(str(share if share is not None else people)),
        "status": Signal.Status.ACTIVE,
    }
    return actions.do_create_signal(org, values, [units[u] for u in hit], None)


@pytest.fixture
def signals(org, staffed):
    """A: 1 person per unit, monthly, 30 min, on SOC's subtree.
    B: half the staff, every working day (220), 10 min, on HEM.
    C: 3 people per unit, quarterly, 60 min, on the whole tree and (again) on SOC."""
    u = staffed
    return {
        "A": signal(
            org, u, "Månadsrapport", kind="report", people=1, freq=12, minutes=30, hit=["SOC"]
        ),
        "B": signal(
            org, u, "Tidregistrering", kind="time", share=50, freq=220, minutes=10, hit=["HEM"]
        ),
        "C": signal(
            org, u, "APT-protokoll", kind="meeting", people=3, freq=4, minutes=60, hit=["K", "SOC"]
        ),
    }
