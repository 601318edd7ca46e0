"""Themes in published results: only from comments a unit shows, and on every output."""

import io
import json
import subprocess

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.test_results_helpers import add_unit, answer, make_campaign
from tillit.results.models import ResultSnapshot, ResultUnit
from tillit.results.snapshot import store_snapshot
from tillit.results.theming import theme_results, theme_snapshot
from tillit.surveys.models import Response
from tillit.themes.actions import do_merge_themes, do_rename_theme, do_start_codebook

pytestmark = pytest.mark.django_db

SHOWN = [
    "Vi hinner inte med allt, för lite personal på kvällarna.",
    "Stressen är hög och vikarier saknas när någon är sjuk.",
    "Arbetsbelastningen har ökat sedan i höstas.",
    "Journalsystemet krånglar varje morgon.",
    "Datorerna är gamla och inloggningen tar evigheter.",
    "Chefen lyssnar och ger återkoppling.",
    "Vår chef finns på plats och går att prata med.",
    "För mycket dokumentation som ingen läser.",
    "Blanketter och rapporter tar tid från brukarna.",
    "Kollegorna ställer upp för varandra.",
    "Bra samarbete i arbetsgruppen.",
    "Överlämningarna mellan kvällen och natten brister.",
]
# Team B writes about the premises: six comments, under k_text = 10, so never shown.
HIDDEN = [
    "Ventilationen i lokalen är usel, parkeringen räcker inte.",
    "Mögel i källaren och trångt i personalrummet.",
    "Lokalerna är för varma och ventilationen bullrar.",
    "Parkeringen och omklädningsrummet är för små.",
    "Kontorslandskapet är högljutt, lokalen är trång.",
    "Fukt i väggarna och dålig luft i lokalerna.",
]


@pytest.fixture
def themed(org, units):
    """Avdelning = team A (12 comments, shown) + team B (6 comments, hidden) + team C (3)."""
    avd = add_unit(org, "AVD", units["K"], name="Avdelningen")
    team_a = add_unit(org, "TA", avd, name="Team A")
    team_b = add_unit(org, "TB", avd, name="Team B")
    team_c = add_unit(org, "TC", avd, name="Team C")
    campaign = make_campaign(org, units["K"])
    answer(campaign, team_a, [4] * 12, comments=SHOWN)
    answer(campaign, team_b, [2] * 6, comments=HIDDEN)
    answer(campaign, team_c, [3] * 3, comments=["Lokalen är för liten."] * 3)
    snapshot = store_snapshot(campaign)
    theme_snapshot(ResultSnapshot.objects.get(pk=snapshot.pk))
    return campaign


def rows(campaign) -> dict[str, ResultUnit]:
    return {row.external_id: row for row in ResultUnit.objects.filter(snapshot__campaign=campaign)}


def test_themes_only_where_comments_are_shown(themed):
    found = rows(themed)
    assert found["TB"].shown and found["TB"].data["comments"][0]["reason"] == "text_below_k_text"
    assert found["TB"].data["themes"] == [] and "theme_counts" not in found["TB"].summary
    assert not found["TC"].shown and "themes" not in found["TC"].data
    shown = [row for row in found.values() if row.data.get("themes")]
    assert {row.external_id for row in shown} == {"K", "AVD", "TA"}
    for row in shown:
        # Each count is counted over the comments this unit shows, and nothing else.
        entry = row.data["comments"][0]
        assert len(entry["themes"]) == len(entry["texts"])
        for theme in row.data["themes"]:
            assert theme["count"] == entry["themes"].count(theme["id"])
            assert set(theme["quotes"]) <= set(entry["texts"])
        assert row.summary["theme_counts"] == {t["id"]: t["count"] for t in row.data["themes"]}
    # A parent minus its children: the avdelning's counts are team A's (team B is left out).
    assert found["AVD"].data["themes"] == found["TA"].data["themes"]
    assert found["K"].summary["theme_counts"] == found["TA"].summary["theme_counts"]


def test_hidden_comments_leave_no_trace(themed):
    snapshot = ResultSnapshot.objects.get(campaign=themed)
    ids = {theme["id"] for theme in snapshot.data["themes"]}
    assert "premises" not in ids  # only team B (hidden) and team C (hidden) wrote about it
    documents = [snapshot.data, *(row.data for row in snapshot.units.all())]
    everything = json.dumps(documents, ensure_ascii=False)
    for text in [*HIDDEN, "Lokalen är för liten."]:
        assert text not in everything
    for word in ("ventilationen", "mögel", "parkeringen", "lokalen"):
        assert word not in everything.lower()


