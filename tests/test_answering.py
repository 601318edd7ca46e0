"""Answering through the link: pages, drafts, skip logic, errors, submit once, status pages."""

import datetime as dt

import pytest
from django.utils import timezone

from tillit.surveys import actions
from tillit.surveys.models import Answer, Draft, Response

pytest_plugins = ["tests.test_surveys_support"]
pytestmark = pytest.mark.django_db


def page_one(client, link, **answers):
    data = {"page": 0, "action": "next", **{f"a:{k}": v for k, v in answers.items()}}
    return client.post(link, data)


def test_first_page_in_swedish_with_progress_and_fieldsets(client, link):
    response = client.get(link)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'lang="sv"' in html
    assert "Sida 1 av 3" in html
    assert "<legend>Jag trivs på jobbet." in html
    assert html.count('type="radio" name="a:q1"') == 5
    assert response["Cache-Control"].startswith("max-age=0")


def test_invitation_language_and_switch_limited_to_campaign_languages(client, launched):
    _campaign, tokens = launched
    link = f"/s/{tokens['h2@testby.se']}/"  # Henrik's language is Danish
    assert "Jeg trives på arbejdet." in client.get(link).content.decode()
    client.post(link, {"page": 0, "action": "language", "language": "sv"})
    assert "Jag trivs på jobbet." in client.get(link).content.decode()
    client.post(link, {"page": 0, "action": "language", "language": "en"})  # not offered
    assert "Jag trivs på jobbet." in client.get(link).content.decode()


def test_each_page_is_saved_and_the_link_resumes(client, link):
    response = page_one(client, link, q1="4", q2="")
    assert response.status_code == 302 and response["Location"].endswith("?p=1")
    draft = Draft.objects.get()
    assert draft.answers == {"testenkat": {"q1": "4", "q2": ""}} and draft.page == 1
    # A new browser (no cookies) opening the same link resumes on page 2.
    client.cookies.clear()
    html = client.get(link).content.decode()
    assert "Sida 2 av 3" in html
    html = client.get(link + "?p=0").content.decode()
    assert 'value="4" checked' in html


def test_missing_required_answer_is_named_and_nothing_is_saved(client, link):
    response = page_one(client, link, q2="3")
    assert response.status_code == 400
    assert "Frågan måste besvaras" in response.content.decode() or "måste" in (
        response.content.decode()
    )
    assert not Draft.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [("q1", "9", "9"), ("q1", "abc", "1"), ("q6", "x" * 51, "50")],
)
def test_bad_values_get_a_clear_message_and_change_nothing(client, link, field, value, message):
    page = 1 if field == "q6" else 0
    data = {"page": page, "action": "next", f"a:{field}": value}
    if page == 0:
        data.setdefault("a:q1", "3")
    response = client.post(link, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Draft.objects.exists()


def test_unknown_item_id_is_refused(client, link):
    response = client.post(link, {"page": 0, "action": "next", "a:q1": "3", "a:hack": "1"})
    assert response.status_code == 400
    assert not Draft.objects.exists()


def test_text_limit_is_stated_next_to_the_field(client, link):
    html = client.get(link + "?p=1").content.decode()
    assert "Högst 50 tecken" in html


def test_skip_logic_asks_the_follow_up_on_the_same_page(client, link):
    page_one(client, link, q1="3")
    response = client.post(link, {"page": 1, "action": "next", "a:q3": "nej"})
    assert response["Location"].endswith("?p=2")  # q4 stays hidden
    response = client.post(link, {"page": 1, "action": "next", "a:q3": "ja"})
    assert response["Location"].endswith("?p=1")  # q4 appeared: ask it first
    assert 'name="a:q4"' in client.get(link + "?p=1").content.decode()


def answer_all(client, link):
    page_one(client, link, q1="4")
    client.post(
        link, {"page": 1, "action": "next", "a:q3": "nej", "a:q5": ["a", "b"], "a:q6": "Hej"}
    )
    html = client.get(link).content.decode()
    assert "Sida 3 av 3" in html
    key = html.split('name="idempotency_key" value="')[1].split('"')[0]
    return key


def test_review_keeps_the_same_key_on_refresh(client, link):
    key = answer_all(client, link)
    assert answer_all(client, link) == key


def test_submit_twice_stores_one_response_and_thanks_both_times(client, link):
    key = answer_all(client, link)
    first = client.post(link + "submit/", {"idempotency_key": key})
    second = client.post(link + "submit/", {"idempotency_key": key})
    assert first.status_code == second.status_code == 200
    assert "Tack för dina svar" in first.content.decode()
    assert "Tack för dina svar" in second.content.decode()
    assert Response.objects.count() == 1
    assert set(Answer.objects.values_list("item_id", flat=True)) == {"q1", "q3", "q5", "q6"}
    assert "redan svarat" in client.get(link).content.decode()


def test_submit_with_missing_answers_shows_the_review_with_errors(client, link):
    client.get(link + "?p=2")
    key = Draft.objects.get().idempotency_key
    response = client.post(link + "submit/", {"idempotency_key": str(key)})
    assert response.status_code == 400
    assert "q1" in response.content.decode()
    assert not Response.objects.exists()


def test_unknown_and_tampered_tokens_get_a_plain_404(client, link):
    assert client.get("/s/" + "A" * 43 + "/").status_code == 404
    assert client.get(link[:-2] + "/").status_code == 404
    assert client.post(link[:-2] + "/submit/", {"idempotency_key": "x"}).status_code == 404


def test_closed_and_not_yet_open_campaigns_say_so(client, launched, link):
    campaign, _tokens = launched
    campaign.opens_on = timezone.localdate() + dt.timedelta(days=2)
    campaign.closes_on = campaign.opens_on + dt.timedelta(days=2)
    campaign.save()
    assert "inte öppnat" in client.get(link).content.decode()
    campaign.opens_on = timezone.localdate() - dt.timedelta(days=5)
    campaign.save()
    actions.do_close_campaign(campaign)
    html = client.get(link).content.decode()
    assert "Enkäten är stängd" in html
    assert client.post(link, {"page": 0, "action": "next", "a:q1": "3"}).status_code == 200
    assert not Draft.objects.exists()


def test_unit_code_gives_a_one_time_link(client, launched, units):
    campaign, _tokens = launched
    campaign.code_margin = 1  # everyone of HEM has a personal link: one poster answer more
    campaign.save(update_fields=["code_margin"])
    code = actions.unit_code_for(campaign, units["HEM"])
    page = client.get(f"/s/c/{code.code.lower()}/")
    assert "Svara bara en gång" in page.content.decode()
    started = client.post(f"/s/c/{code.code}/")
    assert started.status_code == 302
    link = started["Location"]
    assert client.get(link).status_code == 200
    assert client.get("/s/c/NOPE1234/").status_code == 404
