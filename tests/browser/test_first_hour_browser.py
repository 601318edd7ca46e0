"""The first hour of a new Danish organisation, in a browser, with no command line: the
operator creates it, the process owner maps, previews and applies the HR files, previews and
launches a survey, three phones answer, the survey is closed, a results dialogue starts from
the unit's page, an action goes to a person picked from the list, and a workshop runs with a
presenter screen and three phones. Every page is checked with axe-core and for words of
another language."""

import datetime as dt
import os
import re
from pathlib import Path

from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, login
from tests.browser.test_workshop_browser import wait_for
from tests.browser.wordcheck import assert_speaks
from tests.conftest import PASSWORD, make_user
from tillit.instruments.shipped import install_shipped
from tillit.org.models import ImportJob, Organisation, Person, Unit
from tillit.programmes.loading import install_shipped_templates
from tillit.programmes.models import Artefact, Programme
from tillit.surveys.models import Campaign, Response
from tillit.workshop.models import WorkshopSession

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
PROJECTOR = {"width": 1280, "height": 720}
# The people file's accepted role words are listed on the import page in every language.
ROLE_WORDS = {"processägare"}
UNITS_FILE = (
    "Enheds-ID;Overordnet enhed;Enhedsnavn\n"
    "FK;;Fjordvik Kommune\n"
    "SUN;FK;Social og Sundhed\n"
    "HJP;SUN;Hjemmeplejen Nord\n"
    "SKO;FK;Skole og Dagtilbud\n"
)
PEOPLE_FILE = (
    "Medarbejder-mail;Fulde navn;Enhed\n"
    "ane@fjordvik.dk;Ane Jensen;HJP\n"
    "bo@fjordvik.dk;Bo Nielsen;HJP\n"
    "carl@fjordvik.dk;Carl Madsen;HJP\n"
    "dorte@fjordvik.dk;Dorte Lund;SKO\n"
)
# Screenshots of every page, to be looked at, when TILLIT_SCREENSHOTS names a folder.
SHOTS = os.environ.get("TILLIT_SCREENSHOTS")


def check(page, name: str, allow=frozenset(), language: str = "da") -> None:
    """axe-core, the word check and (with TILLIT_SCREENSHOTS) a screenshot."""
    assert_accessible(page, allow)
    assert_speaks(page, language, allow)
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def local_path(link: str) -> str:
    """The path of an absolute link from an e-mail (the live server's port differs)."""
    return "/" + link.split("://", 1)[1].split("/", 1)[1]


def import_file(owner, slug: str, kind: str, path: Path, mapping: dict[str, str]) -> None:
    """Upload, match the columns, preview and apply one HR file."""
    owner.goto(f"/o/{slug}/import/")
    check(owner, f"import-{kind}", ROLE_WORDS)
    owner.check(f"input[name=kind][value={kind}]")
    owner.set_input_files("input[type=file]", str(path))
    owner.locator("main button[type=submit]").click()
    owner.click("text=Par kolonnerne")
    check(owner, f"mapping-{kind}")
    for field, column in mapping.items():
        owner.select_option(f"select[name={field}]", column)
    owner.locator("main button[type=submit]").click()
    expect(owner.locator("#import-apply")).to_be_visible()
    check(owner, f"preview-{kind}")


def answer_everything(phone, link: str, score: int, name: str | None = None) -> None:
    """Answer every scale question with `score`, page by page, and send from the review."""
    phone.goto(link)
    for number in range(10):
        if name:
            check(phone, f"{name}-{number}")
        if phone.locator("#submit-form").count():
            phone.locator("#submit-form button[type=submit]").click()
            break
        groups = phone.eval_on_selector_all(
            "input[type=radio][name^='a:']", "els => [...new Set(els.map(e => e.name))]"
        )
        for group in groups:
            phone.check(f"input[name='{group}'][value='{score}']")
        phone.click("button[value=next]")
    else:
        raise AssertionError("never reached the review page")