def test_themes_are_made_from_the_snapshot_never_from_responses(themed):
    snapshot = ResultSnapshot.objects.get(campaign=themed)
    before = (
        [snapshot.data["themes"]],
        {k: r.data["themes"] for k, r in rows(themed).items() if "themes" in r.data},
    )
    Response.objects.filter(campaign=themed).delete()
    assert theme_results.call(themed.pk) == f"{len(snapshot.data['themes'])} themes"
    snapshot.refresh_from_db()
    after = (
        [snapshot.data["themes"]],
        {k: r.data["themes"] for k, r in rows(themed).items() if "themes" in r.data},
    )
    assert after == before


def test_publishing_queues_the_theming(org, units, settings, django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    team = add_unit(org, "TA", units["K"], name="Team A")
    campaign = make_campaign(org, units["K"])
    answer(campaign, team, [4] * 12, comments=SHOWN)
    with django_capture_on_commit_callbacks(execute=True):
        store_snapshot(campaign)
    snapshot = ResultSnapshot.objects.get(campaign=campaign)
    assert snapshot.data["themes"] and snapshot.data["themes_at"]


def url(name, campaign, *args):
    return reverse(f"results:{name}", args=["testby", campaign.pk, *args])


def test_unit_page_shows_themes_filters_and_searches(client, admin_user, themed, org):
    client.force_login(admin_user)
    avd = org.units.get(external_id="AVD")
    page = client.get(url("unit", themed, avd.pk)).content.decode()
    assert "Themes in the comments" in page and "Workload" in page
    # Quotes in Swedish on an English page are marked as Swedish (WCAG 3.1.2).
    assert '<blockquote lang="sv">' in page and "?theme=workload" in page
    filtered = client.get(url("unit", themed, avd.pk), {"theme": "it_systems"}).content.decode()
    assert (
        "Journalsystemet krånglar" in filtered
        and "Chefen lyssnar" not in filtered.split('id="comments"')[1]
    )
    searched = client.get(url("unit", themed, avd.pk), {"q": "CHEF"}).content.decode()
    listed = searched.split('id="comments"')[1]
    assert "Chefen lyssnar" in listed and "Journalsystemet" not in listed
    hidden = client.get(url("unit", themed, org.units.get(external_id="TB").pk)).content.decode()
    assert "Themes in the comments" not in hidden
    overview = client.get(url("overview", themed)).content.decode()
    assert 'id="theme-table"' in overview and "Team B" not in overview.split('id="theme-table"')[1]


def test_exports_carry_the_themes(client, admin_user, themed, org):
    client.force_login(admin_user)
    data = json.loads(client.get(url("export", themed, "json")).content)
    assert {t["id"] for t in data["themes"]} >= {"workload", "it_systems", "leadership"}
    team = next(u for u in data["units"] if u["id"] == "TA")
    entry = team["comments"][0]
    assert entry["themes"][entry["texts"].index(SHOWN[3])] == "it_systems"
    book = load_workbook(io.BytesIO(client.get(url("export", themed, "xlsx")).content))
    sheet = book["Comments"]
    header, *lines = list(sheet.iter_rows(values_only=True))
    assert header[-1] == "Theme"
    assert ("TA", "Team A", "tillitsindex.hjalper", SHOWN[3], "IT systems") in lines
    assert not any(line[0] in ("TB", "TC") for line in lines)
    pdf = client.get(url("unit_pdf", themed, org.units.get(external_id="AVD").pk)).content
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True).stdout.decode()
    assert "Themes in the comments" in text and "IT systems" in text


def test_a_renamed_and_merged_codebook_names_the_themes(themed, org):
    do_start_codebook(org)
    workload = org.codebook_themes.get(key="workload")
    do_rename_theme(workload, {"en": "Too much to do", "sv": "För mycket att göra"})
    do_merge_themes(org.codebook_themes.get(key="it_systems"), workload)
    theme_results.call(themed.pk)
    snapshot = ResultSnapshot.objects.get(campaign=themed)
    labels = {t["id"]: t["labels"]["en"] for t in snapshot.data["themes"]}
    assert labels["workload"] == "Too much to do" and "it_systems" not in labels
    team = rows(themed)["TA"].data["comments"][0]
    assert team["themes"][team["texts"].index(SHOWN[3])] == "workload"


