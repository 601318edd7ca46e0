"""Results in the edge cases a municipality meets: odd addresses, files, scales and names."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from tests.test_results_helpers import ELEVEN, add_unit, answer, make_campaign, versions
from tillit.instruments.loading import install, load_yaml
from tillit.results import exports
from tillit.results.models import KoladaValue, ResultUnit
from tillit.results.pages import unit_context
from tillit.results.refreshing import get_snapshot
from tillit.surveys.models import Campaign, CampaignInstrument
from tillit.surveys.storing import bulk_store_responses

pytestmark = pytest.mark.django_db


def url(name, campaign, *args):
    return reverse(f"results:{name}", args=["testby", campaign.pk, *args])


def one_instrument_campaign(org, units, instrument, rows, **fields) -> Campaign:
    """A closed campaign of one instrument (YAML bytes, a version, or None for HME) with these
    answers (one dict of item → value per respondent, all in HEM)."""
    if isinstance(instrument, bytes):
        version = install(load_yaml(instrument))[0]
    else:
        version = instrument or versions()[0]
    campaign = Campaign.objects.create(
        organisation=org,
        name="Enkät",
        target_unit=units["K"],
        opens_on=dt.date(2026, 3, 1),
        closes_on=dt.date(2026, 3, 21),
        status=Campaign.Status.CLOSED,
        **fields,
    )
    CampaignInstrument.objects.create(campaign=campaign, version=version, order=0)
    slug = version.definition["id"]
    bulk_store_responses(
        campaign.pk,
        [(units["HEM"].pk, {}, {slug: answers}) for answers in rows],
        {slug: version.definition},
        campaign.closes_on,
    )
    return campaign


SENSITIVE = b"""
id: kansligt
version: 1
languages: [sv, en]
title: {sv: Kansligt, en: Sensitive}
scales:
  s5: {min: 1, max: 5, labels: {sv: [a, b, c, d, e], en: [a, b, c, d, e]}}
sections:
  - id: s
    title: {sv: S, en: S}
    items:
      - {id: plain, type: scale, scale: s5, text: {sv: Vanlig, en: Plain}}
      - {id: harassed, type: scale, scale: s5, sensitive: true, text: {sv: Utsatt, en: Harassed}}
"""


@pytest.mark.parametrize("value", ["²", "9" * 30, "٣", "-4", "abc,,1"])
def test_the_overview_takes_any_branch_address(client, admin_user, org, units, value):
    campaign = make_campaign(org, units["K"])
    answer(campaign, units["HEM"], [4] * 9)
    client.force_login(admin_user)
    for name in ("open", "shut"):
        assert client.get(url("overview", campaign), {name: value}).status_code == 200


def test_an_earlier_campaign_is_named_once(client, admin_user, org, units):
    """HME and Tillitsindex both compare with last year's campaign: one name, not two."""
    earlier = make_campaign(org, units["K"], name="Enkät 2025", year=2025)
    answer(earlier, units["HEM"], [3] * 9)
    campaign = make_campaign(org, units["K"])
    answer(campaign, units["HEM"], [4] * 9)
    client.force_login(admin_user)
    page = client.get(url("unit", campaign, units["HEM"].pk))
    assert page.context["previous_names"] == "Enkät 2025"


def test_no_construct_is_both_strongest_and_weakest(org, units):
    # Answers that vary, so that no mean pins its distribution (6 alike would hide the item).
    people = [
        {f"mot{i}": 5 - n % 2 for i in (1, 2, 3)}
        | {f"led{i}": (3, 2, 3, 4, 3, 3)[n] for i in (1, 2, 3)}
        | {f"sty{i}": 1 + n % 2 for i in (1, 2, 3)}
        for n in range(6)
    ]
    campaign = one_instrument_campaign(org, units, None, people)
    snapshot = get_snapshot(campaign)
    context = unit_context(
        snapshot, ResultUnit.objects.get(snapshot=snapshot, external_id="HEM"), "sv"
    )
    weakest = [r["key"] for r in context["weakest"]]
    strongest = [r["key"] for r in context["strongest"]]
    assert weakest == ["hme.styrning", "hme.ledarskap"] and strongest == ["hme.motivation"]


def test_a_sensitive_question_names_its_own_threshold(client, admin_user, org, units):
    rows = [{"plain": 3, "harassed": 2}] * 8
    campaign = one_instrument_campaign(org, units, SENSITIVE, rows, k=5, k_sensitive=15)
    client.force_login(admin_user)
    page = client.get(url("unit", campaign, units["HEM"].pk)).text
    assert "Fewer than 15 answers to this sensitive question" in page


