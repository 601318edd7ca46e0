"""Results at scale: 100,000 respondents × 40 items in 5,000 units (4–6 levels).

Run: .venv/bin/python bench/results.py [--respondents 100000] [--units 5000]
     DATABASE_URL=postgres://… .venv/bin/python bench/results.py   (PostgreSQL instead of SQLite)

Builds a throw-away database (SQLite in a temporary folder; with DATABASE_URL a new database on
that PostgreSQL server; both removed afterwards unless --keep), one organisation of --units
units, one campaign of HME + Tillitsindex + a ten-item bench instrument
(40 scale items) with --respondents answers and a small one with 1,000, all bulk-inserted, then
times, each against a baseline measured in the same run:
 (a) computing and storing the published result (`store_snapshot`) vs the bare SQL
     `GROUP BY unit, item, value` through a raw cursor (the floor for reading the data);
 (b) the roll-up, disclosure control and indices alone (`publish` + indices on in-memory
     histograms) vs numpy `bincount` over the same answers in memory;
 (c) rendering the organisation overview and one unit page from the snapshot, at 1,000 and at
     --respondents respondents (median of 5, through Django's test client);
 (d) a naive per-unit ORM query over each subtree (measured on a sample of units and
     extrapolated to all of them), to show what one GROUP BY + roll-up saves;
 (e) one unit's PDF report;
 (f) a ZIP of --batch unit reports, laid out in one process and in one worker process per CPU.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._database import machine_speed, throwaway_database  # noqa: E402

BENCH_INSTRUMENT = """
id: bench
version: 1
languages: [sv, en]
title: {sv: Bänk, en: Bench}
scales:
  s5: {min: 1, max: 5, labels: {sv: [a, b, c, d, e], en: [a, b, c, d, e]}}
constructs:
  - {id: extra, title: {sv: Extra, en: Extra}}
scoring: {method: linear, to_min: 0, to_max: 100}
sections:
  - id: extra
    title: {sv: Extra, en: Extra}
    items:
""" + "".join(
    f"      - {{id: x{n}, type: scale, scale: s5, construct: extra, "
    f"text: {{sv: X{n}, en: X{n}}}}}\n"
    for n in range(10)
)


def timed(function, repeat: int = 1):
    """(best seconds, last result) over `repeat` runs."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return best, result