def test_danish_first_hour(browser, live_server, new_page, settings, tmp_path):
    settings.TASKS = IMMEDIATE
    install_shipped()  # `tillit install-instruments` at installation (docs/operations.md)
    install_shipped_templates()
    make_user("drift@tillit.example", is_operator=True)

    # --- The operator creates the organisation and its first process owner.
    operator = new_page(language="da")
    login(operator, "drift@tillit.example", PASSWORD)
    operator.goto("/operator/")
    check(operator, "operator")
    operator.fill("input[name=name]", "Fjordvik Kommune")
    operator.select_option("select[name=country]", "dk")
    operator.fill("input[name=owner_email]", "mette@fjordvik.dk")
    operator.fill("input[name=owner_name]", "Mette Holm")
    operator.click("text=Opret og send invitationen")
    expect(operator.locator("#operator-organisations")).to_contain_text("mette@fjordvik.dk")
    check(operator, "operator-created")
    fjordvik = Organisation.objects.get(name="Fjordvik Kommune")
    slug = fjordvik.slug
    assert fjordvik.language == "da"

    # --- The process owner follows the Danish invitation and logs in.
    [invitation] = mail.outbox
    assert invitation.subject == "Invitation til Tillit – Fjordvik Kommune"
    owner = new_page(language="da")
    owner.goto(local_path(re.search(r"https?://\S+/invitation/\S+/", invitation.body).group(0)))
    check(owner, "invitation")
    owner.fill("input[name=new_password1]", PASSWORD)
    owner.fill("input[name=new_password2]", PASSWORD)
    owner.locator("main button[type=submit]").click()
    login(owner, "mette@fjordvik.dk", PASSWORD)
    owner.goto(f"/o/{slug}/")
    check(owner, "owner-home")

    # --- Settings: a small team may see its figures (k = 3, never below the floor).
    owner.goto(f"/o/{slug}/settings/")
    check(owner, "settings")
    owner.fill("input[name=k]", "3")
    owner.click("text=Gem indstillingerne")
    expect(owner.locator("main")).to_contain_text("Indstillingerne blev gemt.")
    check(owner, "settings-saved")

    # --- The HR files, with Danish headers: match the columns, preview, apply.
    units_file = tmp_path / "enheder.csv"
    units_file.write_text(UNITS_FILE, encoding="utf-8")
    import_file(
        owner,
        slug,
        "units",
        units_file,
        {"unit_id": "enheds-id", "parent_id": "overordnet_enhed", "name": "enhedsnavn"},
    )
    expect(owner.locator("#changes-created")).to_contain_text(
        "Hjemmeplejen Nord (under Social og Sundhed)"
    )
    assert not Unit.objects.filter(organisation=fjordvik).exists()  # nothing before "apply"
    owner.click("#import-apply")
    expect(owner.locator("table.import-summary")).to_be_visible()
    check(owner, "units-applied")
    assert Unit.objects.filter(organisation=fjordvik).count() == 4

    people_file = tmp_path / "medarbejdere.csv"
    people_file.write_text(PEOPLE_FILE, encoding="utf-8")
    import_file(
        owner,
        slug,
        "people",
        people_file,
        {"email": "medarbejder-mail", "name": "fulde_navn", "unit_id": "enhed"},
    )
    assert not Person.objects.filter(organisation=fjordvik).exists()
    owner.click("#import-apply")
    expect(owner.locator("table.import-summary")).to_be_visible()
    check(owner, "people-applied")
    assert Person.objects.filter(organisation=fjordvik).count() == 4
    assert ImportJob.objects.filter(organisation=fjordvik, status="done").count() == 2

    # --- A survey: HME and the trust principles for Social og Sundhed, previewed, launched.
    owner.goto(f"/o/{slug}/surveys/new/")
    check(owner, "campaign-form")
    owner.fill("input[name=name]", "Trivsel og tillid 2027")
    for name in ("HME", "Tillidsindeks"):
        owner.get_by_label(re.compile(name)).check()
    social = Unit.objects.get(organisation=fjordvik, external_id="SUN")
    owner.select_option("select[name=target_unit]", str(social.pk))
    owner.locator("main form button[type=submit]").click()
    campaign = Campaign.objects.get(organisation=fjordvik)
    assert campaign.languages == ["da"] and campaign.k == 3
    check(owner, "campaign-draft")
    owner.click("text=Forhåndsvis på Dansk")
    check(owner, "campaign-preview")
    owner.check("input[name='a:mot1'][value='4']")
    owner.click("button[value=next]")
    assert not Response.objects.exists()  # a preview stores nothing
    owner.goto(f"/o/{slug}/surveys/{campaign.pk}/launch/")
    check(owner, "campaign-launch")
    owner.locator("main form button[type=submit]").click()
    expect(owner.locator("main")).to_contain_text("Åben")
    check(owner, "campaign-open")
    links = {
        message.to[0]: local_path(re.search(r"https?://\S+/s/\S+/", message.body).group(0))
        for message in mail.outbox[1:]
    }
    assert sorted(links) == ["ane@fjordvik.dk", "bo@fjordvik.dk", "carl@fjordvik.dk"]

    # --- Three phones answer; the first is looked at page by page.
    for n, (email, score) in enumerate(zip(sorted(links), (4, 5, 3), strict=True)):
        phone = new_page(phone=True, language="da")
        answer_everything(phone, links[email], score, name="phone" if n == 0 else None)
        expect(phone.locator("main")).to_contain_text("Tak")
        if n == 0:
            check(phone, "phone-thanks")
    assert Response.objects.filter(campaign=campaign).count() == 3

    # --- Closed after confirming; the team's results are published on the tree of the launch.
    owner.goto(f"/o/{slug}/surveys/{campaign.pk}/")
    owner.click("text=Luk kampagnen …")
    check(owner, "campaign-close-confirm")
    owner.click("text=Luk nu")
    expect(owner.locator("main")).to_contain_text("Se resultaterne")
    check(owner, "campaign-closed")
    owner.click("text=Se resultaterne")
    check(owner, "results-overview")
    home_care = Unit.objects.get(organisation=fjordvik, external_id="HJP")
    owner.goto(f"/o/{slug}/results/{campaign.pk}/units/{home_care.pk}/")
    expect(owner.locator("main")).to_contain_text("Hjemmeplejen Nord")
    # The wide tables are keyboard-reachable regions.
    assert owner.locator(".table-wrap[tabindex='0'][role=region]").count() >= 1
    check(owner, "results-unit")

    # --- A results dialogue from the unit's page, with both instruments in its results step.
    owner.click("text=Start en resultatdialog")
    programme = Programme.objects.get(campaign=campaign)
    expect(owner).to_have_url(re.compile(f"/programmes/{programme.pk}/steps/results/$"))
    main = owner.inner_text("main")
    assert "HME" in main and "Tillidsindeks" in main
    check(owner, "dialogue-results")

    # --- An action for a person picked from the list as one types.
    owner.goto(f"/o/{slug}/programmes/{programme.pk}/steps/actions/add/action/")
    check(owner, "action-form")
    owner.fill("input[name=title]", "Færre dobbeltregistreringer")
    person = owner.locator("input[name=owner_email]")
    person.press_sequentially("Niels", delay=30)
    expect(owner.locator("#people-options option")).to_have_count(1)
    assert owner.locator("#people-options option").get_attribute("value") == "bo@fjordvik.dk"
    person.fill("bo@fjordvik.dk")  # what choosing "Bo Nielsen – Hjemmeplejen Nord" enters
    due = timezone.localdate() + dt.timedelta(days=30)
    owner.fill("input[name=due_date]", due.isoformat())
    owner.locator("main form button[type=submit]").click()
    expect(owner.locator("main")).to_contain_text("Bo Nielsen")
    check(owner, "action-saved")
    action = Artefact.objects.get(programme=programme, kind="action")
    assert (action.owner_email, action.due_date) == ("bo@fjordvik.dk", due)
    assert any(m.to == ["bo@fjordvik.dk"] and "Færre" in m.body for m in mail.outbox)

    # --- A workshop on the reflection step: a presenter screen and three phones.
    owner.goto(f"/o/{slug}/programmes/{programme.pk}/steps/reflection/")
    check(owner, "dialogue-reflection")
    owner.click("text=Start live-workshop")
    expect(owner.locator("text=Åbn præsentationsskærmen")).to_be_visible()
    check(owner, "facilitator")
    session = WorkshopSession.objects.get(step__programme=programme)
    projector = browser.new_context(viewport=PROJECTOR, locale="da-DK", base_url=live_server.url)
    projector.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "da", "url": live_server.url}]
    )
    try:
        screen = projector.new_page()
        screen.set_default_timeout(20_000)
        login(screen, "mette@fjordvik.dk", PASSWORD)
        screen.goto(f"/o/{slug}/workshops/{session.pk}/screen/")
        assert screen.locator(".ws-screen__code").inner_text().strip() == session.code
        check(screen, "screen-code")
        phones = []
        for n in range(3):
            phone = new_page(phone=True, language="da")
            phone.goto(f"/join/{session.code}/")  # what the QR code opens
            if n == 0:
                check(phone, "join")
            phone.click("main button[type=submit]")
            phone.wait_for_selector("#ws-text")
            phones.append(phone)
        # The reflection questions on the HME areas: the screen shows them, each phone writes
        # a thought, anonymously and hidden until the reveal.
        expect(screen.locator("main")).to_contain_text("Motivation: Hvornår føltes arbejdet")
        check(phones[0], "phone-reflection")
        thoughts = [f"Når borgeren bliver glad ({n})" for n in range(3)]
        for phone, thought in zip(phones, thoughts, strict=True):
            phone.fill("#ws-text", thought)
            phone.click("form[data-offline] button[type=submit]")
        wait_for(lambda: session.contributions.count() == 3)
        assert thoughts[0] not in screen.locator("main").inner_text()
        owner.click("button[value=reveal]")
        owner.wait_for_selector("button[value=conceal]")
        screen.wait_for_selector(f"main :text('{thoughts[2]}')")
        check(screen, "screen-reflection")
        # On to the trust principles' seven questions: they and the board fit the projector.
        owner.click("button[value=next]")
        expect(screen.locator("main")).to_contain_text("Åbenhed: Kan vi sige imod")
        assert screen.evaluate("document.documentElement.scrollHeight") <= PROJECTOR["height"]
        check(screen, "screen-principles")
        # On to the dilemma line; the phones follow.
        owner.click("button[value=next]")
        for phone in phones:
            phone.wait_for_selector("#ws-position")
        # The dilemma line: each phone takes a position and says why.
        texts = [f"Vi dokumenterer det samme to gange ({n})" for n in range(3)]
        for phone, text, position in zip(phones, texts, (10, 50, 90), strict=True):
            phone.fill("#ws-position", str(position))
            phone.fill("#ws-comment", text)
            phone.click("form[data-offline] button[type=submit]")
        wait_for(lambda: "3" in screen.locator("main").inner_text())
        check(phones[0], "phone-position")
        assert texts[0] not in screen.locator("main").inner_text()  # hidden until revealed
        owner.click("button[value=reveal]")
        owner.wait_for_selector("button[value=conceal]")
        for text in texts:
            screen.wait_for_selector(f"main :text('{text}')")
        for phone in phones:
            phone.wait_for_selector(f"#live :text('{texts[2]}')")
        check(screen, "screen-revealed")
        check(phones[1], "phone-revealed")
        check(owner, "facilitator-revealed")
        owner.click("button[value=close]")
        expect(owner.locator("main")).to_contain_text("Workshoppen er lukket")
        check(owner, "workshop-closed")
        phones[0].reload()
        check(phones[0], "phone-closed")
    finally:
        projector.close()
