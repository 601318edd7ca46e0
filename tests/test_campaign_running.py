"""Running a survey: preview and test links that store nothing, the schedule the task worker
keeps (reminders, closing) and that two workers never double, deleting drafts, closing after
a confirmation, and the campaign form that reads well."""

import datetime as dt
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from tests.concurrency import run_in_file_database
from tillit.core import jobs
from tillit.surveys import actions, schedule
from tillit.surveys.models import (
    Answer,
    Campaign,
    CampaignEvent,
    Draft,
    Invitation,
    Response,
)
from tillit.surveys.views.testing import preview_url

pytest_plugins = ["tests.test_surveys_support"]

ROOT = Path(__file__).resolve().parent.parent


def url(name, org, *args):
    return reverse(f"surveys:{name}", args=[org.slug, *args])


def shift(campaign, days_open: int, days_left: int) -> Campaign:
    """Make the campaign have opened `days_open` days ago and close in `days_left` days."""
    today = timezone.localdate()
    Campaign.objects.filter(pk=campaign.pk).update(
        opens_on=today - dt.timedelta(days=days_open),
        closes_on=today + dt.timedelta(days=days_left),
    )
    campaign.refresh_from_db()
    return campaign


# --- preview and test links --------------------------------------------------------------


@pytest.mark.django_db
def test_a_test_link_shows_the_questionnaire_and_stores_nothing(
    client, campaign, staff, one_section_per_page
):
    """Every page, in Danish, through to "send": no Invitation, Draft, Response or Answer."""
    link = preview_url(campaign, "da")
    first = client.get(link).content.decode()
    assert "Jeg trives på arbejdet." in first and 'lang="da"' in first
    assert "Test" in first and "gemmes ikke" in first  # the banner says nothing is stored
    client.post(link, {"page": 0, "action": "next", "a:q1": "4"})
    page_two = client.get(link).content.decode()
    assert "Arbejder du i weekenden?" in page_two  # the answer was kept (in the session)
    client.post(link, {"page": 1, "action": "next", "a:q3": "nej", "a:q6": "Fint"})
    review = client.get(link).content.decode()
    assert "Fint" in review and reverse("surveys:test_submit", args=[link.split("/")[3]]) in review
    done = client.post(link + "submit/")
    assert done.status_code == 200 and "Testen er slut" in done.content.decode()
    for model in (Invitation, Draft, Response, Answer):
        assert not model.objects.exists(), model
    # A missing required answer is refused as a real submit would refuse it, still storing nothing.
    other = preview_url(campaign, "sv")
    refused = client.post(other + "submit/")
    assert refused.status_code == 400 and "q1" in refused.content.decode()
    assert not Response.objects.exists() and not Draft.objects.exists()
    assert client.get(link[:-3] + "xx/").status_code == 404  # a tampered signature


@pytest.mark.django_db
def test_owner_previews_in_each_language_and_mails_a_test_link_to_themselves(
    client, org, campaign, admin_user, mailoutbox, _site_url
):
    client.force_login(admin_user)
    page = client.get(url("detail", org, campaign.pk)).content.decode()
    previews = [part.split('"')[0] for part in page.split('href="/s/test/')[1:]]
    assert len(previews) == 2  # Swedish and Danish
    assert "Jeg trives" in client.get("/s/test/" + previews[1]).content.decode()
    client.post(url("test_link", org, campaign.pk), {"language": "da"})
    assert [m.to for m in mailoutbox] == [[admin_user.email]]
    link = mailoutbox[0].body.split("http://testserver")[1].split()[0]
    assert "Jeg trives på arbejdet." in client.get(link).content.decode()
    assert campaign.events.filter(kind=CampaignEvent.Kind.TEST_LINK).exists()
    assert not Invitation.objects.exists()
    # A language the campaign does not offer is refused.
    client.post(url("test_link", org, campaign.pk), {"language": "nb"})
    assert len(mailoutbox) == 1


# --- the schedule --------------------------------------------------------------------------


