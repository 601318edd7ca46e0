"""Poster codes cannot lift a unit (issue 12, attack 6).

The attack: a unit with one real respondent, lifted to n = 5 by four answers of the attacker's
own through the unit's poster code, publishes 5 × mean − 4 × (own answers) = the real person's
answers. A code now hands out no more links than the unit's headcount in the organisation file
leaves beyond its personal links (plus the campaign's margin), one per device, a limited number
per client address, and its answers are counted apart from the response rate.
"""

import uuid

import pytest
from django.test import Client

from tests.conftest import launched_with_k
from tests.test_surveys_support import GOOD, make_campaign, tokens_in
from tillit.core.models import Counter
from tillit.org.models import Person, Unit
from tillit.surveys import actions, responding
from tillit.surveys.models import Invitation, Response
from tillit.surveys.participation import response_rates

pytest_plugins = ["tests.test_surveys_support"]
pytestmark = pytest.mark.django_db


@pytest.fixture
def team(org, units, staff, test_version, mailoutbox, _site_url):
    """A team of one under SOC, in a launched campaign over SOC: (campaign, team, tokens)."""
    team = Unit.objects.create(
        organisation=org, external_id="TEAM", name="Team", parent=units["SOC"]
    )
    Person.objects.create(organisation=org, email="real@testby.se", name="Real", unit=team)
    campaign = make_campaign(org, units["SOC"], [test_version])
    actions.do_launch_campaign(campaign)
    campaign.refresh_from_db()
    return campaign, team, tokens_in(mailoutbox)


def join(org, team, count: int) -> None:
    """People who joined the team after the launch: in the file, without a personal link."""
    for n in range(count):
        Person.objects.create(
            organisation=org, email=f"new{n}@testby.se", name=f"New {n}", unit=team
        )


def start(code: str, client: Client | None = None, **extra):
    """A POST to the code's page, from a fresh device unless a client is given."""
    return (client or Client()).post(f"/s/c/{code}/", **extra)


def poster_links(campaign, team) -> int:
    return Invitation.objects.filter(campaign=campaign, unit=team, via_code=True).count()


def test_a_unit_of_one_cannot_be_lifted_over_k_by_poster_answers(org, team):
    campaign, team, tokens = team
    code = actions.unit_code_for(campaign, team).code
    assert responding.do_submit(tokens["real@testby.se"], uuid.uuid4(), GOOD)
    # The team of one: its member has a personal link, so the code has nothing to give.
    refused = start(code)
    assert refused.status_code == 200
    assert "Koden har inga fler länkar att dela ut" in refused.content.decode()
    assert poster_links(campaign, team) == 0
    # Three people join the team (no personal link): three poster links, and the fifth link
    # of the team – the attacker's fourth own answer – is refused.
    join(org, team, 3)
    links = [start(code)["Location"] for _ in range(3)]
    assert all("/s/" in link for link in links)
    fourth = start(code)
    assert "Koden har inga fler länkar att dela ut" in fourth.content.decode()
    assert poster_links(campaign, team) == 3
    for link in links:
        token = link.strip("/").split("/")[-1]
        assert responding.do_submit(token, uuid.uuid4(), GOOD) == responding.Submitted.STORED
    assert Response.objects.filter(campaign=campaign, unit=team).count() == 4 < campaign.k


def test_the_cap_is_headcount_beyond_personal_links_plus_the_margin(org, team):
    campaign, team, _tokens = team
    join(org, team, 2)
    Person.objects.create(  # inactive people are not staff
        organisation=org, email="left@testby.se", name="Left", unit=team, active=False
    )
    Unit.objects.create(organisation=org, external_id="SUB", name="Sub", parent=team)
    Person.objects.create(  # a sub-unit's staff have their own unit's code
        organisation=org,
        email="sub@testby.se",
        name="Sub",
        unit=Unit.objects.get(external_id="SUB"),
    )
    unit_code = actions.unit_code_for(campaign, team)
    capacity = actions.code_capacity(unit_code)
    assert (capacity.members, capacity.personal, capacity.margin) == (3, 1, 0)
    assert capacity.limit == capacity.left == 2
    campaign.code_margin = 2
    campaign.save(update_fields=["code_margin"])
    unit_code.refresh_from_db()
    assert actions.code_capacity(unit_code).limit == 4
    assert all(start(unit_code.code).status_code == 302 for _ in range(4))
    assert "inga fler länkar" in start(unit_code.code).content.decode()
    assert poster_links(campaign, team) == 4
    assert actions.code_capacity(unit_code).left == 0


