"""The ZIP of unit reports (background task, progress) and the Kolada import."""

import io
import subprocess
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.test_results_helpers import answer, make_campaign
from tillit.results.models import KoladaValue, ReportBatch, ResultSettings

pytestmark = pytest.mark.django_db
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def campaign(org, units):
    campaign = make_campaign(org, units["K"])
    answer(campaign, units["HEM"], [4, 4, 3, 5, 4, 4])
    answer(campaign, units["BUF"], [2, 3, 3, 2, 3, 3, 4])
    return campaign


def test_zip_of_unit_reports_for_a_manager(client, manager_user, campaign, settings):
    settings.TASKS = IMMEDIATE
    client.force_login(manager_user)
    start = reverse("results:batch_start", args=["testby", campaign.pk])
    response = client.post(start)
    batch = ReportBatch.objects.get()
    assert response.url == reverse("results:batch", args=["testby", campaign.pk, batch.pk])
    assert batch.status == "done" and batch.unit_pks and batch.total == 2  # SOC and HEM
    page = client.get(response.url)
    assert "Download the ZIP (2 reports)" in page.text
    archive = zipfile.ZipFile(io.BytesIO(client.get(response.url + "?download=1").content))
    names = archive.namelist()
    assert len(names) == 2 and all(n.endswith(".pdf") for n in names)
    texts = [
        subprocess.run(["pdftotext", "-", "-"], input=archive.read(n), capture_output=True).stdout
        for n in names
    ]
    assert any(b"Hemtj" in t for t in texts) and not any(b"Barn- och" in t for t in texts)


def test_a_hidden_units_report_says_why_and_the_zip_leaves_it_out(
    client, admin_user, org, units, campaign, settings
):
    """A unit below k has a report that says why it shows no figures (it once failed with a
    server error); the ZIP holds the reports of shown units only."""
    from tests.test_results_helpers import add_unit

    small = add_unit(org, "T3", units["BUF"], name="Team Tre")
    answer(campaign, small, [5, 5, 5])
    settings.TASKS = IMMEDIATE
    client.force_login(admin_user)
    single = client.get(reverse("results:unit_pdf", args=["testby", campaign.pk, small.pk]))
    assert single.status_code == 200
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=single.content, capture_output=True, check=True
    ).stdout.decode()
    assert "Team Tre" in text and "No figures are shown for this unit." in text
    assert "Fewer than 5 answers" in text

    response = client.post(reverse("results:batch_start", args=["testby", campaign.pk]))
    batch = ReportBatch.objects.get()
    assert batch.status == "done", batch.error
    names = zipfile.ZipFile(io.BytesIO(client.get(response.url + "?download=1").content)).namelist()
    assert len(names) == batch.total == 4  # K, BUF, SOC, HEM
    assert not any("team-tre" in name for name in names)


def test_batch_progress_is_polled_until_done(client, admin_user, other_org, campaign, settings):
    settings.TASKS = DUMMY  # nobody runs it: the page keeps polling
    client.force_login(admin_user)
    response = client.post(reverse("results:batch_start", args=["testby", campaign.pk]))
    page = client.get(response.url)
    assert 'hx-trigger="every 1s"' in page.text and "<progress" in page.text
    fragment = client.get(response.url, headers={"HX-Request": "true"})
    assert fragment.text.lstrip().startswith('<div id="batch-job"')


def test_batch_belongs_to_its_maker(client, admin_user, manager_user, campaign, settings):
    settings.TASKS = DUMMY
    client.force_login(manager_user)
    url = client.post(reverse("results:batch_start", args=["testby", campaign.pk])).url
    client.force_login(admin_user)
    assert client.get(url).status_code == 404


def kolada_post(client, content: str, code="0180"):
    upload = SimpleUploadedFile("kolada.csv", content.encode(), content_type="text/csv")
    return client.post(
        reverse("results:kolada", args=["testby"]), {"municipality_code": code, "file": upload}
    )


def test_kolada_import_and_overview(client, admin_user, campaign):
    client.force_login(admin_user)
    csv = (
        "municipality_code;year;total;motivation;ledarskap;styrning\n"
        "0180;2025;79,5;81;80;77\n"
        "0180;2024;78;;;\n"
        "1480;2025;76;78;77;73\n"
    )
    response = kolada_post(client, csv)
    assert response.status_code == 302
    assert KoladaValue.objects.count() == 3
    assert ResultSettings.objects.get().municipality_code == "0180"
    overview = client.get(reverse("results:overview", args=["testby", campaign.pk]))
    kolada = overview.context["kolada"]
    assert kolada["rows"][0][:3] == ("0180", 2025, True)
    assert kolada["rows"][0][3][0] == 79.5
    assert kolada["own"][0] == overview.context["top"]["indices"]["hme.total"]
    assert "your municipality (0180)" in overview.text
    # Once, in the page's body: not pasted into <title> or <head> too.
    assert overview.text.count('id="kolada"') == 1
    head = overview.text.split("</head>")[0]
    assert "Kolada" not in head


def test_kolada_bad_rows_named_and_nothing_imported(client, admin_user):
    client.force_login(admin_user)
    csv = "municipality_code,year,total\n0180,2025,79\n18,2025,80\n0181,20x5,101\n"
    response = kolada_post(client, csv)
    assert response.status_code == 200
    errors = [(e.row, e.column) for e in response.context["errors"]]
    assert errors == [(3, "municipality_code"), (4, "year"), (4, "total")]
    assert "“101” is not an index from 0 to 100." in response.text
    assert not KoladaValue.objects.exists()
    missing = kolada_post(client, "code,year\n0180,2025\n")
    assert [(e.row, e.column) for e in missing.context["errors"]] == [
        (1, "municipality_code"),
        (1, "total"),
    ]


@pytest.mark.parametrize("persona, expected", [("manager_user", 403), ("outsider_user", 404)])
def test_kolada_only_for_admins(client, request, persona, expected):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("results:kolada", args=["testby"])).status_code == expected


def test_a_zip_goes_with_its_makers_role(client, manager_user, org, campaign, settings):
    from tillit.org.models import Unit

    settings.TASKS = IMMEDIATE
    client.force_login(manager_user)
    url = client.post(reverse("results:batch_start", args=["testby", campaign.pk])).url
    assert client.get(url + "?download=1").status_code == 200
    from tillit.org.models import Person

    # She stays as an employee, no longer a manager.
    Unit.objects.filter(organisation=org).update(manager_email="")
    Person.objects.create(
        organisation=org,
        email=manager_user.email,
        name="Sara",
        unit=Unit.objects.get(external_id="HEM"),
    )
    assert client.get(url + "?download=1").status_code == 403
