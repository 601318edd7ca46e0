"""Searching the good-examples library: 50,000 examples in four languages.

Run: .venv/bin/python bench/examples_search.py [--examples 50000]
     DATABASE_URL=postgres://… .venv/bin/python bench/examples_search.py   (PostgreSQL)

Builds a throw-away database with two organisations and --examples published examples (texts
drawn from a Swedish, Danish, Norwegian and English vocabulary, areas, principles, units of
five types, some shared), indexed by the migration's triggers as any write is. Then times the
library's own search (`tillit.examples.search`, the rows the page lists: 50, with their units)
against a bare full-text query in the same run – SQLite: `SELECT rowid FROM examples_fts WHERE
examples_fts MATCH ? ORDER BY rank LIMIT 50`; PostgreSQL: the GIN-indexed `@@` with ts_rank in
one dictionary – each the median of 7 over several queries:
 (a) a word search (Swedish, Danish and English words; a rare and a common one);
 (b) the same with filters (area, principle, only with evidence);
 (c) "examples like this one".
Target: (a)–(c) under 100 ms.
"""

import argparse
import itertools
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._database import machine_speed, throwaway_database  # noqa: E402

WORDS = {
    "sv": "hemtjänsten besöken målen uppföljning samverkan chefen medarbetarna brukaren rapporten "
    "dokumentation delegering förtroende arbetsgruppen nämnden mötet lärande tillit schemat "
    "kollegorna återkoppling",
    "da": "hjemmeplejen besøgene målene opfølgning samarbejdet lederen medarbejderne borgeren "
    "rapporten dokumentationen uddelegering tilliden arbejdsgruppen udvalget mødet læring "
    "fraværsregistreringen skemaet kollegerne feedback",
    "nb": "hjemmetjenesten besøkene målene oppfølging samarbeidet lederen medarbeiderne brukeren "
    "rapporten dokumentasjonen delegering tilliten arbeidsgruppen utvalget møtet læring "
    "timelisten kollegene tilbakemelding",
    "en": "home care visits goals follow-up collaboration manager employees citizen report "
    "documentation delegation trust team committee meeting learning rota colleagues feedback",
}
QUERIES = ["uppföljning", "dokumentationen", "tilbakemelding", "delegation", "rapporten"]
AREAS = ["steering", "leadership", "culture", "work_organisation"]
PRINCIPLES = ["tillit", "medborgarfokus", "helhetssyn", "handlingsutrymme", "stod", "kunskap"]


# Texts follow Zipf's law over 800 words per language: the real words sit at fixed ranks
# (2nd to 300th most used), the rest is a synthetic long tail – so a query word matches from
# about a third of a language's examples (rank 2) down to under one per cent (rank 300), as
# words of real texts do, instead of every query matching a quarter of the library.
RANKS = [2, 5, 10, 20, 30, 40, 60, 80, 100, 120, 150, 180, 200, 230, 260, 300, 350, 400, 450, 500]
CUMULATIVE = list(itertools.accumulate(1 / (rank + 1) for rank in range(800)))


def zipf_vocabulary(real: list[str], language: str) -> list[str]:
    """800 words in order of use: the real words at RANKS, made-up ones (random letters, so
    they share no prefixes) between."""
    letters = "abdefghijklmnoprstuvy"
    rng = random.Random(language)
    words = ["".join(rng.choices(letters, k=rng.randint(4, 11))) for _ in range(800)]
    for rank, word in zip(RANKS, real, strict=False):
        words[rank] = word
    return words


