"""Time and memory of importing a 2,500-unit, 50,000-person organisation.

Run: .venv/bin/python bench/import_org.py [--units 2500] [--people 50000]

Uses a throw-away SQLite file in a temporary folder (migrated here), generates the two CSV
files, and times `run_import` – the code the upload task and the commands run – against a
baseline measured in the same run: reading the same people CSV with the csv module and one
plain `bulk_create` of the same Person rows, with no validation. Memory: tracemalloc's
peak (Python allocations) in a second pass, because tracing slows Python down; and the
process's peak resident size (getrusage maxrss) after each step.
"""

import argparse
import csv
import io
import os
import random
import resource
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._database import throwaway_database  # noqa: E402

LEVELS = ("förvaltning", "avdelning", "enhet")
WORDS = [
    "Norr",
    "Söder",
    "Öster",
    "Väster",
    "Centrum",
    "Ängen",
    "Åsen",
    "Björkdal",
    "Ekbacken",
    "Granlid",
    "Lunden",
    "Sjövik",
]
AREAS = [
    "Vård",
    "Omsorg",
    "Skola",
    "Förskola",
    "Kultur",
    "Fritid",
    "Teknik",
    "Miljö",
    "Bygg",
    "Ekonomi",
    "HR",
    "IT",
]
FIRST = [
    "Anna",
    "Björn",
    "Cecilia",
    "Dag",
    "Elin",
    "Fredrik",
    "Greta",
    "Hugo",
    "Ingrid",
    "Johan",
    "Karin",
    "Lars",
    "Märta",
    "Nils",
    "Åsa",
]
LAST = [
    "Andersson",
    "Berg",
    "Carlsson",
    "Dahl",
    "Ek",
    "Forsberg",
    "Gustafsson",
    "Holm",
    "Isaksson",
    "Jönsson",
    "Öberg",
]


def make_files(n_units: int, n_people: int, seed: int = 7) -> tuple[bytes, bytes]:
    """A 4-level tree of `n_units` units and `n_people` people spread over them, as CSV."""
    rng = random.Random(seed)
    units = [("K", "", "Benchby kommun", "kommun")]
    fanout = (12, 8)
    forv = [f"F{i}" for i in range(fanout[0])]
    units += [(f, "K", f"{AREAS[i % 12]}förvaltningen", LEVELS[0]) for i, f in enumerate(forv)]
    avd = [(f"{f}A{j}", f) for f in forv for j in range(fanout[1])]
    units += [(a, f, f"{rng.choice(AREAS)} {rng.choice(WORDS)}", LEVELS[1]) for a, f in avd]
    i = 0
    while len(units) < n_units:
        parent = avd[i % len(avd)][0]
        units.append((f"E{i}", parent, f"Enhet {rng.choice(WORDS)} {i}", LEVELS[2]))
        i += 1
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["unit_id", "parent_id", "name", "manager_email", "type", "cost_centre"])
    for n, (uid, parent, name, kind) in enumerate(units):
        writer.writerow([uid, parent, name, f"chef{n}@benchby.se", kind, str(1000 + n)])
    units_csv = out.getvalue().encode("utf-8-sig")

    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["email", "unit_id", "name", "role", "language", "birth_year", "start_date"])
    leaves = [u[0] for u in units[1 + fanout[0] :]]
    for n in range(n_people):
        role = "med" if n % 97 == 0 else ("admin" if n in (1, 2) else "")
        writer.writerow(
            [
                f"person{n}@benchby.se",
                leaves[n % len(leaves)],
                f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                role,
                rng.choice(("sv", "sv", "sv", "en", "")),
                str(rng.randint(1955, 2004)),
                f"{rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}.{rng.randint(1990, 2024)}",
            ]
        )
    return units_csv, out.getvalue().encode("utf-8-sig")