def test_the_same_device_gets_the_same_link(org, team):
    campaign, team, _tokens = team
    join(org, team, 3)
    code = actions.unit_code_for(campaign, team).code
    phone = Client()
    first = start(code, phone)
    assert first.status_code == 302
    assert start(code.lower(), phone)["Location"] == first["Location"]  # a second visit
    assert poster_links(campaign, team) == 1
    # A used link is still the device's: its page says it has answered, nothing new is made.
    token = first["Location"].strip("/").split("/")[-1]
    responding.do_submit(token, uuid.uuid4(), GOOD)
    again = start(code, phone)
    assert again["Location"] == first["Location"]
    assert "redan svarat" in phone.get(again["Location"]).content.decode()
    assert poster_links(campaign, team) == 1
    # A forged cookie is not the device's link: a new one is made.
    forged = Client()
    forged.cookies[f"tillit_code_{code}"] = token
    assert start(code, forged)["Location"] != first["Location"]
    assert poster_links(campaign, team) == 2


def test_new_links_are_limited_per_client_address(org, team, settings):
    campaign, team, _tokens = team
    join(org, team, 10)
    settings.CODE_THROTTLE_LINKS = 2
    code = actions.unit_code_for(campaign, team).code
    assert [start(code).status_code for _ in range(2)] == [302, 302]
    busy = start(code)
    assert busy.status_code == 429
    assert "För många nya länkar" in busy.content.decode()
    assert poster_links(campaign, team) == 2
    assert start(code, REMOTE_ADDR="192.0.2.7").status_code == 302  # another client
    # The count is kept in the database's counters under a hash, not the address.
    keys = list(Counter.objects.values_list("key", flat=True))
    assert keys and not any("127.0.0.1" in key or "192.0.2.7" in key for key in keys)
    Counter.objects.all().delete()  # the window has passed
    assert start(code).status_code == 302


def test_poster_answers_are_counted_apart_from_the_response_rate(org, team):
    from tillit.results.pages import rate
    from tillit.results.publishing import build_published_result

    campaign, team, tokens = team
    join(org, team, 2)
    code = actions.unit_code_for(campaign, team).code
    for _ in range(2):
        token = start(code)["Location"].strip("/").split("/")[-1]
        responding.do_submit(token, uuid.uuid4(), GOOD)
    responding.do_submit(tokens["real@testby.se"], uuid.uuid4(), GOOD)
    responding.do_submit(tokens["s@testby.se"], uuid.uuid4(), GOOD)
    launched_with_k(campaign, 3)  # live counts need k invited
    rows = {row.unit.external_id: row for row in response_rates(campaign, None)}
    assert not rows["TEAM"].shown  # one invited: counted in SOC, never on its own
    assert (rows["SOC"].invited, rows["SOC"].responded, rows["SOC"].via_code) == (4, 2, 2)
    actions.do_close_campaign(campaign)
    campaign.refresh_from_db()
    units = {u["id"]: u for u in build_published_result(campaign)["units"]}
    soc = units["SOC"]
    assert (soc["n_invited"], soc["n_answered_invited"], soc["n_via_code"]) == (4, 2, 2)
    assert soc["n_responded"] == 4  # every answer still counts in the figures
    assert rate(soc) == 50  # 2 of 4 personal links, not 4 of 6
    older = {k: v for k, v in soc.items() if k not in ("n_answered_invited", "n_via_code")}
    assert rate(older) is None  # a snapshot stored before: its count mixed both kinds


def test_the_process_owner_is_told_the_weaker_guarantee_and_the_staff_are_not(
    client, org, admin_user, team
):
    campaign, team, _tokens = team
    join(org, team, 2)
    client.force_login(admin_user)
    poster = f"/o/{org.slug}/surveys/{campaign.pk}/poster/{team.pk}/"
    html = client.get(poster).content.decode()
    assert "has no poster code in this survey yet" in html
    assert not campaign.unit_codes.exists()  # looking makes no code: a POST does
    html = client.post(poster, follow=True).content.decode()
    assert "cannot tell whether an answer came from the unit" in html
    assert "3 staff, 1 personal links, margin 0, so 2 links, of which 2 are left" in html
    code = campaign.unit_codes.get().code
    staff_page = Client().get(f"/s/c/{code}/").content.decode()
    assert "kan inte avgöra" not in staff_page and "marginal" not in staff_page