def test_codebook_page_renames_merges_and_adds(client, admin_user, manager_user, org):
    page = reverse("themes:codebook", args=["testby"])
    client.force_login(manager_user)
    assert client.get(page).status_code == 403
    client.force_login(admin_user)
    assert "Workload" in client.get(page).content.decode()
    client.post(page, {"action": "rename", "key": "workload", "en": "Pressure", "sv": ""})
    assert org.codebook_themes.get(key="workload").labels["en"] == "Pressure"
    assert org.codebook_themes.get(key="workload").labels["sv"] == "Arbetsbelastning"
    client.post(page, {"action": "merge", "key": "pay", "into": "workload"})
    assert not org.codebook_themes.filter(key="pay").exists()
    assert "lönen" in org.codebook_themes.get(key="workload").terms["sv"]
    response = client.post(page, {"action": "add", "label": "Matsalen", "words": "mat matsal"})
    assert response.status_code == 200 and not org.codebook_themes.filter(key="matsalen").exists()
    client.post(
        page, {"action": "add", "label": "Matsalen", "words": "mat, matsal", "language": "sv"}
    )
    assert org.codebook_themes.get(key="matsalen").terms == {"sv": "mat matsal"}


def test_the_results_command_carries_themes(themed, tmp_path):
    from django.core.management import call_command

    ResultSnapshot.objects.filter(campaign=themed).update(data={})  # as if never themed
    store_snapshot(themed)
    out = tmp_path / "r.json"
    call_command("results", str(themed.pk), org="testby", format="json", output=str(out))
    data = json.loads(out.read_text())
    assert {t["id"] for t in data["themes"]} >= {"workload", "it_systems"}
    team = next(u for u in data["units"] if u["id"] == "TA")
    assert team["themes"] and len(team["comments"][0]["themes"]) == len(SHOWN)


def test_a_manager_gets_only_the_themes_of_units_they_may_see(themed, org):
    from tillit.results.snapshot import published_json

    snapshot = ResultSnapshot.objects.get(campaign=themed)
    team = org.units.get(external_id="TB")
    data = published_json(snapshot, {team.pk})
    assert data["themes"] == []  # team B's comments are hidden: no themes at all
    whole = published_json(snapshot)
    assert all("count" in theme for theme in whole["themes"])


def test_the_oracle_finds_no_small_group_in_the_theme_counts(themed):
    """Atoms: each team's own comments (A 12, B 6, C 3). A unit's theme counts sum over the
    atoms whose comments its list shows; no union of atoms under k_text may be derivable."""
    from tests.oracle import find_leak

    atoms = {"TA": SHOWN, "TB": HIDDEN, "TC": ["Lokalen är för liten."] * 3}
    names = list(atoms)
    cells = []
    for row in rows(themed).values():
        for entry in row.data.get("comments") or []:
            if "themes" in entry:
                shown = set(entry["texts"])
                cells.append([names.index(a) for a, texts in atoms.items() if shown & set(texts)])
    sizes = [len(atoms[a]) for a in names]
    assert cells and find_leak(sizes, cells, k=10) is None
    # Counting themes over the raw answers instead would give K and AVD all three teams:
    # K − team A is teams B and C, nine people, and the oracle says so.
    naive = [[0, 1, 2], [0, 1, 2], [0]]
    assert sorted(find_leak(sizes, naive, k=10)) == [1, 2]


def test_an_emerging_theme_is_kept_in_the_codebook_from_the_unit_page(client, admin_user, org):
    unit = add_unit(org, "MAT", org.units.get(external_id="K"), name="Köket")
    canteen = [
        f"Maten i matsalen är {w} och portionerna {p}."
        for w in ("kall", "salt", "dyr", "ljummen")
        for p in ("små", "stora", "snåla", "fina")
    ]
    bikes = [
        f"Cykelstället vid {w} saknar tak och cyklarna {p}."
        for w in ("entrén", "gaveln", "garaget", "skolan")
        for p in ("rostar", "stjäls", "välter", "står i vägen")
    ]
    campaign = make_campaign(org, org.units.get(external_id="K"))
    answer(campaign, unit, [4] * 32, comments=canteen + bikes)
    theme_snapshot(ResultSnapshot.objects.get(pk=store_snapshot(campaign).pk))
    client.force_login(admin_user)
    page = client.get(url("unit", campaign, unit.pk)).content.decode()
    assert "Found in these comments; not in the codebook." in page
    assert "Keep this theme in the codebook" in page
    emerging = next(
        t for t in ResultSnapshot.objects.get(campaign=campaign).data["themes"] if t["key"] is None
    )
    client.post(
        reverse("themes:codebook", args=["testby"]),
        {
            "action": "add",
            "label": ", ".join(emerging["terms"][:3]),
            "words": " ".join(emerging["terms"]),
            "language": "sv",
        },
    )
    kept = org.codebook_themes.order_by("-position").first()
    assert kept.terms["sv"].split() == emerging["terms"]