def baseline(organisation, people_csv: bytes) -> int:
    """The least any import must do: parse the CSV and insert the rows, unchecked."""
    import datetime as dt

    from tillit.org.models import Person, Unit

    unit_ids = dict(
        Unit.objects.filter(organisation__slug="bench").values_list("external_id", "pk")
    )
    reader = csv.reader(io.StringIO(people_csv.decode("utf-8-sig")), delimiter=";")
    next(reader)
    people = [
        Person(
            organisation=organisation,
            email=email,
            name=name,
            unit_id=unit_ids[unit],
            language=language,
            birth_year=int(year),
            start_date=dt.datetime.strptime(start, "%d.%m.%Y").date(),  # noqa: DTZ007
        )
        for email, unit, name, _role, language, year, start in reader
    ]
    Person.objects.bulk_create(people)
    return len(people)


def maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=2500)
    parser.add_argument("--people", type=int, default=50000)
    args = parser.parse_args()

    with throwaway_database("import") as (url, _folder):
        run(args, url)


def run(args: argparse.Namespace, url: str) -> None:
    """Import the generated files into a fresh database at `url` and print the figures."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "tillit.settings"
    os.environ["TILLIT_DEBUG"] = "0"  # as in production: DEBUG keeps every query in memory
    os.environ["DATABASE_URL"] = url
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from tillit.org.import_jobs import run_import
    from tillit.org.models import Organisation, Person

    call_command("migrate", verbosity=0)
    units_csv, people_csv = make_files(args.units, args.people)
    print(
        f"{args.units:,} units ({len(units_csv) / 1e6:.1f} MB), "
        f"{args.people:,} people ({len(people_csv) / 1e6:.1f} MB); a throw-away database, "
        f"{connection.vendor}, {os.cpu_count()} CPU(s)\n"
    )

    def step(label, work, trace=False):
        if trace:
            tracemalloc.start()
        started = time.perf_counter()
        result = work()
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1] / 1e6 if trace else None
        if trace:
            tracemalloc.stop()
        return label, seconds, peak, maxrss_mb(), result

    def check(result):
        if not result.ok:
            sys.exit("import failed: " + "; ".join(str(e) for e in result.errors[:5]))
        return result

    def run_pass(trace: bool) -> list:
        suffix = "-traced" if trace else ""
        org = Organisation.objects.create(slug=f"bench{suffix}", name="Benchby")
        before = Organisation.objects.create(slug=f"baseline-a{suffix}", name="Baseline")
        after = Organisation.objects.create(slug=f"baseline-b{suffix}", name="Baseline")

        def do_import(kind: str, content: bytes):
            return lambda: check(run_import(org, kind, content, f"{kind}.csv"))

        # The baseline runs before and after the imports: other work on the machine
        # varies, and the lower of the two is the fairer yardstick.
        steps = [
            step("units import", do_import("units", units_csv), trace),
            step("baseline (1st run)", lambda: baseline(before, people_csv), trace),
            step("people import", do_import("people", people_csv), trace),
            step("people re-import, unchanged", do_import("people", people_csv), trace),
            step("baseline (2nd run)", lambda: baseline(after, people_csv), trace),
        ]
        assert Person.objects.filter(organisation=org, active=True).count() == args.people
        return steps

    load_before = os.getloadavg()[0]
    timed = run_pass(trace=False)
    load_after = os.getloadavg()[0]
    traced = run_pass(trace=True)
    base = min(timed[1][1], timed[4][1])
    print(f"{'step':<30} {'seconds':>8} {'× baseline':>11} {'tracemalloc peak':>17} {'maxrss':>9}")
    for (label, seconds, _, rss, _), (_, _, peak, _, _) in zip(timed, traced, strict=True):
        print(
            f"{label:<30} {seconds:>8.2f} {seconds / base:>11.1f} {peak:>14.0f} MB {rss:>6.0f} MB"
        )
    summary = timed[2][4].summary
    print(
        f"\npeople import: {summary['created']:,} created, {summary['grants_added']} roles granted;"
        f" units + people = {timed[0][1] + timed[2][1]:.2f} s (target: under 20 s)"
    )
    print(f"load average (1 min) {load_before:.1f} before, {load_after:.1f} after the timed pass")
    print("× baseline: against the faster baseline run. maxrss is the process's peak so far")
    print("(it never goes down); tracemalloc peaks come from a second, traced pass.")


if __name__ == "__main__":
    main()