def build_units(org, n_units: int, rng: random.Random):
    """A tree of n_units with 4–6 levels: root, then widening levels, leaves at depth 3–5."""
    from tillit.org.models import Unit

    sizes, fanout = [1], [8, 6, 7, 6, 6]
    for width in fanout:
        if sum(sizes) >= n_units:
            break
        sizes.append(min(n_units - sum(sizes), sizes[-1] * width))
    start = (Unit.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    rows, paths, previous, pk = [], {}, [], start
    for depth, size in enumerate(sizes):
        mine = []
        for _ in range(size):
            # Random parents: some units get no children, so leaves sit at several depths.
            parent_pk = rng.choice(previous) if previous else None
            paths[pk] = (paths[parent_pk] if parent_pk else "/") + f"{pk}/"
            rows.append(
                Unit(
                    pk=pk,
                    organisation=org,
                    external_id=f"U{pk}",
                    name=f"Enhet {pk}",
                    parent_id=parent_pk,
                    path=paths[pk],
                    depth=depth,
                )
            )
            mine.append(pk)
            pk += 1
        previous = mine
    levels = sizes
    Unit.objects.bulk_create(rows, batch_size=2000)
    return [u.pk for u in rows], len(levels)


def make_campaign(org, root_pk, versions, name):
    import datetime as dt

    from tillit.surveys.models import Campaign, CampaignInstrument

    campaign = Campaign.objects.create(
        organisation=org,
        name=name,
        target_unit_id=root_pk,
        opens_on=dt.date(2026, 3, 1),
        closes_on=dt.date(2026, 3, 20),
        status=Campaign.Status.CLOSED,
    )
    for order, version in enumerate(versions):
        CampaignInstrument.objects.create(campaign=campaign, version=version, order=order)
    return campaign


def fill(campaign, unit_pks, respondents, rng, item_ids):
    """Bulk-insert invitations, responses and answers; returns (units, items, values) arrays."""
    import numpy as np
    from django.db import transaction

    from tillit.surveys.models import Invitation, hash_token
    from tillit.surveys.storing import bulk_store_responses

    definitions = {v.definition["id"]: v.definition for v in campaign.versions()}
    weights = [rng.random() ** 2 for _ in unit_pks]
    units = rng.choices(unit_pks, weights=weights, k=respondents)
    effect = {pk: rng.gauss(0, 0.5) for pk in unit_pks}
    collected_units, collected_items, collected_values = [], [], []
    with transaction.atomic():
        Invitation.objects.bulk_create(
            (
                Invitation(
                    campaign=campaign,
                    unit_id=pk,
                    token_hash=hash_token(f"{campaign.pk}-{n}"),
                    responded=True,
                )
                for n, pk in enumerate(units)
            ),
            batch_size=5000,
        )
        rows = []
        for unit_pk in units:
            level = 3.4 + effect[unit_pk] + rng.gauss(0, 0.6)
            answers = {}
            for position, (instrument, item) in enumerate(item_ids):
                value = min(5, max(1, round(level + rng.gauss(0, 0.7))))
                answers.setdefault(instrument, {})[item] = value
                collected_units.append(unit_pk)
                collected_items.append(position)
                collected_values.append(value)
            rows.append((unit_pk, {}, answers))
            if len(rows) >= 5000:
                bulk_store_responses(campaign.pk, rows, definitions, campaign.closes_on)
                rows = []
        bulk_store_responses(campaign.pk, rows, definitions, campaign.closes_on)
    return (
        np.array(collected_units, dtype=np.int64),
        np.array(collected_items, dtype=np.int64),
        np.array(collected_values, dtype=np.int64),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=100_000)
    parser.add_argument("--units", type=int, default=5_000)
    parser.add_argument("--naive-sample", type=int, default=20)
    parser.add_argument("--batch", type=int, default=40, help="unit reports in the ZIP of (f)")
    parser.add_argument("--keep", action="store_true", help="keep the database, for profiling")
    args = parser.parse_args()
    database = (
        "PostgreSQL" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "SQLite"
    )
    with throwaway_database("results", keep=args.keep) as (url, _folder):
        os.environ.update(
            DATABASE_URL=url,
            DJANGO_SETTINGS_MODULE="tillit.settings",
            TILLIT_DEBUG="0",
            TILLIT_ALLOWED_HOSTS="testserver,localhost",
        )
        print(machine_speed(), "(before)")
        run(args, database)
        print(machine_speed(), "(after)")


def run(args: argparse.Namespace, database: str) -> None:
    """Build the campaign and time (a)–(f)."""
    import django

    django.setup()
    import numpy as np
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.test import Client

    from tillit.core.models import User
    from tillit.instruments.loading import install, load_yaml
    from tillit.instruments.shipped import install_shipped
    from tillit.org.models import Organisation, RoleGrant
    from tillit.results import exports
    from tillit.results.building import instruments_of
    from tillit.results.disclosure import Thresholds
    from tillit.results.models import ResultUnit
    from tillit.results.publication import ItemSpec, publish
    from tillit.results.refreshing import get_snapshot
    from tillit.results.snapshot import store_snapshot
    from tillit.results.statistics import Tree, indices
    from tillit.surveys.models import Answer

    call_command("migrate", verbosity=0)
    rng = random.Random(2026)
    print(f"Database: {database}; {args.units} units, {args.respondents} respondents × 40 items")
    org = Organisation.objects.create(slug="bench", name="Bänkby kommun")
    unit_pks, n_levels = build_units(org, args.units, rng)
    installed = {v.instrument.slug: v for v, _new in install_shipped()}
    bench_version, _new = install(load_yaml(BENCH_INSTRUMENT.encode()))
    versions = [installed["hme"], installed["tillitsindex"], bench_version]
    item_ids = [
        (v.definition["id"], i["id"])
        for v in versions
        for s in v.definition["sections"]
        for i in s["items"]
        if i["type"] == "scale"
    ]
    assert len(item_ids) == 40, len(item_ids)
    start = time.perf_counter()
    big = make_campaign(org, unit_pks[0], versions, "Stor")
    answers = fill(big, unit_pks, args.respondents, rng, item_ids)
    small = make_campaign(org, unit_pks[0], versions, "Liten")
    fill(small, unit_pks, 1_000, rng, item_ids)
    print(
        f"Built {n_levels} levels and {len(answers[0]):,} answers "
        f"in {time.perf_counter() - start:.0f} s"
    )

    # (a) snapshot vs the bare GROUP BY.
    query = (
        Answer.objects.filter(campaign=big, value__isnull=False)
        .values_list("unit_id", "instrument", "item_id", "value")
        .annotate(n=Count("*"))
        .order_by()
    )
    sql, params = query.query.sql_with_params()

    def bare():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return len(cursor.fetchall())

    bare()  # warm the cache for both
    t_bare, groups = timed(bare, 2)
    # The first publication (decided, and written to the ledger), then the same publication
    # again with no new answers (its decisions read back from the ledger, nothing recomputed).
    t_snap, _ = timed(lambda: store_snapshot(big), 1)
    t_again, _ = timed(lambda: store_snapshot(big), 2)
    print(
        f"(a) snapshot {t_snap:.2f} s vs bare GROUP BY {t_bare:.2f} s ({groups:,} groups): "
        f"{t_snap / t_bare:.2f}× (target ≤ 2×); published again from the ledger "
        f"{t_again:.2f} s: {t_again / t_bare:.2f}×"
    )

    # (b) roll-up + disclosure + indices vs numpy bincount, in memory.
    units_a, items_a, values_a = answers
    index = {pk: i for i, pk in enumerate(unit_pks)}
    from tillit.org.models import Unit

    parents = dict(Unit.objects.filter(organisation=org).values_list("pk", "parent_id"))
    tree = Tree.from_units((pk, parents[pk]) for pk in unit_pks)
    unit_index = np.array([index[u] for u in units_a.tolist()], dtype=np.int64)
    flat = (unit_index * 40 + items_a) * 5 + (values_a - 1)

    def bincount():
        return np.bincount(flat, minlength=len(unit_pks) * 200).reshape(len(unit_pks), 40, 5)

    t_bin, hist = timed(bincount, 9)  # best of many: both are short, and the VM is noisy
    specs = [ItemSpec(f"{a}.{b}") for a, b in item_ids]
    hists = {spec.id: hist[:, n, :] for n, spec in enumerate(specs)}
    n_direct = np.bincount(unit_index[items_a == 0], minlength=len(unit_pks))
    instruments = instruments_of(big)

    def engine():
        publication = publish(tree, n_direct, specs, hists, Thresholds())
        for inst in instruments:
            means = {i: publication.means[f"{inst['slug']}.{i}"] for i in inst["scoring"].maps}
            indices(means, inst["scoring"])
        return publication

    t_engine, _ = timed(engine, 9)
    print(
        f"(b) roll-up + disclosure + indices {t_engine * 1000:.0f} ms vs numpy bincount "
        f"{t_bin * 1000:.0f} ms: {t_engine / t_bin:.1f}× (target ≤ 10×)"
    )

    # (c) rendering from the snapshot.
    user = User.objects.create_user("bench@bench.se", "bench-password-1")
    RoleGrant.objects.create(organisation=org, email=user.email, role=RoleGrant.Role.ADMIN)
    client = Client()
    client.force_login(user)
    for campaign, label in ((small, "1,000"), (big, f"{args.respondents:,}")):
        snapshot = get_snapshot(campaign)
        row = (
            ResultUnit.objects.filter(snapshot=snapshot, shown=True, depth=3).first()
            or ResultUnit.objects.filter(snapshot=snapshot, shown=True).last()
        )

        def get(url):
            times = []
            for _ in range(5):
                start = time.perf_counter()
                response = client.get(url)
                times.append(time.perf_counter() - start)
                assert response.status_code == 200, response.status_code
            return statistics.median(times)

        overview = get(f"/o/bench/results/{campaign.pk}/")
        unit_page = get(f"/o/bench/results/{campaign.pk}/units/{row.unit_pk}/")
        print(
            f"(c) {label} respondents: overview {overview * 1000:.0f} ms, unit page "
            f"{unit_page * 1000:.0f} ms (target < 300 ms)"
        )

    # (d) naive: one ORM GROUP BY per unit over its subtree (a sample, extrapolated).
    sample = rng.sample(unit_pks, min(args.naive_sample, len(unit_pks)))
    paths = dict(Unit.objects.filter(pk__in=sample).values_list("pk", "path"))

    def naive():
        for pk in sample:
            list(
                Answer.objects.filter(campaign=big, unit__path__startswith=paths[pk])
                .values_list("instrument", "item_id", "value")
                .annotate(n=Count("*"))
            )

    t_naive, _ = timed(naive)
    whole = t_naive / len(sample) * len(unit_pks)
    print(
        f"(d) naive per-unit subtree queries: {t_naive:.2f} s for {len(sample)} units, "
        f"≈ {whole:.0f} s for all {len(unit_pks)}: {whole / t_snap:.0f}× the snapshot "
        "(and no disclosure control)"
    )

    # (e) one unit PDF.
    snapshot = get_snapshot(big)
    row = ResultUnit.objects.filter(snapshot=snapshot, shown=True, depth=2).first()
    exports.unit_pdf(snapshot, row, "sv")  # WeasyPrint's import and fonts, once
    t_pdf, pdf = timed(lambda: exports.unit_pdf(snapshot, row, "sv"), 3)
    print(f"(e) one unit PDF: {t_pdf * 1000:.0f} ms, {len(pdf) // 1024} KiB (target < 1 s)")

    # (f) a ZIP of unit reports, laid out in this process and in worker processes.
    from django.conf import settings

    from tillit.results.models import ReportBatch

    pks = list(
        ResultUnit.objects.filter(snapshot=snapshot, shown=True)
        .order_by("position")
        .values_list("unit_pk", flat=True)[: args.batch]
    )
    # `user` is the admin of (c).
    seconds = {}
    for processes in (1, os.cpu_count() or 1):
        settings.REPORT_PROCESSES = processes
        batch = ReportBatch.objects.create(
            campaign=big, created_by=user, language="sv", unit_pks=pks, total=len(pks)
        )
        started = time.perf_counter()
        assert exports.run_batch(batch.pk) == ReportBatch.Status.DONE
        seconds[processes] = time.perf_counter() - started
    serial, parallel = seconds[1], seconds[os.cpu_count() or 1]
    print(
        f"(f) ZIP of {len(pks)} unit reports: {serial:.1f} s in one process "
        f"({serial / len(pks) * 1000:.0f} ms each), {parallel:.1f} s with {os.cpu_count()} "
        f"worker processes: {serial / parallel:.2f}× faster"
    )


if __name__ == "__main__":
    main()
