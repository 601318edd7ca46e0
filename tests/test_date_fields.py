"""Forms keep their dates: every date field is the one ISO date widget, and a saved date comes
back in the form and is saved again unchanged, in Swedish, Danish, Norwegian and English."""

import datetime as dt
import importlib
import inspect
import pkgutil
import re

import pytest
from django import forms
from django.urls import reverse
from django.utils import timezone, translation

import tillit
from tillit.core.forms import DateInput
from tillit.programmes.catalogue import ARTEFACT_KINDS
from tillit.programmes.forms import artefact_form
from tillit.programmes.models import Artefact

LANGUAGES = ["sv", "da", "nb", "en"]
DAY = dt.date(2026, 11, 3)  # day and month differ: a swapped format cannot pass


def project_forms() -> list[tuple[str, dict[str, forms.Field]]]:
    """(name, fields) of every form class in every app's forms module, and of each artefact kind."""
    found = []
    for module_info in pkgutil.iter_modules(tillit.__path__):
        try:
            module = importlib.import_module(f"tillit.{module_info.name}.forms")
        except ModuleNotFoundError:
            continue
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                found.append((f"{module.__name__}.{name}", dict(cls.base_fields)))
    for kind in ARTEFACT_KINDS:
        form = artefact_form(kind, Artefact.objects.none(), people=None)
        found.append((f"artefact:{kind}", dict(form.fields)))
    return found


def date_fields():
    return [
        (form_name, field_name, field)
        for form_name, fields in project_forms()
        for field_name, field in fields.items()
        if isinstance(field, forms.DateField)
    ]


def test_every_date_field_uses_the_one_iso_date_widget():
    found = date_fields()
    names = {f"{form}.{field}" for form, field, _ in found}
    # The forms the issue names are among them.
    assert {
        "tillit.surveys.forms.CampaignForm.opens_on",
        "tillit.surveys.forms.ReopenForm.closes_on",
        "artefact:action.due_date",
        "tillit.steering.forms.SignalForm.review_date",
    } <= names
    wrong = [f"{form}.{field}" for form, field, f in found if not isinstance(f.widget, DateInput)]
    assert not wrong, f"not the ISO date widget: {wrong}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_date_field_round_trips_in_each_language(language):
    with translation.override(language):
        for form_name, field_name, field in date_fields():
            html = field.widget.render(field_name, DAY)
            value = re.search(r'value="([^"]*)"', html).group(1)
            assert 'type="date"' in html and value == "2026-11-03", (form_name, field_name, html)
            assert field.clean(value) == DAY, (form_name, field_name)


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_saved_dates_come_back_in_the_edit_pages_and_save_again(
    client, org, units, admin_user, language
):
    """The pages of the report: editing an action and a campaign draft show the saved dates,
    and saving the page as it stands keeps them."""
    from tests.test_results_helpers import versions
    from tillit.programmes import actions
    from tillit.programmes.loading import install_shipped_templates
    from tillit.programmes.models import ProgrammeTemplate
    from tillit.surveys.models import Campaign, CampaignInstrument

    client.force_login(admin_user)
    client.cookies["tillit_language"] = language
    install_shipped_templates()
    programme = actions.do_start_programme(
        organisation=org,
        template_version=ProgrammeTemplate.objects.get(slug="resultatdialog").latest(),
        title="Dialog",
        language=language,
        units=[units["HEM"]],
        created_by=admin_user,
    )
    action = actions.do_create_artefact(
        programme,
        "actions",
        "action",
        {"title": "Rutin", "owner_email": "admin@testby.se", "due_date": DAY, "status": "planned"},
        admin_user,
    )
    edit = reverse("programmes:artefact_edit", args=[org.slug, action.pk])
    page = client.get(edit).content.decode()
    assert 'name="due_date" value="2026-11-03"' in page
    data = dict(
        re.findall(r'<input type="(?:text|date|hidden)" name="([^"]+)" value="([^"]*)"', page)
    )
    data.update(status="planned", owner_email="admin@testby.se")
    from tillit.org.models import Person

    Person.objects.create(organisation=org, email="admin@testby.se", name="Ada", unit=units["HEM"])
    assert client.post(edit, data).status_code == 302
    action.refresh_from_db()
    assert action.due_date == DAY

    today = timezone.localdate()
    campaign = Campaign.objects.create(
        organisation=org,
        name="Utkast",
        target_unit=units["SOC"],
        opens_on=today,
        closes_on=today + dt.timedelta(days=30),
    )
    CampaignInstrument.objects.create(campaign=campaign, version=versions()[0])
    page = client.get(reverse("surveys:edit", args=[org.slug, campaign.pk])).content.decode()
    assert f'name="opens_on" value="{today.isoformat()}"' in page
    assert f'name="closes_on" value="{(today + dt.timedelta(days=30)).isoformat()}"' in page
