"""The steering-signal register at scale: 2,000 signals hitting subtrees of a 5,000-unit tree.

Run: .venv/bin/python bench/steering.py [--signals 2000] [--units 5000] [--people 50000]
     DATABASE_URL=postgres://… .venv/bin/python bench/steering.py   (PostgreSQL instead of SQLite)

Builds a throw-away database (as bench/results.py does), one organisation of --units units
(4–6 levels) with --people active people spread over them, and --signals signals in force,
each hitting one to three disjoint subtrees at random depths, with random frequencies,
minutes and performers (people per unit or a share of the staff). Then times, through
Django's test client as the process owner, against a baseline measured in the same run:
 (a) the burden heatmap page of the whole organisation (median of 5);
 (b) the same heatmap as XLSX (median of 3);
 (c) a manager's heatmap page, one subtree two levels down (median of 5);
against two baselines: reading the rows the heatmap needs (units, staff per unit, signals, hits)
through a raw cursor with no computation – the floor – and one bare SQL statement that
computes the same hours per (top-level unit, signal type) – staff per unit grouped, every hit
subtree joined as a range of paths – through a raw cursor (median of 3). Its sums are
checked against the page's, so both do the same work.
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
from bench.results import build_units  # noqa: E402

KINDS = ["goal", "indicator", "report", "rule", "time", "meeting", "grant"]


def median_time(function, repeat: int) -> tuple[float, object]:
    """(median seconds, last result) over `repeat` runs."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def build(org, args, rng):
    """Units, people and signals, bulk-inserted (the bench measures reading, not writing)."""
    from decimal import Decimal

    from django.db import transaction

    from tillit.org.models import Person, Unit
    from tillit.steering.models import Signal, SignalUnit

    unit_pks, levels = build_units(org, args.units, rng)
    units = list(Unit.objects.filter(organisation=org).values_list("pk", "path", "depth"))
    with transaction.atomic():
        Person.objects.bulk_create(
            (
                Person(
                    organisation=org,
                    email=f"p{n}@bench.invalid",
                    name=f"P{n}",
                    unit_id=rng.choice(unit_pks),
                )
                for n in range(args.people)
            ),
            batch_size=5000,
        )
        signals = Signal.objects.bulk_create(
            (
                Signal(
                    organisation=org,
                    title=f"Signal {n}",
                    kind=rng.choice(KINDS),
                    issuer_level="administration",
                    frequency=Decimal(rng.choice([1, 4, 12, 46, 220])),
                    minutes=Decimal(rng.choice([5, 10, 30, 60, 240])),
                    performers_kind=(kind := rng.choice(["people", "share"])),
                    performers=Decimal(
                        rng.randint(1, 3) if kind == "people" else rng.randint(10, 100)
                    ),
                    status="active",
                )
                for n in range(args.signals)
            ),
            batch_size=1000,
        )
        hits = []
        for signal in signals:
            chosen: list[str] = []
            for _ in range(rng.randint(1, 3)):
                # Deeper units are more common, as in a real register (most demands hit
                # a förvaltning or an avdelning, a few the whole organisation).
                pk, path, _depth = rng.choice(units)
                if any(path.startswith(p) or p.startswith(path) for p in chosen):
                    continue  # disjoint subtrees, so the SQL baseline need not deduplicate
                chosen.append(path)
                hits.append(SignalUnit(signal=signal, unit_id=pk))
        SignalUnit.objects.bulk_create(hits, batch_size=5000)
    return levels, len(hits)


def baseline(org_pk: int, root_pk: int, vendor: str):
    """The same hours per (top-level unit, type) as one bare SQL statement."""
    from django.db import connection

    least = "MIN" if vendor == "sqlite" else "LEAST"
    find = "instr" if vendor == "sqlite" else "strpos"
    # The row a unit belongs to is the second id of its path (the root's child), cut out of the
    # path rather than joined: a second range join made PostgreSQL's plan run for minutes.
    # Only units with staff of their own perform a signal, so the inner join to `staff` is
    # the same rule as burden.py's. A subtree is a range of paths (":" sorts after the digits
    # and "/"), which the path index serves; LIKE with a column pattern cannot use it.
    rest = "substr(u.path, length(root.path) + 1)"
    sql = f"""
        WITH staff AS (
            SELECT unit_id, COUNT(*) AS n FROM org_person
            WHERE organisation_id = %s AND active GROUP BY unit_id
        )
        SELECT substr({rest}, 1, {find}({rest}, '/') - 1) AS top, s.kind, SUM(
            CASE WHEN s.performers_kind = 'share' THEN staff.n * s.performers / 100.0
                 ELSE {least}(s.performers, staff.n) END
            * s.frequency * s.minutes / 60.0)
        FROM steering_signal s
        JOIN steering_signalunit h ON h.signal_id = s.id
        JOIN org_unit hit ON hit.id = h.unit_id
        JOIN org_unit u ON u.organisation_id = s.organisation_id
             AND u.path >= hit.path AND u.path < hit.path || ':' AND u.closed_at IS NULL
        JOIN staff ON staff.unit_id = u.id
        JOIN org_unit root ON root.id = %s
        WHERE s.organisation_id = %s AND u.id <> root.id
          AND s.status IN ('active', 'under_review', 'simplified', 'kept')
        GROUP BY 1, s.kind
    """  # noqa: S608 – the only interpolations are our own SQL fragments
    with connection.cursor() as cursor:
        cursor.execute(sql, [org_pk, root_pk, org_pk])
        return cursor.fetchall()


