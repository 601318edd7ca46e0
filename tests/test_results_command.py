"""`tillit results`: writes exactly what the snapshot publishes, as JSON or XLSX."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from tests.test_results_helpers import add_unit, answer, make_campaign
from tillit.results.models import ResultSnapshot
from tillit.results.refreshing import get_snapshot, refresh_results
from tillit.results.snapshot import published_json

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(org, units):
    avd = add_unit(org, "AVD", units["K"], name="Avdelningen")
    answer_campaign = make_campaign(org, units["K"])
    answer(answer_campaign, add_unit(org, "T4", avd, name="Team Fyra"), [1, 1, 1, 1])
    answer(answer_campaign, add_unit(org, "T7", avd, name="Team Sju"), [5, 5, 4, 4, 5, 4, 5])
    answer(answer_campaign, units["HEM"], [3, 4, 4, 3, 4, 4, 3, 2, 4])
    return answer_campaign


def run(*args) -> str:
    out = io.StringIO()
    call_command("results", *args, stdout=out)
    return out.getvalue()


def test_json_by_name_and_by_id_is_the_snapshot(campaign):
    by_name = json.loads(run("Enkät 2026", "--org", "testby"))
    by_id = json.loads(run(str(campaign.pk), "--org", "testby", "--format", "json"))
    assert by_name == by_id
    assert by_name == json.loads(json.dumps(published_json(get_snapshot(campaign))))
    units = {u["id"]: u for u in by_name["units"]}
    assert units["T4"]["shown"] is False and "indices" not in units["T4"]
    assert units["AVD"]["excluded_n"] == 4


def test_xlsx_to_a_file_has_the_same_figures(campaign, tmp_path):
    path = tmp_path / "out.xlsx"
    run("Enkät 2026", "--org", "testby", "--format", "xlsx", "--output", str(path))
    book = load_workbook(path)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    header = rows[0]
    by_id = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    data = {u["id"]: u for u in published_json(get_snapshot(campaign))["units"]}
    assert by_id["HEM"]["HME total"] == data["HEM"]["indices"]["hme.total"]
    assert by_id["AVD"]["Answers behind the figures"] == 7
    assert by_id["T4"]["HME total"] is None
    assert by_id["T4"]["Why not shown"] == "Fewer than 5 answers"


def test_unknown_campaign_or_organisation(campaign):
    with pytest.raises(CommandError, match="No campaign 'Nope'"):
        run("Nope", "--org", "testby")
    with pytest.raises(CommandError, match="No organisation"):
        run("Enkät 2026", "--org", "nowhere")


def test_refresh_is_debounced_and_recomputes(
    campaign, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        assert refresh_results(campaign.pk) is True
        assert refresh_results(campaign.pk) is False  # one refresh waits already
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    ResultSnapshot.objects.filter(campaign=campaign).update(refresh_queued_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        assert refresh_results(campaign.pk) is True
    snapshot = ResultSnapshot.objects.get(campaign=campaign)
    assert snapshot.ready and snapshot.refresh_queued_at is None
    assert snapshot.units.count() == 6  # K, AVD, T4, T7, SOC, HEM


def test_an_open_campaigns_old_snapshot_asks_for_a_refresh(campaign, settings):
    import datetime as dt

    from django.utils import timezone

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    snapshot = get_snapshot(campaign)
    campaign.status = "open"
    campaign.save()
    ResultSnapshot.objects.filter(pk=snapshot.pk).update(
        computed_at=timezone.now() - dt.timedelta(hours=1)
    )
    get_snapshot(campaign)
    assert ResultSnapshot.objects.get(pk=snapshot.pk).refresh_queued_at is not None
