"""`tillit import-org` and `tillit import-people`: synchronous, all or nothing, exit status 1."""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tillit.org.models import ImportJob, Organisation, Person, RoleGrant, Unit

DATA = Path(__file__).parent / "data" / "import"


@pytest.mark.django_db
def test_import_org_creates_the_organisation_and_prints_the_summary(capsys):
    call_command("import_org", str(DATA / "units.csv"), "--org", "nya-kommunen")
    org = Organisation.objects.get(slug="nya-kommunen")
    assert org.name == "Nya Kommunen"
    assert Unit.objects.filter(organisation=org).count() == 5
    out, err = capsys.readouterr()
    assert "created: 5" in out
    assert "100%" in err  # the progress bar
    job = ImportJob.objects.get(organisation=org)
    assert (job.kind, job.status, job.content) == ("units", "done", None)


@pytest.mark.django_db
def test_import_org_takes_a_name_and_then_people_follow(capsys):
    call_command("import_org", str(DATA / "units.csv"), "--org", "ny", "--name", "Ny kommun")
    call_command("import_people", str(DATA / "people.csv"), "--org", "ny")
    org = Organisation.objects.get(slug="ny")
    assert org.name == "Ny kommun"
    assert Person.objects.filter(organisation=org, active=True).count() == 4
    assert RoleGrant.objects.filter(organisation=org, role="med").get().email == "cia@testby.se"
    assert "created: 4" in capsys.readouterr().out


@pytest.mark.django_db
def test_import_org_with_errors_prints_each_and_creates_nothing(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("unit_id;parent_id;name\nK;;Kommun\nA;X;Avd\nA;K;Avd\n", encoding="cp1252")
    with pytest.raises(CommandError) as raised:
        call_command("import_org", str(bad), "--org", "ny")
    assert raised.value.returncode == 1
    err = capsys.readouterr().err
    # The command speaks the installation's language (Swedish by default).
    assert "row 3, column parent_id: " in err and " X " in err
    assert "row 4, column unit_id:" in err
    assert not Organisation.objects.filter(slug="ny").exists()
    assert not ImportJob.objects.exists()


@pytest.mark.django_db
def test_import_people_errors_exit_1_and_change_nothing(org, units, tmp_path, capsys):
    bad = tmp_path / "people.csv"
    bad.write_text("email,unit_id,name\nok@testby.se,HEM,Ok\nnope,HEM,Nope\n")
    with pytest.raises(CommandError) as raised:
        call_command("import_people", str(bad), "--org", "testby")
    assert raised.value.returncode == 1
    assert "row 3, column email:" in capsys.readouterr().err
    assert not Person.objects.exists()


@pytest.mark.django_db
def test_import_people_needs_an_existing_organisation(tmp_path):
    with pytest.raises(CommandError, match="no organisation"):
        call_command("import_people", str(DATA / "people.csv"), "--org", "nowhere")


@pytest.mark.django_db
def test_missing_file_is_a_command_error(org):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_org", "/nonexistent/units.csv", "--org", "testby")
