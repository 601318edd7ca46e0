"""HR files as they come: columns mapped once per organisation, a preview computed by the
code that applies, applied only on confirmation and only while nothing changed since."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tillit.org.import_jobs import run_import, state_fingerprint
from tillit.org.models import ColumnMapping, ImportJob, Person, RoleGrant, Unit

pytestmark = pytest.mark.django_db

DANISH_UNITS = (
    b"Enheds-ID;Overordnet enhed;Enhedsnavn;Leder\n"
    b"K;;Testby kommun;\n"
    b"SOC;K;Social- og sundhed;chef.soc@testby.se\n"  # renamed
    b"HEM;BUF;Hjemmeplejen Nord;\n"  # moved (and renamed)
    b"BUF;K;Barn- och utbildning;\n"
    b"SKOL;BUF;Skolen;\n"  # created
)
MAPPING = {"unit_id": "enheds-id", "parent_id": "overordnet_enhed", "name": "enhedsnavn"}


@pytest.fixture(autouse=True)
def immediate(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def upload(client, org, kind, content, name="enheder.csv"):
    return client.post(
        reverse("org:import", args=[org.slug]),
        {"kind": kind, "file": SimpleUploadedFile(name, content)},
        follow=True,
    )


def tree(org):
    return sorted(
        Unit.objects.filter(organisation=org).values_list(
            "external_id", "name", "parent__external_id", "closed_at"
        )
    )


def test_columns_are_mapped_once_and_reused(client, org, admin_user):
    client.force_login(admin_user)
    upload(client, org, "units", DANISH_UNITS)
    job = ImportJob.objects.get()
    assert job.status == "mapping"
    assert job.preview["columns"] == ["enheds-id", "overordnet_enhed", "enhedsnavn", "leder"]
    page = client.get(reverse("org:import_columns", args=[org.slug, job.pk]))
    assert '<option value="enheds-id" selected>' in page.content.decode()  # a first guess
    response = client.post(
        reverse("org:import_columns", args=[org.slug, job.pk]),
        {**MAPPING, "manager_email": "leder"},
        follow=True,
    )
    job.refresh_from_db()
    assert job.status == "preview", job.errors
    assert ColumnMapping.objects.get(organisation=org, kind="units").columns == {
        **MAPPING,
        "manager_email": "leder",
    }
    assert "Skolen (under Barn- och utbildning)" in response.content.decode()
    # The next file with the same headers goes straight to its preview.
    upload(client, org, "units", DANISH_UNITS)
    assert ImportJob.objects.first().status == "preview"


def test_the_same_file_column_twice_is_refused(client, org, admin_user):
    client.force_login(admin_user)
    upload(client, org, "units", DANISH_UNITS)
    job = ImportJob.objects.get()
    response = client.post(
        reverse("org:import_columns", args=[org.slug, job.pk]),
        {**MAPPING, "name": "enheds-id"},
    )
    assert "already chosen" in response.context["form"].errors["name"][0]
    assert not ColumnMapping.objects.exists()


def test_preview_lists_exactly_what_apply_does_and_nothing_changes_before(client, org, admin_user):
    ColumnMapping.objects.create(organisation=org, kind="units", columns=MAPPING)
    before = tree(org)
    client.force_login(admin_user)
    page = upload(client, org, "units", DANISH_UNITS).content.decode()
    job = ImportJob.objects.get()
    assert job.status == "preview" and tree(org) == before and job.content
    details = job.preview["details"]
    assert details == {
        "created": [["Skolen", "Barn- och utbildning"]],
        "renamed": [
            ["Socialförvaltningen", "Social- og sundhed"],
            ["Hemtjänst Norr", "Hjemmeplejen Nord"],
        ],
        "moved": [["Hjemmeplejen Nord", "Social- og sundhed", "Barn- och utbildning"]],
        "reopened": [],
        "closed": [],
    }
    assert "Socialförvaltningen → Social- og sundhed" in page and 'id="import-apply"' in page
    client.post(reverse("org:import_apply", args=[org.slug, job.pk]), {"state": job.fingerprint})
    job.refresh_from_db()
    assert job.status == "done" and job.content is None
    assert job.summary["details"] == details  # the preview was what happened
    assert ("HEM", "Hjemmeplejen Nord", "BUF", None) in tree(org)


def test_apply_after_the_tree_changed_is_refused(client, org, admin_user):
    ColumnMapping.objects.create(organisation=org, kind="units", columns=MAPPING)
    client.force_login(admin_user)
    upload(client, org, "units", DANISH_UNITS)
    job = ImportJob.objects.get()
    old_state = job.fingerprint
    Unit.objects.filter(organisation=org, external_id="BUF").update(name="Skole og dagtilbud")
    before = tree(org)
    response = client.post(
        reverse("org:import_apply", args=[org.slug, job.pk]), {"state": old_state}, follow=True
    )
    assert "changed after this preview was made" in response.content.decode()
    assert tree(org) == before  # nothing applied
    job.refresh_from_db()
    # A new preview of the same file, against today's tree.
    assert job.status == "preview" and job.fingerprint != old_state and not job.confirmed
    # The worker refuses a stale confirmation on its own too (a change between click and run).
    Unit.objects.filter(organisation=org, external_id="K").update(name="Testby")
    result = run_import(org, "units", DANISH_UNITS, mapping=MAPPING, expected_state=job.fingerprint)
    assert not result.ok and "changed after the preview" in result.errors[0].message
    assert ("K", "Testby", None, None) in tree(org) and ("SKOL",) not in [t[:1] for t in tree(org)]


def test_people_preview_lists_added_deactivated_and_roles(client, org, admin_user, units):
    Person.objects.create(
        organisation=org, email="gammel@testby.se", name="Gunnar Gammel", unit=units["HEM"]
    )
    client.force_login(admin_user)
    content = (
        "Medarbejder;Email;Enhed;Rolle\n"
        "Ada Admin;admin@testby.se;K;procesejer\n"
        "Sofie Ny;sofie@testby.se;HEM;tillidsrepræsentant\n"
    ).encode()
    ColumnMapping.objects.create(
        organisation=org,
        kind="people",
        columns={"name": "medarbejder", "email": "email", "unit_id": "enhed", "role": "rolle"},
    )
    page = upload(client, org, "people", content, "folk.csv").content.decode()
    job = ImportJob.objects.get()
    details = job.preview["details"]
    assert details["created"] == [["Ada Admin", "admin@testby.se"], ["Sofie Ny", "sofie@testby.se"]]
    assert details["deactivated"] == [["Gunnar Gammel", "gammel@testby.se"]]
    assert details["grants_added"] == [["sofie@testby.se", "med", "Hemtjänst Norr"]]
    assert "Gunnar Gammel &lt;gammel@testby.se&gt;" in page
    assert Person.objects.get(email="gammel@testby.se").active  # not yet
    assert not RoleGrant.objects.filter(email="sofie@testby.se").exists()


def test_errors_name_the_row_and_the_file_column(client, org, admin_user):
    ColumnMapping.objects.create(organisation=org, kind="units", columns=MAPPING)
    client.force_login(admin_user)
    content = "Enheds-ID;Overordnet enhed;Enhedsnavn\nK;;Testby\n;K;Uden id\nX;Y;Forkert\n"
    upload(client, org, "units", content.encode())
    job = ImportJob.objects.get()
    assert job.status == "failed" and job.content is None
    assert [(e["row"], e["column"]) for e in job.errors] == [
        (3, "enheds-id (unit_id)"),
        (4, "overordnet_enhed (parent_id)"),
    ]
    assert state_fingerprint(org) and Unit.objects.filter(name="Testby").count() == 0
