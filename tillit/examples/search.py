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
import unicodedata
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import Case, F, FloatField, Q, QuerySet, When

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
        words = [w for w in WORD.findall(text) if len(w) >= 2]
        phrase = " or ".join(words) if any_word else " ".join(words)
        # Each example is ranked by the query in its own language's dictionary only: ranking
        # by all four OR'd cost ts_rank four times over every match.
        rank = Case(
            *(
                When(
                    language=code,
                    then=SearchRank(
                        F("search_document"),
                        SearchQuery(phrase, config=config, search_type="websearch"),
                    ),
                )
                for code, config in SEARCH_CONFIGS.items()
            ),
            output_field=FloatField(),
        )
        return queryset.filter(search_document=query).annotate(rank=rank).order_by("-rank", "-pk")
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


# What a list of results never shows; left unread, 50 rows read a tenth of the bytes.
UNLISTED = ("search_text", "search_document", "story", "inventory", "what_changed")


def search(organisation, text: str, filters: Filters = Filters()) -> QuerySet[GoodExample]:
    """The library's search: readable examples, filtered, ranked by `text` when given."""
    queryset = filtered(readable(organisation), filters).defer(*UNLISTED)
    if text.strip():
        return ranked(queryset, text)
    return queryset.order_by("-published_at", "-pk")


def _folded(word: str) -> str:
    """A word as FTS5's unicode61 tokenizer indexes it: lower case, diacritics removed."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def rarest_words(words: set[str], count: int = 3) -> list[str]:
    """The `count` words held by the fewest examples (but by more than this one). SQLite reads
    FTS5's vocabulary table; PostgreSQL takes the longest words, which are the rarer ones
    (its GIN index makes an OR of a few words cheap either way)."""
    words = {w for w in words if len(w) > 3}
    if connection.vendor != "sqlite":
        return sorted(words, key=lambda w: (-len(w), w))[:count]
    folded = {_folded(w): w for w in words}
    if not folded:
        return []
    marks = ", ".join(["%s"] * len(folded))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT term, doc FROM examples_fts_vocab WHERE term IN ({marks})",  # noqa: S608
            list(folded),
        )
        docs = dict(cursor.fetchall())
    held = sorted((t for t in folded if docs.get(t, 0) > 1), key=lambda t: (docs[t], t))
    return [folded[t] for t in held[:count]]


def exact_query(words: list[str]) -> str:
    """Whole words OR'd, for FTS5 (no prefixes: the words come from an example's own text)."""
    return " OR ".join(f'"{_folded(w)}"' for w in words)


def _ranked_ids_sqlite(queryset: QuerySet[GoodExample], text: str, count: int) -> list[int]:
    """Ids in FTS5's rank order, walked in growing chunks and kept when `queryset` holds them.
    Ranking inside FTS5 (its `ORDER BY rank LIMIT`) is what the bare query does; ranking the
    join of index and examples made SQLite score every match again, 4–10 × slower."""
    match = fts5_query(text)
    if not match:
        return []
    ids: list[int] = []
    offset, chunk = 0, max(count * 10, 500)
    while len(ids) < count:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT rowid FROM examples_fts WHERE examples_fts MATCH %s "
                "ORDER BY rank LIMIT %s OFFSET %s",
                [match, chunk, offset],
            )
            batch = [row[0] for row in cursor.fetchall()]
        if not batch:
            break
        allowed = set(queryset.filter(pk__in=batch).values_list("pk", flat=True))
        ids += [pk for pk in batch if pk in allowed]
        offset, chunk = offset + chunk, min(chunk * 4, 8000)
    return ids[:count]


def first(
    organisation, text: str, filters: Filters = Filters(), count: int = 50
) -> list[GoodExample]:
    """The library's result page: the first `count` readable examples matching `text` and
    `filters`, best first, with their units and organisation. Ids are ranked first and only
    the page's rows are read."""
    queryset = filtered(readable(organisation), filters)
    if not text.strip():
        ids = list(queryset.order_by("-published_at", "-pk").values_list("pk", flat=True)[:count])
    elif connection.vendor == "sqlite" and filters == Filters():
        # Most matches are readable: FTS5's own ranking, walked in chunks, is cheapest. With
        # filters few are, and ranking the join of index and matching rows wins.
        ids = _ranked_ids_sqlite(queryset, text, count)
    else:
        ids = list(ranked(queryset, text).values_list("pk", flat=True)[:count])
    rows = GoodExample.objects.defer(*UNLISTED).select_related("organisation")
    found = rows.prefetch_related("units").in_bulk(ids)
    return [found[pk] for pk in ids]


def like_this(example: GoodExample, organisation, limit: int = 5) -> list[GoodExample]:
    """Examples like this one: in its first area, sharing its rarest words of title and
    problem (an OR of every word matched most of a large library), most shared areas first."""
    words = rarest_words(set(WORD.findall(f"{example.title} {example.problem}".lower())))
    if not words:
        return []
    candidates = readable(organisation).exclude(pk=example.pk)
    if example.area_list():
        candidates = candidates.filter(areas__contains=f",{example.area_list()[0]},")
    if connection.vendor == "postgresql":
        # The example's own words, stemmed by its own language's dictionary only.
        config = SEARCH_CONFIGS.get(example.language, "swedish")
        query = SearchQuery(" or ".join(words), config=config, search_type="websearch")
        found = list(
            candidates.filter(search_document=query)
            .annotate(rank=SearchRank(F("search_document"), query))
            .order_by("-rank", "-pk")[: limit * 3]
        )
    else:
        found = list(
            candidates.extra(
                tables=["examples_fts"],
                where=["examples_fts.rowid = examples_goodexample.id", "examples_fts MATCH %s"],
                params=[exact_query(words)],
                select={"rank": "examples_fts.rank"},
                order_by=["rank", "-examples_goodexample.id"],
            )[: limit * 3]
        )
    mine = set(example.area_list())
    found.sort(key=lambda e: -len(mine & set(e.area_list())))  # stable: rank within ties
    return found[:limit]
