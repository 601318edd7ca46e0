"""An employee's home page says which open survey waits for their answer, and mails them a
new link on request; nobody else learns anything of it."""

import datetime as dt
import uuid

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from tests.conftest import PASSWORD, make_user
from tests.test_surveys_support import GOOD, LINK
from tillit.surveys import actions, responding
from tillit.surveys.models import Invitation, ReminderLink, Response, hash_token

pytest_plugins = ["tests.test_surveys_support"]
pytestmark = pytest.mark.django_db


def logged_in(email: str, language: str = "en") -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    assert client.login(username=email, password=PASSWORD)
    return client


@pytest.fixture
def people(staff):
    """Accounts for Hanna and Henrik (HEM, invited) and Bea (BUF, not invited)."""
    for email in ("h1@testby.se", "h2@testby.se", "b@testby.se"):
        make_user(email)
    return staff


def overview(client: Client) -> str:
    response = client.get(reverse("org:overview", args=["testby"]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_person_sees_the_survey_that_waits_for_them_until_they_answer(
    launched, people, mailoutbox
):
    campaign, tokens = launched
    page = overview(logged_in("h1@testby.se"))
    closes = campaign.closes_on
    assert "The survey Enkät 2026 waits for your answer." in page
    assert f"It is open until {date_format(closes, 'DATE_FORMAT')}." in page
    assert reverse("surveys:my_link", args=["testby", campaign.pk]) in page
    assert "Send my link again" in page

    responding.do_submit(tokens["h1@testby.se"], uuid.uuid4(), GOOD)
    page = overview(logged_in("h1@testby.se"))
    assert "Enkät 2026" not in page
    assert "Send my link again" not in page


def test_nobody_else_sees_whether_a_colleague_answered(launched, people, admin_user):
    _campaign, tokens = launched
    responding.do_submit(tokens["h1@testby.se"], uuid.uuid4(), GOOD)
    # Bea was not invited: nothing of the survey on her page.
    assert "Enkät 2026" not in overview(logged_in("b@testby.se"))
    # Henrik sees his own invitation, once, and nothing of Hanna's.
    henrik = overview(logged_in("h2@testby.se"))
    assert henrik.count("waits for your answer") == 1
    assert "h1@testby.se" not in henrik and "Hanna" not in henrik
    # The process owner sees the rate as before, and no waiting-for-you step of anyone's.
    owner = overview(logged_in("admin@testby.se"))
    assert "waits for your answer" not in owner
    assert "1 of 3" in owner


def test_the_closing_date_is_in_the_pages_language(launched, people):
    campaign, _tokens = launched
    campaign.closes_on = dt.date(timezone.localdate().year + 1, 3, 5)
    campaign.save(update_fields=["closes_on"])
    year = campaign.closes_on.year
    danish = overview(logged_in("h1@testby.se", "da"))
    assert f"Undersøgelsen Enkät 2026 venter på dit svar. Den er åben til 5. marts {year}." in (
        danish
    )
    assert "Send mit link igen" in danish
    swedish = overview(logged_in("h1@testby.se", "sv"))
    assert f"Enkäten Enkät 2026 väntar på ditt svar. Den är öppen till 5 mars {year}." in swedish
    assert "Skicka min länk igen" in swedish


def test_closed_or_not_yet_open_surveys_do_not_wait(launched, people):
    campaign, _tokens = launched
    campaign.opens_on = timezone.localdate() + dt.timedelta(days=1)
    campaign.save(update_fields=["opens_on"])
    assert "waits for your answer" not in overview(logged_in("h1@testby.se"))
    campaign.opens_on = timezone.localdate()
    campaign.save(update_fields=["opens_on"])
    assert "waits for your answer" in overview(logged_in("h1@testby.se"))
    actions.do_close_campaign(campaign)
    assert "waits for your answer" not in overview(logged_in("h1@testby.se"))


def test_send_my_link_again_mails_a_fresh_working_link_to_that_person_only(
    launched, people, mailoutbox
):
    campaign, _tokens = launched
    mailoutbox.clear()
    url = reverse("surveys:my_link", args=["testby", campaign.pk])
    client = logged_in("h1@testby.se")
    assert client.get(url).status_code == 405  # POST only
    response = client.post(url, follow=True)
    assert "A new link was sent to h1@testby.se." in response.content.decode()
    [mail] = mailoutbox
    assert mail.to == ["h1@testby.se"]
    token = LINK.search(mail.body).group(1)
    invitation = Invitation.objects.get(person__email="h1@testby.se")
    assert ReminderLink.objects.get(token_hash=hash_token(token)).invitation == invitation
    assert responding.find_invitation(token) == invitation
    # The first link is not shown anywhere, and no campaign event names who asked.
    assert not campaign.events.filter(kind="reminded").exists()
    responding.do_submit(token, uuid.uuid4(), GOOD)
    assert Response.objects.count() == 1


def test_send_my_link_again_is_limited_and_refused_once_answered(launched, people, mailoutbox):
    campaign, tokens = launched
    mailoutbox.clear()
    url = reverse("surveys:my_link", args=["testby", campaign.pk])
    client = logged_in("h1@testby.se")
    for _ in range(actions.MY_LINK_LIMIT):
        client.post(url)
    page = client.post(url, follow=True).content.decode()
    assert "several times in the last hour" in page
    assert len(mailoutbox) == actions.MY_LINK_LIMIT

    # Henrik answers; asking again sends nothing and says so without a difference to others.
    responding.do_submit(tokens["h2@testby.se"], uuid.uuid4(), GOOD)
    mailoutbox.clear()
    henrik = logged_in("h2@testby.se").post(url, follow=True).content.decode()
    bea = logged_in("b@testby.se").post(url, follow=True).content.decode()
    message = "No survey waits for your answer there"
    assert message in henrik and message in bea
    assert mailoutbox == []


def test_only_members_can_ask_and_only_in_their_organisation(launched, people, outsider_user):
    campaign, _tokens = launched
    url = reverse("surveys:my_link", args=["testby", campaign.pk])
    assert logged_in("admin@annanstad.se").post(url).status_code == 404
    assert Client().post(url).status_code == 302  # to the login page
