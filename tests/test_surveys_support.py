"""Fixtures shared by the survey tests (imported by name; this module has no tests)."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import timezone

from tillit.instruments.loading import install, load_yaml
from tillit.org.models import Person
from tillit.surveys import actions, questionnaire
from tillit.surveys.models import Campaign

TEST_INSTRUMENT = Path(__file__).resolve().parent / "data" / "surveys_test_instrument.yaml"
LINK = re.compile(r"http://testserver/s/([A-Za-z0-9_-]{43})/")


def tokens_in(mailoutbox) -> dict[str, str]:
    """{recipient: token} from the mails sent."""
    return {m.to[0]: LINK.search(m.body).group(1) for m in mailoutbox}


@pytest.fixture
def test_version(db):
    version, _created = install(load_yaml(TEST_INSTRUMENT.read_bytes()))
    return version


@pytest.fixture
def staff(org, units):
    """Two people in HEM, one in SOC, one in BUF, one inactive in HEM, one in another org."""
    people = {
        "hem1": Person.objects.create(
            organisation=org,
            email="h1@testby.se",
            name="Hanna Ett",
            unit=units["HEM"],
            birth_year=1980,
            start_date=dt.date(2015, 1, 1),
        ),
        "hem2": Person.objects.create(
            organisation=org,
            email="h2@testby.se",
            name="Henrik Två",
            unit=units["HEM"],
            language="da",
        ),
        "soc": Person.objects.create(
            organisation=org, email="s@testby.se", name="Sven Soc", unit=units["SOC"]
        ),
        "buf": Person.objects.create(
            organisation=org, email="b@testby.se", name="Bea Buf", unit=units["BUF"]
        ),
        "gone": Person.objects.create(
            organisation=org,
            email="g@testby.se",
            name="Gustav Gått",
            unit=units["HEM"],
            active=False,
        ),
    }
    return people


@pytest.fixture
def _site_url(settings):
    # Links in e-mails point at the test client's host. Not autouse: the modules that use
    # these fixtures load them with pytest_plugins, which makes them global.
    settings.SITE_URL = "http://testserver"


def make_campaign(org, target, versions, **fields) -> Campaign:
    today = timezone.localdate()
    campaign = Campaign(
        organisation=org,
        name=fields.pop("name", "Enkät 2026"),
        target_unit=target,
        opens_on=fields.pop("opens_on", today),
        closes_on=fields.pop("closes_on", today + dt.timedelta(days=14)),
        languages=fields.pop("languages", ["sv", "da"]),
        **fields,
    )
    return actions.do_save_campaign(campaign, versions)


@pytest.fixture
def campaign(org, units, staff, test_version):
    """A draft over SOC's subtree (SOC + HEM) with the test instrument."""
    return make_campaign(org, units["SOC"], [test_version])


@pytest.fixture
def one_section_per_page(monkeypatch):
    """Each section on a page of its own, as for a long instrument.

    The small test instrument would otherwise fit one page (questionnaire.ONE_PAGE_WEIGHT);
    these tests are about moving between pages. The one-page path has its own tests.
    """
    monkeypatch.setattr(questionnaire, "ONE_PAGE_WEIGHT", 1)


@pytest.fixture
def launched(campaign, mailoutbox, _site_url, one_section_per_page):
    """The campaign launched, one section per page; returns (campaign, {email: token})."""
    actions.do_launch_campaign(campaign)
    campaign.refresh_from_db()
    return campaign, tokens_in(mailoutbox)


@pytest.fixture
def link(launched):
    """Sven's answering link in the launched campaign."""
    _campaign, tokens = launched
    return f"/s/{tokens['s@testby.se']}/"


GOOD = {"testenkat": {"q1": 4, "q2": 5, "q3": "ja", "q4": 2, "q5": ["a", "b"], "q6": "Bra"}}
