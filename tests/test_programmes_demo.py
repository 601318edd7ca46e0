"""Demo programmes: samskabt styring in Danish in step 4, a Swedish management group, dialogues."""

from tillit.org.models import Organisation, Unit
from tillit.programmes.demo import build_demo_programmes
from tillit.programmes.models import Artefact, Programme


def test_demo_programmes(org, units):
    fjordby = Organisation.objects.create(slug="fjordby", name="Fjordby Kommune", language="da")
    root = Unit.objects.create(
        organisation=fjordby,
        external_id="K",
        name="Fjordby Kommune",
        manager_email="direktor@fjordby.dk",
    )
    Unit.objects.create(
        organisation=fjordby,
        external_id="HJ",
        name="Hjemmeplejen Nord",
        parent=root,
        manager_email="leder.hj@fjordby.dk",
    )
    build_demo_programmes([org, fjordby], seed=3)
    samskabt = Programme.objects.get(template_version__template__slug="samskabt-styring")
    assert samskabt.organisation == fjordby and samskabt.language == "da"
    status = dict(samskabt.steps.values_list("step_id", "status"))
    assert status["test"] == "in_progress" and status["solutions"] == "done"
    titles = set(samskabt.artefacts.values_list("title", flat=True))
    assert "Dobbeltregistrering af fravær" in titles
    experiment = samskabt.artefacts.get(title__startswith="Forsøg")
    assert experiment.measurements[0]["unit"] == "min/dag"
    group = Programme.objects.get(template_version__template__slug="ledningsgruppsutveckling")
    assert group.organisation == org and group.language == "sv"
    assert group.artefacts.filter(kind="game_rule").count() == 3
    dialogues = Programme.objects.filter(template_version__template__slug="resultatdialog")
    assert {p.organisation for p in dialogues} == {org, fjordby}
    assert Artefact.objects.overdue().filter(programme__in=dialogues).exists()


def test_demo_without_danish_organisation_uses_swedish(org, units):
    build_demo_programmes([org], seed=1)
    samskabt = Programme.objects.get(template_version__template__slug="samskabt-styring")
    assert samskabt.organisation == org and samskabt.language == "da"
