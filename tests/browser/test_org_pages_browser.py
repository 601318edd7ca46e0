"""An admin reads the tree, opens a unit, corrects its name and sees the change in its history."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, login
from tests.conftest import PASSWORD
from tillit.org.models import Person, RoleGrant, Unit, UnitChange


def test_admin_corrects_a_unit_in_the_tree(new_page, org, units, admin_user):
    Unit.objects.create(
        organisation=org, external_id="HEM-A", name="Arbetsgrupp Ängen", parent=units["HEM"]
    )
    Person.objects.create(organisation=org, email="p@testby.se", name="Per", unit=units["HEM"])
    RoleGrant.objects.create(
        organisation=org, email="med@testby.se", role=RoleGrant.Role.MED, unit=units["BUF"]
    )
    page = new_page()
    login(page, "admin@testby.se", PASSWORD)

    page.goto(f"/o/{org.slug}/units/")
    tree = page.locator("#unit-tree")
    team = tree.get_by_role("link", name="Arbetsgrupp Ängen")
    # Hemtjänst Norr is on the third level, so it starts collapsed; open it with the keyboard.
    expect(team).to_be_hidden()
    hem_summary = tree.locator("summary", has_text="Hemtjänst Norr")
    hem_summary.focus()
    page.keyboard.press("Enter")
    expect(team).to_be_visible()
    assert_accessible(page)

    team.click()
    expect(page.locator("h1")).to_contain_text("Arbetsgrupp Ängen")
    assert_accessible(page)

    page.locator(f"a[href$='/units/{Unit.objects.get(external_id='HEM-A').pk}/edit/']").click()
    assert_accessible(page)
    page.fill("input[name=name]", "Arbetsgrupp Ängsbacken")
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator("h1")).to_contain_text("Arbetsgrupp Ängsbacken")
    history = page.locator("#unit-history")
    expect(history).to_contain_text("Arbetsgrupp Ängen")
    expect(history).to_contain_text("Arbetsgrupp Ängsbacken")
    expect(history).to_contain_text("Ada Admin")
    assert UnitChange.objects.filter(kind="renamed", new_value="Arbetsgrupp Ängsbacken").exists()

    for path in ("people/", "roles/"):
        page.goto(f"/o/{org.slug}/{path}")
        expect(page.locator("h1")).to_be_visible()
        assert_accessible(page)


def test_tree_on_a_phone(new_page, org, units, admin_user):
    page = new_page(phone=True, language="da")
    login(page, "admin@testby.se", PASSWORD)
    page.goto(f"/o/{org.slug}/units/?q=hem")
    expect(page.locator("#unit-tree")).to_contain_text("Hemtjänst Norr")
    assert_accessible(page)
    # Nothing wider than the screen: the tree wraps instead of scrolling sideways.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    page.goto(f"/o/{org.slug}/units/{units['HEM'].pk}/")
    expect(page).to_have_title(re.compile("Hemtjänst Norr"))
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