def reading_floor(org_pk: int):
    """The rows the heatmap needs, read through a raw cursor with no computation at all."""
    from django.db import connection

    statements = [
        "SELECT id, path FROM org_unit WHERE organisation_id = %s AND closed_at IS NULL",
        "SELECT unit_id, COUNT(*) FROM org_person WHERE organisation_id = %s AND active "
        "GROUP BY unit_id",
        "SELECT id, kind, performers_kind, performers, frequency, minutes FROM steering_signal "
        "WHERE organisation_id = %s",
        "SELECT h.signal_id, u.path FROM steering_signalunit h JOIN org_unit u "
        "ON u.id = h.unit_id WHERE u.organisation_id = %s",
    ]
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql, [org_pk])
            cursor.fetchall()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signals", type=int, default=2_000)
    parser.add_argument("--units", type=int, default=5_000)
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--keep", action="store_true", help="keep the database, for profiling")
    parser.add_argument(
        "--no-sql-baseline",
        action="store_true",
        help="skip the bare SQL aggregation (PostgreSQL's plan for it ran over ten minutes here)",
    )
    args = parser.parse_args()
    database = (
        "PostgreSQL" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "SQLite"
    )
    with throwaway_database("steering", keep=args.keep) as (url, _folder):
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
    """Build the register and time (a)–(c) against the baseline."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from tillit.core.models import User
    from tillit.org.models import Organisation, RoleGrant, Unit
    from tillit.steering import burden

    call_command("migrate", verbosity=0)
    rng = random.Random(2026)
    org = Organisation.objects.create(slug="bench", name="Bänkby kommun")
    start = time.perf_counter()
    levels, n_hits = build(org, args, rng)
    print(
        f"Database: {database}; {args.units} units in {levels} levels, {args.people} people, "
        f"{args.signals} signals hitting {n_hits} subtrees (built in "
        f"{time.perf_counter() - start:.1f} s)"
    )
    root = Unit.objects.get(organisation=org, parent__isnull=True)
    RoleGrant.objects.create(organisation=org, email="owner@bench.invalid", role="admin")
    User.objects.create_user("owner@bench.invalid", "bench-password-1")
    client = Client()
    client.login(username="owner@bench.invalid", password="bench-password-1")
    client.get("/o/bench/steering/burden/")  # warm: imports, templates, connection

    base_s, rows = None, None
    if not args.no_sql_baseline:
        base_s, rows = median_time(lambda: baseline(org.pk, root.pk, connection.vendor), 3)
    floor_s, _rows = median_time(lambda: reading_floor(org.pk), 5)
    page_s, page = median_time(lambda: client.get("/o/bench/steering/burden/"), 5)
    xlsx_s, xlsx = median_time(lambda: client.get("/o/bench/steering/burden.xlsx"), 3)
    assert page.status_code == 200 and xlsx.status_code == 200
    # Two levels down: a förvaltning chief's view of their own subtree.
    middle = Unit.objects.filter(organisation=org, depth=2).order_by("pk").first()
    sub_s, sub = median_time(lambda: client.get(f"/o/bench/steering/burden/?unit={middle.pk}"), 5)
    assert sub.status_code == 200

    # Both computed the same hours: the page's child rows against the SQL's.
    result = burden.burden_of(org, root)
    ours = sum(row.total for row in result.rows[1:])
    theirs = None
    if rows is not None:
        theirs = sum(float(hours) for _top, _kind, hours in rows)
        assert abs(ours - theirs) <= 1e-6 * max(1.0, theirs), (ours, theirs)

    def versus_sql(seconds: float) -> str:
        return f"{seconds / base_s:5.2f}" if base_s else "    –"

    print("                                          time    × SQL   × reading")
    if base_s:
        print(f"bare SQL aggregation (baseline)      {base_s * 1000:8.1f} ms   1.00")
    floor = f"{floor_s * 1000:8.1f} ms  {versus_sql(floor_s)}   1.0"
    print(f"reading the rows only (floor)        {floor}")
    for label, seconds in (
        ("(a) heatmap page, whole organisation", page_s),
        ("(b) heatmap XLSX                    ", xlsx_s),
        ("(c) heatmap page, a depth-2 subtree ", sub_s),
    ):
        print(f"{label} {seconds * 1000:8.1f} ms  {versus_sql(seconds)}  {seconds / floor_s:6.1f}")
    checked = f"SQL {theirs:,.0f}" if theirs is not None else "not compared"
    print(f"hours per year in the rows: {ours:,.0f} ({checked})")


if __name__ == "__main__":
    main()