@pytest.mark.django_db
def test_reminders_on_their_days_once_and_closing_after_the_closing_date(
    campaign, mailoutbox, _site_url
):
    campaign.reminder_days = [7, 12]
    campaign.save()
    actions.do_launch_campaign(campaign)
    invited = len(mailoutbox)
    assert invited == 3
    assert schedule.run_schedule() == {"reminded": 0, "closed": 0}  # day 0
    shift(campaign, 7, 7)
    assert schedule.run_schedule()["reminded"] == 1
    assert len(mailoutbox) == 2 * invited
    assert schedule.run_schedule()["reminded"] == 0  # the tick is idempotent
    shift(campaign, 13, 1)  # day 12 has passed too
    assert schedule.run_schedule()["reminded"] == 1
    assert schedule.run_schedule()["reminded"] == 0
    assert len(mailoutbox) == 3 * invited
    shift(campaign, 14, 0)  # the closing date: answers are still taken today
    assert schedule.run_schedule() == {"reminded": 0, "closed": 0}
    shift(campaign, 15, -1)
    assert jobs.tick()["surveys.schedule"] == {"reminded": 0, "closed": 1}  # the worker's tick
    campaign.refresh_from_db()
    assert campaign.status == "closed" and campaign.closed_at is not None
    assert campaign.events.filter(kind="reminded").count() == 2


@pytest.mark.django_db
def test_a_late_launch_skips_past_reminders_and_a_down_worker_sends_one_not_a_burst(
    campaign, mailoutbox, _site_url
):
    campaign.reminder_days = [2, 5, 9]
    campaign.opens_on = timezone.localdate() - dt.timedelta(days=3)
    campaign.save()
    actions.do_launch_campaign(campaign)  # day 3: the day-2 reminder is not sent after launch
    assert schedule.run_schedule()["reminded"] == 0 and len(mailoutbox) == 3
    shift(campaign, 10, 4)  # the worker was down over days 5 and 9
    assert schedule.run_schedule()["reminded"] == 1 and len(mailoutbox) == 6
    assert schedule.run_schedule()["reminded"] == 0
    campaign.refresh_from_db()
    lines = schedule.planned(campaign)
    assert [line.done for line in lines] == [True, True, True, True, False]
    assert "before the launch" in lines[1].what


@pytest.mark.django_db
def test_the_campaign_page_shows_the_schedule_and_a_closed_campaign_its_results_link(
    client, org, campaign, admin_user, mailoutbox
):
    campaign.reminder_days = [7, 12]
    campaign.save()
    client.force_login(admin_user)
    page = client.get(url("detail", org, campaign.pk)).content.decode()
    schedule_html = page.split('id="schedule"')[1].split("</ul>")[0]
    day7 = campaign.opens_on + dt.timedelta(days=7)
    assert day7.strftime("%m/%d/%Y") in schedule_html  # English short dates
    assert "Closes automatically" in schedule_html
    actions.do_launch_campaign(campaign)
    # Closing asks first: the GET only asks, the POST closes.
    ask = client.get(url("close", org, campaign.pk))
    assert "Close now" in ask.content.decode()
    campaign.refresh_from_db()
    assert campaign.status == "open"
    client.post(url("close", org, campaign.pk))
    campaign.refresh_from_db()
    assert campaign.status == "closed"
    page = client.get(url("detail", org, campaign.pk)).content.decode()
    assert reverse("results:overview", args=[org.slug, campaign.pk]) in page
    assert "Closed " + timezone.localtime(campaign.closed_at).strftime("%m/%d/%Y") in page


@pytest.mark.django_db
def test_a_draft_can_be_deleted_after_asking_and_a_launched_one_cannot(
    client, org, campaign, admin_user, mailoutbox, test_version
):
    client.force_login(admin_user)
    assert "Delete the draft" in client.get(url("delete", org, campaign.pk)).content.decode()
    assert Campaign.objects.filter(pk=campaign.pk).exists()
    client.post(url("delete", org, campaign.pk))
    assert not Campaign.objects.filter(pk=campaign.pk).exists()
    launched = actions.do_save_campaign(
        Campaign(
            organisation=org,
            name="Open",
            target_unit=campaign.target_unit,
            opens_on=campaign.opens_on,
            closes_on=campaign.closes_on,
        ),
        [test_version],
    )
    actions.do_launch_campaign(launched)
    response = client.post(url("delete", org, launched.pk))
    assert response.status_code == 302 and Campaign.objects.filter(pk=launched.pk).exists()


# --- two workers ----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_workers_ticking_at_once_send_one_reminder_and_close_once(tmp_path):
    if connection.vendor == "sqlite":  # a file database, where writers wait for each other
        result = run_in_file_database("tests.schedule_race", [], tmp_path, timeout=120)
    else:
        from tests.schedule_race import two_workers_scenario

        result = two_workers_scenario()
    assert result["mails"] == 3, result  # three people, one reminder each
    assert result["reminded"] == 1 and result["links"] == 3, result
    assert result["closed"] == 1 and result["status"] == "closed", result
    assert sorted(r["reminded"] for r in result["results"]) == [0, 1], result
