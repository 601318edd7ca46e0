"""Answering through the link: pages, drafts, skip logic, errors, submit once, status pages."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.test_surveys_support import make_campaign, tokens_in
from tillit.instruments.shipped import install_shipped
from tillit.surveys import actions
from tillit.surveys.models import Answer, Draft, Response
from tillit.surveys.questionnaire import build_questionnaire

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
    # The next page comes in the response itself (no redirect round trip), naming its address.
    assert response.status_code == 200
    html = response.content.decode()
    assert "Sida 2 av 3" in html and 'data-page-url="?p=1"' in html
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
    assert "Sida 3 av 3" in response.content.decode()  # q4 stays hidden: on to the review
    response = client.post(link, {"page": 1, "action": "next", "a:q3": "ja"})
    html = response.content.decode()
    assert "Sida 2 av 3" in html and 'name="a:q4"' in html  # q4 appeared: ask it first


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
    for page in (first, second):  # not kept by a browser or a proxy: a shared phone
        assert page["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"
        assert page["Expires"].endswith(" GMT")
    assert Response.objects.count() == 1
    assert set(Answer.objects.values_list("item_id", flat=True)) == {"q1", "q3", "q5", "q6"}
    assert "redan svarat" in client.get(link).content.decode()


def test_submit_with_missing_answers_shows_the_review_with_errors(client, link):
    client.get(link + "?p=2")
    key = Draft.objects.get().idempotency_key
    response = client.post(link + "submit/", {"idempotency_key": str(key)})
    assert response.status_code == 400
    assert "no-store" in response["Cache-Control"]
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


@pytest.fixture
def shipped(db):
    return {v.instrument.slug: v for v, _new in install_shipped()}


@pytest.fixture
def hme_link(org, units, staff, shipped, mailoutbox, _site_url):
    """Sven's link in a launched HME campaign (the instrument as shipped)."""
    campaign = make_campaign(org, units["SOC"], [shipped["hme"]])
    actions.do_launch_campaign(campaign)
    return f"/s/{tokens_in(mailoutbox)['s@testby.se']}/", shipped["hme"].definition


def test_a_short_instrument_is_one_page_and_next_brings_the_review(client, hme_link):
    link, definition = hme_link
    html = client.get(link).content.decode()
    assert "Sida 1 av 2" in html
    # HME's three sections on one page, each under its heading.
    assert html.count('<h2 class="answer-section">') == 3
    assert html.count("<fieldset") == 9
    items = [i["id"] for section in definition["sections"] for i in section["items"]]
    data = {"page": 0, "action": "next", **{f"a:{item}": "4" for item in items}}
    response = client.post(link, data)
    assert response.status_code == 200  # the review itself, not a redirect to it
    html = response.content.decode()
    assert "Sida 2 av 2" in html and 'data-page-url="?p=1"' in html
    key = html.split('name="idempotency_key" value="')[1].split('"')[0]
    # A reload sends the page again: the same answers saved again, the same key, one draft.
    again = client.post(link, data).content.decode()
    assert f'value="{key}"' in again
    assert Draft.objects.count() == 1
    thanks = client.post(link + "submit/", {"idempotency_key": key})
    assert thanks.status_code == 200
    assert Response.objects.count() == 1 and Answer.objects.count() == 9


def test_a_bad_answer_on_the_one_page_keeps_the_others(client, hme_link):
    link, definition = hme_link
    items = [i["id"] for section in definition["sections"] for i in section["items"]]
    data = {"page": 0, "action": "next", **{f"a:{item}": "4" for item in items}}
    data[f"a:{items[-1]}"] = "9"
    response = client.post(link, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert html.count('value="4" checked') == 8  # nothing chosen is lost
    assert not Draft.objects.exists()


def test_a_long_instrument_is_split_where_a_page_is_full(org, units, shipped):
    campaign = make_campaign(org, units["SOC"], [shipped["tillitsindex"], shipped["hme"]])
    pages = build_questionnaire(campaign, None).pages
    weights = [len(page.item_ids) for page in pages if page.kind == "section"]
    # Tillitsindex's eight sections of 2–3 items in pages of at most ten, then HME's one.
    assert weights == [9, 9, 5, 9]
    assert all(p.instrument == "hme" for p in pages[3:4])
    assert [p.kind for p in pages[4:]] == ["review"]


def test_the_link_lookup_leaves_the_organisations_settings_unread(link):
    from tillit.surveys.models import hash_token
    from tillit.surveys.storing import read_link

    token = link.strip("/").rsplit("/", 1)[1]
    organisation = read_link(hash_token(token)).campaign.organisation
    assert "created_at" in organisation.get_deferred_fields()  # not read on the hot path
    assert organisation.name == "Testby kommun"
    assert organisation.created_at is not None  # read when asked for
