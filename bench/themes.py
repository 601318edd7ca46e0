"""Comment themes at scale: 100,000 published comments over 5,000 units, themed in the task.

Run: .venv/bin/python bench/themes.py [--comments 100000] [--units 5000]
     DATABASE_URL=postgres://… .venv/bin/python bench/themes.py   (PostgreSQL instead of SQLite)

Builds a throw-away database with one organisation of --units units (4–6 levels, as
bench/results.py) and a closed campaign whose stored snapshot publishes --comments comments
in Swedish, Danish, Norwegian and English (made by the demo's comment generator, two joined
per comment so that nearly all are distinct): every unit with at least k_text = 10 comments in
its subtree shows them all, as the results engine does when every comment is owned. Then times,
in the same run:
 (a) the background task `theme_results` – read the snapshot's rows, language, stems, codebook,
     centroids, NMF with the number of themes chosen by stability, quotes, write every row back;
 (b) the pipeline alone (`find_themes`) on the distinct published comments;
 (c) the baseline: plain TF-IDF (scikit-learn's `TfidfVectorizer`, default settings) fitted on
     the same comments – what any text analysis costs at least.
Prints the ratios (a)/(c) and (b)/(c), and the process's peak memory (targets: (a) < 60 s and
< 1 GB on the project's 2-core machine).
"""

import argparse
import os
import random
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._database import machine_speed, throwaway_database  # noqa: E402
from bench.results import build_units, make_campaign  # noqa: E402

K_TEXT = 10


def comments(n: int, rng: random.Random) -> list[str]:
    """n comments, most in Swedish, some Danish, a few Norwegian and English."""
    from tillit.surveys.demo_comments import demo_comment

    found = []
    for _ in range(n):
        language = rng.choices(["sv", "da", "nb", "en"], weights=[60, 30, 5, 5])[0]
        item = rng.choice(["hjalper", "hindrar"])
        first = demo_comment(rng, language, item) or ""
        second = demo_comment(rng, language, rng.choice(["hjalper", "hindrar"])) or ""
        found.append(f"{first} {second}".strip())
    return found


def build_snapshot(campaign, unit_pks: list[int], texts: list[str], rng: random.Random):
    """A stored snapshot as publishing leaves it: each unit shows its subtree's comments."""
    from django.utils import timezone

    from tillit.org.models import Unit
    from tillit.results.models import ResultSnapshot, ResultUnit

    units = list(Unit.objects.filter(pk__in=unit_pks).order_by("depth", "pk"))
    own: dict[int, list[str]] = {pk: [] for pk in unit_pks}
    for text in texts:
        own[rng.choice(unit_pks)].append(text)
    parent = {u.pk: u.parent_id for u in units}
    subtree: dict[int, list[str]] = {pk: list(own[pk]) for pk in unit_pks}
    for unit in reversed(units):  # children before parents
        if parent[unit.pk] is not None:
            subtree[parent[unit.pk]].extend(subtree[unit.pk])
    external = {u.pk: u.external_id for u in units}
    snapshot = ResultSnapshot.objects.create(
        campaign=campaign,
        computed_at=timezone.now(),
        data={
            "phase": "published",
            "thresholds": {"k": 5, "k_dist": 8, "k_text": K_TEXT, "k_sensitive": 20},
        },
    )
    rows = []
    for position, unit in enumerate(units):
        listed = subtree[unit.pk]
        entry = (
            {"item": "tillitsindex.hindrar", "texts": sorted(listed)}
            if len(listed) >= K_TEXT
            else {"item": "tillitsindex.hindrar", "reason": "text_below_k_text"}
        )
        data = {
            "id": unit.external_id,
            "name": unit.name,
            "parent_id": external.get(unit.parent_id),
            "unit_pk": unit.pk,
            "shown": True,
            "comments": [entry],
        }
        rows.append(
            ResultUnit(
                snapshot=snapshot,
                unit_pk=unit.pk,
                external_id=unit.external_id,
                parent_external_id=external.get(unit.parent_id) or "",
                path=unit.path,
                depth=unit.depth,
                position=position,
                shown=True,
                summary={"id": unit.external_id, "name": unit.name, "shown": True},
                data=data,
            )
        )
    ResultUnit.objects.bulk_create(rows, batch_size=500)
    published = sum(len(subtree[u.pk]) for u in units if len(subtree[u.pk]) >= K_TEXT)
    return snapshot, published


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--units", type=int, default=5_000)
    parser.add_argument("--keep", action="store_true", help="keep the database, for profiling")
    args = parser.parse_args()
    database = (
        "PostgreSQL" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "SQLite"
    )
    with throwaway_database("themes", keep=args.keep) as (url, _folder):
        os.environ.update(
            DATABASE_URL=url,
            DJANGO_SETTINGS_MODULE="tillit.settings",
            TILLIT_DEBUG="0",
        )
        print(machine_speed(), "(before)")
        run(args, database)
        print(machine_speed(), "(after)")


