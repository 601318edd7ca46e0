"""An organisation with results, an action and a steering signal, and tokens to read it."""

import datetime as dt
import json

import pytest

from tests.test_results_helpers import answer, make_campaign
from tillit.identity.actions import do_create_token
from tillit.identity.models import ApiToken
from tillit.programmes.models import Artefact
from tillit.steering import actions as steering
from tillit.steering.models import Signal

ALL = [choice for choice, _label in ApiToken.Scope.choices]


@pytest.fixture
def world(org, units, other_org):
    """Testby with a closed campaign's answers, an action and a signal; Annanstad beside it."""
    campaign = make_campaign(org, units["K"])
    answer(campaign, units["HEM"], [4, 4, 3, 5, 4, 4])
    answer(campaign, units["BUF"], [2, 3, 3, 2, 3, 3, 4])
    make_campaign(other_org, other_org.units.get(), name="Annanstad 2026")
    Artefact.objects.create(
        organisation=org,
        kind="action",
        title="Kortare möten",
        unit=units["HEM"],
        owner_email="chef.hem@testby.se",
        due_date=dt.date(2026, 9, 1),
        status="open",
    )
    Artefact.objects.create(
        organisation=org, kind="action", title="Ny rutin", unit=units["BUF"], status="open"
    )
    values = {
        "title": "Månadsrapport",
        "kind": "report",
        "issuer_level": "administration",
        "frequency": 12,
        "minutes": 30,
        "performers_kind": "people",
        "performers": 1,
        "status": Signal.Status.ACTIVE,
    }
    steering.do_create_signal(org, values, [units["SOC"]], None)
    return campaign


@pytest.fixture
def api(client):
    """`api(secret)("get", "/units")` – JSON requests with a bearer token."""

    def with_token(secret: str):
        def call(method: str, path: str, body=None):
            return getattr(client, method)(
                "/api/v1" + path,
                body if isinstance(body, bytes | None) else json.dumps(body),
                content_type="application/json",
                headers={"Authorization": f"Bearer {secret}"},
            )

        return call

    return with_token


@pytest.fixture
def whole(org):
    return do_create_token(org, "Intranät", ALL)[1]
