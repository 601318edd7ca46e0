"""Full-text search over the library, in the four languages, on either database.

SQLite (the embedded default): an FTS5 table kept in step with the examples by triggers
(migration 0002), over the title and `search_text`. FTS5 has no Nordic stemmers, so a query
word of six letters or more is searched as a prefix of itself without its last two letters
("samverkan" finds "samverkar", "möten" stays whole): a crude stem, said in the README.
PostgreSQL: a `tsvector` per example, written by a trigger with the dictionary of the
example's language (swedish, danish, norwegian, english), searched with
`django.contrib.postgres.search` by the query stemmed in all four dictionaries, so a Danish
reader finds a Swedish example by a shared word stem and the reverse.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import F, Q, QuerySet

from tillit.examples.models import SEARCH_CONFIGS, GoodExample

WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Filters:
    area: str = ""
    principle: str = ""
    unit_type: str = ""
    evidence: bool = False


def readable(organisation) -> QuerySet[GoodExample]:
    """Published examples of `organisation` and those other organisations share."""
    return GoodExample.objects.filter(status=GoodExample.Status.PUBLISHED).filter(
        Q(organisation=organisation) | Q(shared=True)
    )


def filtered(queryset: QuerySet[GoodExample], filters: Filters) -> QuerySet[GoodExample]:
    """Apply the library's filters: area, principle, unit type, has evidence."""
    if filters.area:
        queryset = queryset.filter(areas__contains=f",{filters.area},")
    if filters.principle:
        queryset = queryset.filter(principles__contains=f",{filters.principle},")
    if filters.unit_type:
        queryset = queryset.filter(units__unit_type=filters.unit_type).distinct()
    if filters.evidence:
        queryset = queryset.filter(has_evidence=True)
    return queryset


def fts5_query(text: str, *, any_word: bool = False) -> str:
    """The user's words as an FTS5 query: each word quoted (no operator injection), long
    words as a prefix of their stem; all words must match unless `any_word`."""
    terms = []
    for word in WORD.findall(text.lower()):
        if len(word) >= 6:
            terms.append(f'"{word[:-2]}"*')
        elif len(word) >= 2:
            terms.append(f'"{word}"')
    return (" OR " if any_word else " ").join(terms)


def pg_query(text: str, *, any_word: bool = False) -> SearchQuery | None:
    """The query stemmed in each of the four dictionaries, any of them matching."""
    words = [w for w in WORD.findall(text) if len(w) >= 2]
    if not words:
        return None
    phrase = " or ".join(words) if any_word else " ".join(words)
    query = None
    for config in SEARCH_CONFIGS.values():
        one = SearchQuery(phrase, config=config, search_type="websearch")
        query = one if query is None else query | one
    return query


def ranked(queryset: QuerySet[GoodExample], text: str, *, any_word: bool = False):
    """`queryset` narrowed to the examples matching `text`, best first."""
    if connection.vendor == "postgresql":
        query = pg_query(text, any_word=any_word)
        if query is None:
            return queryset.none()
        return (
            queryset.filter(search_document=query)
            .annotate(rank=SearchRank(F("search_document"), query))
            .order_by("-rank", "-pk")
        )
    match = fts5_query(text, any_word=any_word)
    if not match:
        return queryset.none()
    # FTS5's MATCH and rank are table-valued syntax the ORM has no expression for; `extra`
    # joins the index table by rowid so SQLite drives the query from the index.
    return queryset.extra(
        tables=["examples_fts"],
        where=["examples_fts.rowid = examples_goodexample.id", "examples_fts MATCH %s"],
        params=[match],
        select={"rank": "examples_fts.rank"},
        order_by=["rank", "-examples_goodexample.id"],
    )


def search(organisation, text: str, filters: Filters = Filters()) -> QuerySet[GoodExample]:
    """The library's search: readable examples, filtered, ranked by `text` when given."""
    queryset = filtered(readable(organisation), filters)
    if text.strip():
        return ranked(queryset, text)
    return queryset.order_by("-published_at", "-pk")


def like_this(example: GoodExample, organisation, limit: int = 5) -> list[GoodExample]:
    """Examples like this one: in one of its areas, sharing the longest words of its title and
    problem (long words are the rarer ones: a cheap stand-in for weighting by rarity, which
    keeps the OR query from matching most of a large library), most shared areas first."""
    found = sorted(set(WORD.findall(f"{example.title} {example.problem}".lower())), key=len)
    words = " ".join(w for w in found[-5:] if len(w) > 3)
    candidates = readable(organisation).exclude(pk=example.pk)
    if example.area_list():
        candidates = candidates.filter(areas__contains=f",{example.area_list()[0]},")
    found = list(ranked(candidates, words, any_word=True)[: limit * 3]) if words else []
    mine = set(example.area_list())
    found.sort(key=lambda e: -len(mine & set(e.area_list())))  # stable: rank within ties
    return found[:limit]