def test_the_workbook_keeps_a_whole_0_to_10_distribution_under_its_values(org, units):
    campaign = one_instrument_campaign(
        org, units, ELEVEN, [{"nps": v} for v in (0, 0, 7, 10, 10, 10)], k_dist=5
    )
    book = load_workbook(io.BytesIO(exports.xlsx_bytes(get_snapshot(campaign))))
    rows = list(book.worksheets[1].iter_rows(values_only=True))
    hem = dict(
        zip(rows[0], next(r for r in rows if r[0] == "HEM" and r[2] == "elva.nps"), strict=True)
    )
    assert hem["Scale"] == "0–10"
    assert [hem[str(v)] for v in range(11)] == [2, 0, 0, 0, 0, 0, 0, 1, 0, 0, 3]


def test_a_unit_name_that_looks_like_a_formula_stays_text(org, units):
    campaign = make_campaign(org, units["K"])
    answer(campaign, add_unit(org, "EK", units["SOC"], name="=Ekonomi+Lön"), [4] * 6)
    book = load_workbook(io.BytesIO(exports.xlsx_bytes(get_snapshot(campaign))))
    cells = [c for row in book.worksheets[0].iter_rows() for c in row if c.value == "=Ekonomi+Lön"]
    assert cells and all(c.data_type == "s" for c in cells)


def kolada(client, content: bytes):
    return client.post(
        reverse("results:kolada", args=["testby"]),
        {"municipality_code": "0180", "file": SimpleUploadedFile("kolada.csv", content)},
    )


@pytest.mark.parametrize(
    "content, needle",
    [
        (b"municipality_code;year;total\n0180;2024;70\x81\n", "not a CSV text file"),
        (b"PK\x03\x04\x00\x00binary", "not a CSV text file"),
        ("municipality_code,year,total\n0180,2²24,70\n".encode(), "“2²24” is not a year"),
        (
            "municipality_code,year,total\n٠١٨٠,2024,70\n".encode(),
            "“٠١٨٠” is not a four-digit municipality code",
        ),
        ("municipality_code,year,total\n0180,2024,٧٠\n".encode(), "“٧٠” is not an index"),
    ],
)
def test_a_bad_kolada_file_is_named_and_nothing_imported(client, admin_user, content, needle):
    client.force_login(admin_user)
    response = kolada(client, content)
    assert response.status_code == 200
    assert needle in response.text
    assert not KoladaValue.objects.exists()


def test_after_a_reorganisation_pages_and_exports_agree_on_who_sees_a_unit(
    client, manager_user, org, units
):
    """HEM moves from SOC to BUF after the results were published: SOC's manager sees it
    neither on its page nor in the overview or the exports (by today's tree, as the page)."""
    import json

    campaign = make_campaign(org, units["K"])
    answer(campaign, units["HEM"], [4] * 9)
    answer(campaign, units["BUF"], [4] * 9)
    get_snapshot(campaign)
    units["HEM"].parent = units["BUF"]
    units["HEM"].save()
    client.force_login(manager_user)  # manages SOC
    assert client.get(url("unit", campaign, units["HEM"].pk)).status_code == 403
    exported = json.loads(client.get(url("export", campaign, "json")).content)
    assert {u["id"] for u in exported["units"]} == {"SOC"}
    listed = client.get(url("overview", campaign)).context["rows"]
    assert [row["summary"]["id"] for row in listed] == ["SOC"]


def test_two_subtrees_at_different_depths_each_start_at_their_own_top(
    client, team_manager_user, org, units
):
    """HEM's manager (HEM at depth 2) also sits on BUF's MED group (BUF at depth 1): both are
    tops of the overview, counted in its totals and kept at level 1."""
    from tillit.org.models import RoleGrant

    RoleGrant.objects.create(
        organisation=org, email=team_manager_user.email, role=RoleGrant.Role.MED, unit=units["BUF"]
    )
    campaign = make_campaign(org, units["K"])
    answer(campaign, units["HEM"], [4] * 9, invited=10)
    answer(campaign, units["BUF"], [4] * 6, invited=20)
    client.force_login(team_manager_user)
    page = client.get(url("overview", campaign), {"level": "1"})
    rows = {row["summary"]["id"]: row for row in page.context["rows"]}
    assert set(rows) == {"BUF", "HEM"}
    assert rows["BUF"]["indent"] == rows["HEM"]["indent"] == 0
    assert page.context["totals"]["invited"] == 30


