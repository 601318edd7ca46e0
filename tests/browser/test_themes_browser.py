"""Comment themes in a browser: a förvaltning's page in Swedish and Danish, filter, search, PDF."""

import subprocess

from tests.browser.conftest import assert_accessible, login
from tests.conftest import PASSWORD
from tests.test_results_helpers import add_unit, answer, make_campaign
from tillit.org.models import RoleGrant
from tillit.results.models import ResultSnapshot
from tillit.results.snapshot import store_snapshot
from tillit.results.theming import theme_snapshot

HEM = [
    "Vi hinner inte med allt, för lite personal på kvällarna.",
    "Stressen är hög och vikarier saknas när någon är sjuk.",
    "Arbetsbelastningen har ökat sedan i höstas, vi springer hela dagarna.",
    "Journalsystemet krånglar varje morgon och inloggningen tar evigheter.",
    "Datorerna är gamla och långsamma.",
    "Chefen lyssnar och ger återkoppling när det går bra.",
    "Vår chef finns på plats och går att prata med.",
    "För mycket dokumentation som ingen läser.",
    "Blanketter och rapporter tar tid från brukarna.",
    "Kollegorna ställer upp för varandra.",
    "Bra samarbete i arbetsgruppen, vi skrattar mycket.",
    "Överlämningarna mellan kvällen och natten brister ofta.",
]
VAST = [
    "Personalrummet är för trångt och ventilationen är dålig.",
    "Vi är för få och hinner inte äta lunch.",
    "Tidspressen gör att brukarna får vänta.",
    "Chefen är sällan här och svarar sent på mejl.",
    "Nya system införs utan att vi blir tillfrågade.",
    "Samma uppgifter registreras i tre olika system, dubbelarbete.",
    "Att träffa brukarna är det som gör jobbet meningsfullt.",
    "Vi får ta egna beslut om hur dagen läggs upp, det är värdefullt.",
    "Skrivaren fungerar aldrig och wifi försvinner.",
    "Sjukskrivningar som ingen ersätter.",
]


def test_forvaltning_themes_in_swedish_and_danish(new_page, admin_user, org, units):
    RoleGrant.objects.create(organisation=org, email=admin_user.email, role=RoleGrant.Role.ADMIN)
    vast = add_unit(org, "VAST", units["SOC"], name="Hemtjänst Väst")
    campaign = make_campaign(org, units["K"])
    answer(campaign, units["HEM"], [4] * 12, comments=HEM)
    answer(campaign, vast, [3] * 10, comments=VAST)
    answer(campaign, units["BUF"], [4] * 6)
    snapshot = store_snapshot(campaign)
    theme_snapshot(ResultSnapshot.objects.get(pk=snapshot.pk))
    address = f"/o/{org.slug}/results/{campaign.pk}/units/{units['SOC'].pk}/"

    page = new_page(language="sv")
    login(page, admin_user.email, PASSWORD)
    page.goto(address)
    assert page.locator("h1").inner_text() == "Socialförvaltningen"
    assert page.locator("#themes-title").inner_text() == "Teman i kommentarerna"
    cards = page.locator("ul.themes > li.theme")
    assert cards.count() >= 4
    assert page.locator("ul.themes blockquote").count() >= 6
    assert "Arbetsbelastning" in page.locator("ul.themes").inner_text()
    assert_accessible(page)
    page.locator("ul.themes").screenshot(path="/tmp/themes-sv.png")

    # Filter by one theme: htmx swaps the comment list in place and the address says so.
    card = cards.filter(has_text="IT-system").first
    card.locator("a.theme-filter").click()
    page.wait_for_selector("#comments .filter-note")
    assert "theme=it_systems" in page.url
    tags = page.locator("#comments li .theme-tag").all_inner_texts()
    assert tags and set(tags) == {"IT-system"}
    assert "Journalsystemet krånglar" in page.locator("#comments").inner_text()
    assert "Chefen lyssnar" not in page.locator("#comments").inner_text()
    assert_accessible(page)

    page.goto(address)
    with page.expect_download() as download:
        page.click("a[href$='report.pdf']")
    text = subprocess.run(
        ["pdftotext", download.value.path(), "-"], capture_output=True, check=True
    ).stdout.decode()
    assert "Teman i kommentarerna" in text and "Arbetsbelastning" in text
    assert "Journalsystemet krånglar" in text or "Datorerna är gamla" in text

    danish = new_page(language="da", phone=True)
    login(danish, admin_user.email, PASSWORD)
    danish.goto(address)
    assert danish.locator("#themes-title").inner_text() == "Temaer i kommentarerne"
    assert "Arbejdspres" in danish.locator("ul.themes").inner_text()
    assert danish.locator("ul.themes blockquote").count() >= 6
    danish.fill("#comment-q", "chef")
    danish.click("form.comment-search button")
    danish.wait_for_selector("#comments .filter-note")
    listed = danish.locator("#comments li").all_inner_texts()
    assert listed and all("chef" in text.lower() for text in listed)
    # The survey's Swedish name stands in the title; the Swedish comments are marked as such.
    assert danish.locator("#comments li span[lang=sv]").count() == len(listed)
    assert_accessible(danish, {"enkät"})
    danish.locator("ul.themes").screenshot(path="/tmp/themes-da.png")