def median_ms(function, repeat: int = 7) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def build(n: int, rng: random.Random):
    """Two organisations, 200 units of five types, n published examples with their units."""
    from django.db import transaction

    from tillit.examples.models import GoodExample, codes
    from tillit.org.models import Organisation, Unit

    orgs = [
        Organisation.objects.create(slug="bench", name="Bänkby kommun"),
        Organisation.objects.create(slug="andra", name="Andra Kommune", language="da"),
    ]
    units = []
    for org in orgs:
        root = Unit.objects.create(organisation=org, external_id="R", name="Root")
        for i in range(100):
            units.append(
                Unit.objects.create(
                    organisation=org,
                    external_id=f"U{i}",
                    name=f"Enhet {i}",
                    parent=root,
                    unit_type=["enhet", "skola", "förskola", "hemtjänst", "kontor"][i % 5],
                )
            )
    vocabulary = {lang: zipf_vocabulary(text.split(), lang) for lang, text in WORDS.items()}
    through = GoodExample.units.through
    with transaction.atomic():
        for start in range(0, n, 5000):
            batch = []
            for _ in range(min(5000, n - start)):
                language = rng.choice(list(WORDS))
                words = vocabulary[language]
                org = rng.choice(orgs)
                batch.append(
                    GoodExample(
                        organisation=org,
                        title=" ".join(
                            rng.choices(words, cum_weights=CUMULATIVE, k=4)
                        ).capitalize(),
                        problem=" ".join(rng.choices(words, cum_weights=CUMULATIVE, k=25)),
                        what_changed=" ".join(rng.choices(words, cum_weights=CUMULATIVE, k=25)),
                        search_text=" ".join(rng.choices(words, cum_weights=CUMULATIVE, k=150)),
                        areas=codes(rng.sample(AREAS, rng.randint(1, 2))),
                        principles=codes(rng.sample(PRINCIPLES, rng.randint(1, 3))),
                        language=language,
                        status="published",
                        shared=rng.random() < 0.1,
                        has_evidence=rng.random() < 0.4,
                        version=1,
                    )
                )
            made = GoodExample.objects.bulk_create(batch)
            through.objects.bulk_create(
                through(
                    goodexample_id=e.pk,
                    unit_id=rng.choice(
                        [u for u in units if u.organisation_id == e.organisation_id]
                    ).pk,
                )
                for e in made
            )
    return orgs[0]


def bare(connection, query: str):
    """The floor: the database's own full-text query, ranked, first 50 ids."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT id FROM examples_goodexample WHERE search_document @@ "
                "websearch_to_tsquery('swedish', %s) ORDER BY ts_rank(search_document, "
                "websearch_to_tsquery('swedish', %s)) DESC LIMIT 50",
                [query, query],
            )
        else:
            cursor.execute(
                "SELECT rowid FROM examples_fts WHERE examples_fts MATCH %s ORDER BY rank LIMIT 50",
                [f'"{query}"'],
            )
        return cursor.fetchall()


def run(args: argparse.Namespace, database: str) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from tillit.examples.models import GoodExample
    from tillit.examples.search import Filters, first, like_this, search

    call_command("migrate", verbosity=0)
    rng = random.Random(2026)
    start = time.perf_counter()
    org = build(args.examples, rng)
    took = time.perf_counter() - start
    print(f"{database}: {args.examples} examples built and indexed in {took:.0f} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE examples_goodexample")
    filters = Filters(area="steering", principle="tillit", evidence=True)
    some = list(GoodExample.objects.filter(organisation=org).order_by("pk")[:5])

    def listed(query, chosen=None):
        return first(org, query, chosen or Filters())

    counts = {q: search(org, q).count() for q in QUERIES}
    assert all(counts.values()), counts  # every query finds something: the timing is real
    rows = {
        "bare full-text query (baseline)": lambda: [bare(connection, q) for q in QUERIES],
        "(a) library search, 50 rows with units": lambda: [listed(q) for q in QUERIES],
        "(b) search with area, principle and evidence filters": lambda: [
            listed(q, filters) for q in QUERIES
        ],
        "(c) examples like this one": lambda: [like_this(e, org) for e in some],
    }
    results = {name: median_ms(function) / 5 for name, function in rows.items()}
    base = results["bare full-text query (baseline)"]
    print(f"{'':56} {'ms per query':>12} {'× bare':>7}")
    for name, value in results.items():
        print(f"{name:56} {value:12.1f} {value / base:7.1f}")
    print("examples matching each query (all of them ranked, 50 listed):", counts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=50_000)
    parser.add_argument("--keep", action="store_true", help="keep the database, for profiling")
    args = parser.parse_args()
    database = (
        "PostgreSQL" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "SQLite"
    )
    with throwaway_database("examples", keep=args.keep) as (url, _folder):
        os.environ.update(
            DATABASE_URL=url,
            DJANGO_SETTINGS_MODULE="tillit.settings",
            TILLIT_DEBUG="0",
            TILLIT_ALLOWED_HOSTS="testserver,localhost",
        )
        print(machine_speed(), "(before)")
        run(args, database)
        print(machine_speed(), "(after)")


if __name__ == "__main__":
    main()