def test_a_free_text_campaign_of_imported_answers_reads_plainly(client, admin_user, org, units):
    """No invitations (imported answers) and no indices (free text only): no "of 0 invited",
    no empty index chart."""
    from tillit.instruments.shipped import install_shipped

    version = {v.instrument.slug: v for v, _new in install_shipped()}["goda-exempel"]
    stories = [{"berattelse": f"b {n}"} for n in range(12)]
    campaign = one_instrument_campaign(org, units, version, stories)
    client.force_login(admin_user)
    page = client.get(url("overview", campaign)).text
    assert "of 0 invited" not in page and "12 answers (nobody was invited" in page
    assert "Distribution of unit indices" not in page
    index = client.get(reverse("results:index", args=["testby"])).text
    assert "response rate – %" not in index and "12 answers" in index


def test_the_kolada_table_speaks_the_readers_language(client, admin_user, org, units):
    from tillit.results.models import ResultSettings

    campaign = make_campaign(org, units["K"])
    answer(campaign, units["HEM"], [4] * 9)
    ResultSettings.objects.update_or_create(
        organisation=org, defaults={"municipality_code": "0180"}
    )
    KoladaValue.objects.create(
        organisation=org, municipality_code="0180", year=2025, total=70, ledarskap=72
    )
    client.force_login(admin_user)
    page = client.get(url("overview", campaign)).text
    assert ">Leadership</th>" in page and ">Ledarskap</th>" not in page


def test_one_index_reads_the_same_in_the_table_the_words_and_the_change():
    """72.5 is 73 everywhere (floatformat rounds halves up; Python's round() made it 72), and
    72.4 against 71.6 is the same figure shown twice: no change, in words and in the column."""
    from django.template.defaultfilters import floatformat

    from tillit.results.charts import whole
    from tillit.results.present import change_words, signed

    assert floatformat(72.5, 0) == str(whole(72.5)) == "73"
    assert floatformat(-2.5, 0) == str(whole(-2.5))
    assert change_words("HME", 72.5, None).startswith("HME 73 ")
    assert change_words("HME", 72.4, 71.6) == "HME 72 – the same as last time"
    assert signed(whole(72.4) - whole(71.6)) == "±0"
    assert change_words("HME", 72.5, 70.4) == "HME 73 – 3 points above last time"


def test_importing_last_years_answers_gives_this_years_results_their_trend(
    client, admin_user, org, units, django_capture_on_commit_callbacks
):
    from tillit.results.models import ResultSnapshot
    from tillit.results.refreshing import publish_with_earlier
    from tillit.surveys.importing import import_responses

    campaign = make_campaign(org, units["K"])  # closed, 2026, results published
    answer(campaign, units["HEM"], [4] * 9)
    client.force_login(admin_user)
    assert "no comparison with last time" in client.get(url("unit", campaign, units["HEM"].pk)).text
    head = "unit_id,mot1,mot2,mot3,led1,led2,led3,sty1,sty2,sty3\n"
    with django_capture_on_commit_callbacks(execute=True):
        import_responses(
            (head + "HEM,3,3,3,3,3,3,3,3,3\n" * 9).encode(),
            "hme2025.csv",
            organisation=org,
            version=versions()[0],
            name="HME 2025",
            closed_on=dt.date(2025, 3, 21),
        )
    asked = ResultSnapshot.objects.filter(refresh_queued_at__isnull=False)
    assert campaign.pk in {s.campaign_id for s in asked}
    for snapshot in asked:  # what the task worker runs, in any order
        publish_with_earlier(snapshot.campaign)
    page = client.get(url("unit", campaign, units["HEM"].pk)).text
    assert "Compared with HME 2025" in page


def test_a_unit_right_below_the_top_is_compared_with_it_once(org, units):
    campaign = make_campaign(org, units["K"])
    answer(campaign, units["HEM"], [4] * 9)
    snapshot = get_snapshot(campaign)
    soc = unit_context(snapshot, ResultUnit.objects.get(snapshot=snapshot, external_id="SOC"), "sv")
    assert soc["parent"] is None and soc["root"]["id"] == "K"
    hem = unit_context(snapshot, ResultUnit.objects.get(snapshot=snapshot, external_id="HEM"), "sv")
    assert hem["parent"]["id"] == "SOC" and hem["root"]["id"] == "K"
