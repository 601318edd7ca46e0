"""Answering on a phone: Swedish and Danish, close midway and resume, double submit, keyboard."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible
from tests.test_surveys_support import make_campaign, tokens_in
from tillit.surveys import actions
from tillit.surveys.models import Answer, Draft, Response

pytest_plugins = ["tests.test_surveys_support"]

# The survey's name (one name, in Swedish) stands on the Danish respondents' pages too.
SURVEY_NAME_WORDS = {"enkät"}


@pytest.fixture
def tokens(org, units, staff, test_version, mailoutbox, _site_url, one_section_per_page):
    campaign = make_campaign(
        org, units["SOC"], [test_version], ask_age=True, background_source="ask"
    )
    actions.do_launch_campaign(campaign)
    return tokens_in(mailoutbox)


def choose(page, item: str, value: str) -> None:
    page.check(f"input[name='a:{item}'][value='{value}']")


@pytest.mark.parametrize(
    ("email", "language", "texts"),
    [
        (
            "s@testby.se",
            "sv",
            ("Sida 1 av 4", "Sida 2 av 4", "Sida 3 av 4", "Tack för dina svar", "redan svarat"),
        ),
        (
            "h2@testby.se",
            "da",
            ("Side 1 af 4", "Side 2 af 4", "Side 3 af 4", "Tak for dine svar", "allerede svaret"),
        ),
    ],
)
def test_answer_close_resume_and_submit_twice(new_page, tokens, email, language, texts):
    first, second, third, thanks, used = texts
    link = f"/s/{tokens[email]}/"
    page = new_page(phone=True, language=language)
    page.goto(link)
    assert first in page.content()
    assert_accessible(page, SURVEY_NAME_WORDS)
    choose(page, "q1", "4")
    page.click("button[value=next]")
    page.wait_for_url(re.compile(r"\?p=1$"))
    assert second in page.content()
    choose(page, "q3", "ja")
    page.click("button[value=next]")  # q4 appears on the same page (skip logic)
    page.wait_for_selector("input[name='a:q4']")
    page.fill("input[name='a:q4']", "2")
    page.fill("textarea[name='a:q6']", "x" * 60)  # over the limit of 50
    page.click("button[value=next]")
    assert page.locator(".error-summary").is_visible()
    assert_accessible(page, SURVEY_NAME_WORDS)
    page.fill("textarea[name='a:q6']", "Bra")
    page.click("button[value=next]")
    page.wait_for_url(re.compile(r"\?p=2$"))
    assert_accessible(page, SURVEY_NAME_WORDS)  # background page
    page.context.close()  # closed midway: the pages sent so far are kept

    page = new_page(phone=True, language=language)
    page.goto(link)
    assert third in page.content()  # resumes on the page where it was closed
    page.select_option("select[name='b:age']", "40-49")
    page.click("button[value=next]")
    page.wait_for_url(re.compile(r"\?p=3$"))
    assert_accessible(page, SURVEY_NAME_WORDS)  # review page
    page.goto(link + "?p=0")
    assert page.locator("input[name='a:q1'][value='4']").is_checked()  # resumed with answers
    page.goto(link + "?p=3")
    key = page.locator("input[name=idempotency_key]").input_value()
    csrf = page.locator("#submit-form input[name=csrfmiddlewaretoken]").input_value()
    page.locator("#submit-form button").dblclick()  # a double click
    page.wait_for_load_state("networkidle")
    assert thanks in page.content()
    assert_accessible(page, SURVEY_NAME_WORDS)
    page.go_back()
    page.wait_for_load_state("networkidle")
    assert used in page.content()
    assert_accessible(page, SURVEY_NAME_WORDS)
    # The same submission again, as a retried request would send it.
    replay = page.request.post(
        link + "submit/",
        form={"idempotency_key": key, "csrfmiddlewaretoken": csrf},
        headers={"Referer": page.url},
    )
    assert replay.ok and thanks in replay.text()
    assert Response.objects.count() == 1
    assert Answer.objects.filter(item_id="q6", text="Bra").count() == 1
    assert Response.objects.get().background == {"age": "40-49"}
    assert not Draft.objects.exists()


def test_keyboard_only_answering_of_a_page(new_page, tokens):
    link = f"/s/{tokens['s@testby.se']}/"
    page = new_page(phone=True)
    page.goto(link)
    for _ in range(20):  # Tab to the first scale
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "a:q1":
            break
    page.keyboard.press("Space")
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    assert page.locator("input[name='a:q1'][value='4']").is_checked()
    page.keyboard.press("Tab")  # on to the next question's group
    assert page.evaluate("document.activeElement.name") == "a:q2"
    page.keyboard.press("Space")
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.value") == "next":
            break
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"\?p=1$"))
    assert Draft.objects.get().answers == {"testenkat": {"q1": "4", "q2": "1"}}


def test_unsent_input_comes_back_on_this_device_but_not_after_three_days(new_page, tokens):
    link = f"/s/{tokens['s@testby.se']}/"
    page = new_page(phone=True)
    page.goto(link)
    choose(page, "q1", "2")  # typed, never sent (the connection was lost)
    assert not Draft.objects.exists()
    page.reload()
    assert page.locator("input[name='a:q1'][value='2']").is_checked()
    # Three days and more later the device has forgotten it, and removed it.
    page.evaluate(
        """() => {
          for (let i = 0; i < localStorage.length; i++) {
            const name = localStorage.key(i);
            if (!name.startsWith("tillit-draft-")) continue;
            const entry = JSON.parse(localStorage.getItem(name));
            entry.savedAt -= 3 * 24 * 3600 * 1000 + 1000;
            localStorage.setItem(name, JSON.stringify(entry));
          }
        }"""
    )
    page.reload()
    assert not page.locator("input[name='a:q1'][value='2']").is_checked()
    stored = "Object.keys(localStorage).filter(k => k.startsWith('tillit-draft-')).length"
    assert page.evaluate(stored) == 0


def test_language_switch_on_the_page(new_page, tokens):
    page = new_page(phone=True)
    page.goto(f"/s/{tokens['s@testby.se']}/")
    page.select_option("#answer-language", "da")
    page.click("button[value=language]")
    page.wait_for_load_state("networkidle")
    assert "Jeg trives på arbejdet." in page.content()
    assert page.locator("html").get_attribute("lang") == "da"
    assert list(page.locator("#answer-language option").all_inner_texts()) == [
        "Svenska",
        "Dansk",
    ]


def test_process_owner_pages_are_accessible(new_page, org, units, admin_user, tokens):
    from tests.browser.conftest import login
    from tests.conftest import PASSWORD
    from tillit.surveys.models import Campaign

    campaign = Campaign.objects.get()
    page = new_page()
    login(page, admin_user.email, PASSWORD)
    for path in (
        f"/o/{org.slug}/surveys/",
        f"/o/{org.slug}/surveys/new/",
        f"/o/{org.slug}/surveys/{campaign.pk}/",
        f"/o/{org.slug}/surveys/{campaign.pk}/poster/{units['HEM'].pk}/",
    ):
        page.goto(path)
        if path.endswith(f"/poster/{units['HEM'].pk}/"):
            assert not campaign.unit_codes.exists()  # looking at the page makes no code
            assert_accessible(page, SURVEY_NAME_WORDS)
            page.click("main form button[type=submit]")
            page.wait_for_load_state("networkidle")
        assert page.locator("h1").count() == 1, path
        assert_accessible(page, SURVEY_NAME_WORDS)
    code = campaign.unit_codes.get().code
    # Everyone of HEM has a personal link: the process owner allows one poster answer more.
    Campaign.objects.filter(pk=campaign.pk).update(code_margin=1)
    phone = new_page(phone=True)
    phone.goto(f"/s/c/{code}/")
    assert_accessible(phone, SURVEY_NAME_WORDS)
    phone.click("main button[type=submit]")
    # The redirect's arrival, not the page's load event: under CI's load (the PostgreSQL round on
    # the other core) one run of this test sat out 20 s waiting for "load" on the new address.
    phone.wait_for_url(re.compile(r"/s/[A-Za-z0-9_-]{43}/$"), wait_until="commit")
    expect(phone.locator("main fieldset").first).to_be_visible()
    assert_accessible(phone, SURVEY_NAME_WORDS)


def test_a_short_instrument_on_one_page_then_review_then_send(
    new_page, org, units, staff, mailoutbox, _site_url
):
    from tillit.instruments.shipped import install_shipped

    hme = {v.instrument.slug: v for v, _new in install_shipped()}["hme"]
    actions.do_launch_campaign(make_campaign(org, units["SOC"], [hme]))
    link = f"/s/{tokens_in(mailoutbox)['h2@testby.se']}/"  # Henrik answers in Danish
    page = new_page(phone=True, language="da")
    page.goto(link)
    assert "Side 1 af 2" in page.content()
    assert page.locator("fieldset").count() == 9
    assert_accessible(page, SURVEY_NAME_WORDS)
    for group in range(9):
        page.locator("fieldset").nth(group).locator("input[value='4']").check()
    page.click("button[value=next]")
    # The review came in the POST's response; the page put its own address in the bar, so a
    # reload asks for the review again instead of sending the form twice.
    page.wait_for_url(re.compile(r"\?p=1$"))
    assert "Side 2 af 2" in page.content()
    page.reload()
    assert "Side 2 af 2" in page.content()
    assert_accessible(page, SURVEY_NAME_WORDS)
    page.locator("#submit-form button").click()
    page.wait_for_load_state("networkidle")
    assert "Tak for dine svar" in page.content()
    assert Response.objects.count() == 1 and Answer.objects.count() == 9