def run(args: argparse.Namespace, database: str) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    from tillit.instruments.shipped import install_shipped
    from tillit.org.models import Organisation
    from tillit.results.models import ResultSnapshot
    from tillit.results.theming import theme_results
    from tillit.themes.pipeline import find_themes

    call_command("migrate", verbosity=0)
    rng = random.Random(2026)
    org = Organisation.objects.create(slug="bench", name="Bänkby kommun")
    unit_pks, levels = build_units(org, args.units, rng)
    versions = [v for v, _new in install_shipped() if v.instrument.slug in ("hme", "tillitsindex")]
    campaign = make_campaign(org, unit_pks[0], versions, "Bänk 2026")
    texts = comments(args.comments, rng)
    distinct = sorted(set(texts))
    snapshot, published = build_snapshot(campaign, unit_pks, texts, rng)
    print(
        f"{database}: {args.units} units in {levels} levels, {len(texts)} comments "
        f"({len(distinct)} distinct), {published} comment lines published over all units"
    )
    before = peak_mb()

    # (c) first: the baseline must not profit from a warm cache the pipeline left behind.
    from sklearn.feature_extraction.text import TfidfVectorizer

    start, cpu = time.perf_counter(), time.process_time()
    TfidfVectorizer().fit_transform(distinct)
    t_tfidf, c_tfidf = time.perf_counter() - start, time.process_time() - cpu

    start, cpu = time.perf_counter(), time.process_time()
    found = find_themes(distinct)
    t_pipeline, c_pipeline = time.perf_counter() - start, time.process_time() - cpu
    themed = sum(1 for text in distinct if found.theme_of[text] is not None)

    start, cpu = time.perf_counter(), time.process_time()
    outcome = theme_results.call(campaign.pk)
    t_task, c_task = time.perf_counter() - start, time.process_time() - cpu
    snapshot = ResultSnapshot.objects.get(pk=snapshot.pk)
    names = ", ".join(
        f"{t['labels'].get('sv') or '/'.join(t['terms'][:3])} {t['count']}"
        for t in snapshot.data["themes"]
    )
    print(f"themes: {outcome}: {names}")
    print(f"comments in a theme: {themed / len(distinct):.1%}")
    # CPU time beside wall time: on a shared machine the wall clock measures the neighbours.
    print("                                   wall      ×      CPU      ×")
    for label, wall, used in (
        ("(c) plain TF-IDF (baseline)   ", t_tfidf, c_tfidf),
        ("(b) pipeline (find_themes)    ", t_pipeline, c_pipeline),
        ("(a) background task, with rows", t_task, c_task),
    ):
        print(f"{label} {wall:7.2f} s {wall / t_tfidf:6.1f} {used:7.2f} s {used / c_tfidf:6.1f}")
    print(f"peak memory of the process: {peak_mb():.0f} MB ({before:.0f} MB before theming)")


if __name__ == "__main__":
    main()
