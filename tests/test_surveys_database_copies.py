"""No link from a response to a person in any copy of the database (issue 12, attack 7).

A copy of the database is taken with SQLite's backup API at every step of the answering flow
– draft saved, review page (key issued), submit, replay – for several respondents in turn, and
every response-side table of every copy (and of the live database) is joined with every
person-side table of every copy: each pair of columns, equality of any value. The attack this
repeats: a backup taken while people were on the review page, joined with the live database,
named 73 of 400 respondents through the submit key that the draft and the response shared.

Before the key moved to the link this test found, for every respondent,
`surveys_response.idempotency_key = surveys_draft.idempotency_key` (copy at the review page
against any copy after the submit).
"""

import contextlib
import json
import sqlite3
import uuid
from collections.abc import Iterator

import pytest
from django.db import connection

from tillit.core.models import User
from tillit.org.models import Person
from tillit.surveys import actions, responding
from tillit.surveys.models import Answer, Invitation, Response
from tillit.surveys.storing import bulk_store_responses

pytest_plugins = ["tests.test_surveys_support"]

RESPONSE_SIDE = ("surveys_response", "surveys_answer")
PERSON_SIDE = (
    "surveys_draft",
    "surveys_invitation",
    "surveys_reminderlink",
    "org_person",
    User._meta.db_table,
)
# Values every response shares with its person's side by design (DESIGN.md: the unit id, the
# bands, the day): these pairs of columns are not compared.
BY_DESIGN = {
    ("campaign_id", "campaign_id"),
    ("unit_id", "unit_id"),
    ("background", "background"),
}
DAY_COLUMNS = {"updated_on", "start_date", "date_joined", "last_login", "reminded_at"}
# What a respondent answered is in their draft until the submit (that is what a draft is): the
# draft's own exposure is docs/anonymity.md's to state; here only keys and ids are looked for.
CONTENT = {"instrument", "item_id", "value", "choice", "text"}


def _leaves(value) -> Iterator:
    if isinstance(value, dict):
        for v in value.values():
            yield from _leaves(v)
    elif isinstance(value, list):
        for v in value:
            yield from _leaves(v)
    else:
        yield value


def normalised(value) -> set[str]:
    """The forms under which a stored value could equal another: numbers as numbers, UUIDs
    with or without dashes, JSON by its scalar leaves too. Numbers under 100 and empty text
    are left out: answer values, pages and flags equal everything of their size by chance (the
    ordering of ids is tested apart, below)."""
    if value is None:
        return set()
    if isinstance(value, bytes):
        value = value.hex()
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not value.is_integer():
            return {repr(value)}
        number = int(value)
        return set() if abs(number) < 100 else {str(number)}
    text = str(value).strip().lower()
    if not text:
        return set()
    forms = {text}
    with contextlib.suppress(ValueError):
        forms.add(uuid.UUID(text).hex)
    if text[:1] in "[{":
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
        if isinstance(parsed, (dict, list)):
            forms.discard(text)
            for leaf in _leaves(parsed):
                forms |= normalised(leaf)
            forms.add(text)
    elif text.replace(".", "", 1).isdigit():
        forms |= normalised(float(text))
    return forms


def columns(db: sqlite3.Connection, table: str) -> dict[str, set[str]]:
    """{column: normalised values} of a table, its hidden rowid included."""
    cursor = db.execute(f'SELECT rowid AS "rowid", * FROM "{table}"')  # noqa: S608
    names = [d[0] for d in cursor.description]
    found: dict[str, set[str]] = {name: set() for name in names}
    for row in cursor:
        for name, value in zip(names, row, strict=True):
            found[name] |= normalised(value)
    return found


def compared(response_column: str, person_column: str) -> bool:
    if (response_column, person_column) in BY_DESIGN:
        return False
    if response_column == "submitted_on" and person_column in DAY_COLUMNS:
        return False  # a day, by design
    return not (response_column in CONTENT and person_column == "answers")


def links(person_db: sqlite3.Connection, response_db: sqlite3.Connection) -> list[str]:
    """Every pair of a person-side and a response-side column sharing a value."""
    found = []
    person = {t: columns(person_db, t) for t in PERSON_SIDE}
    for r_table in RESPONSE_SIDE:
        for r_column, r_values in columns(response_db, r_table).items():
            for p_table, p_columns in person.items():
                for p_column, p_values in p_columns.items():
                    shared = r_values & p_values if compared(r_column, p_column) else set()
                    if shared:
                        found.append(
                            f"{r_table}.{r_column} = {p_table}.{p_column}: {sorted(shared)[:3]}"
                        )
    return found


def backup() -> sqlite3.Connection:
    """A copy of the database as it is now, taken with SQLite's backup API."""
    connection.ensure_connection()
    copy = sqlite3.connect(":memory:")
    connection.connection.backup(copy)
    return copy


@pytest.mark.django_db(transaction=True)
def test_no_join_of_any_copy_links_a_response_to_a_person(client, launched):
    if connection.vendor != "sqlite":
        pytest.skip("the backup API is SQLite's; docs/anonymity.md covers PostgreSQL")
    _campaign, tokens = launched
    copies: dict[str, sqlite3.Connection] = {}
    for email in ("h1@testby.se", "s@testby.se", "h2@testby.se"):
        link = f"/s/{tokens[email]}/"
        client.post(link, {"page": 0, "action": "next", "a:q1": "4", "a:q2": "2"})
        copies[f"{email}: draft saved"] = backup()
        page_two = {"page": 1, "action": "next", "a:q3": "ja", "a:q6": f"Text {email}"}
        client.post(link, page_two)  # q4 follows from q3 = ja: asked on the same page
        client.post(link, {**page_two, "a:q4": "3"})
        html = client.get(link).content.decode()
        key = html.split('name="idempotency_key" value="')[1].split('"')[0]
        copies[f"{email}: review page"] = backup()
        thanks = client.post(link + "submit/", {"idempotency_key": key})
        assert thanks.status_code == 200
        copies[f"{email}: submitted"] = backup()
        replay = client.post(link + "submit/", {"idempotency_key": key})
        assert replay.content == thanks.content  # the thank-you page again
        copies[f"{email}: replayed"] = backup()
    copies["live"] = backup()
    assert Response.objects.count() == 3  # the replays stored nothing
    assert Invitation.objects.filter(idempotency_key__isnull=False).count() == 3

    found = [
        f"{people} × {answers}: {link}"
        for people, person_db in copies.items()
        for answers, response_db in copies.items()
        for link in links(person_db, response_db)
    ]
    assert found == []


def test_the_join_finds_a_shared_key():
    """The test's own check: a response carrying its draft's key is found."""
    key = uuid.uuid4()
    person_db, response_db = sqlite3.connect(":memory:"), sqlite3.connect(":memory:")
    for db in (person_db, response_db):
        for table in (*PERSON_SIDE, *RESPONSE_SIDE):
            db.execute(f'CREATE TABLE "{table}" (id text)')
    person_db.execute("ALTER TABLE surveys_draft ADD COLUMN idempotency_key char(32)")
    person_db.execute("INSERT INTO surveys_draft VALUES ('x', ?)", [key.hex])
    response_db.execute("ALTER TABLE surveys_response ADD COLUMN idempotency_key char(36)")
    response_db.execute("INSERT INTO surveys_response VALUES ('y', ?)", [str(key)])
    assert links(person_db, response_db) == [
        f"surveys_response.idempotency_key = surveys_draft.idempotency_key: ['{key.hex}']"
    ]


def kendall_tau(values: list) -> float:
    """Kendall's rank correlation of `values` with their positions (1: in order)."""
    n = len(values)
    concordant = sum(1 if values[j] > values[i] else -1 for i in range(n) for j in range(i + 1, n))
    return concordant / (n * (n - 1) / 2)


def assert_unordered(values: list, what: str) -> None:
    # Random ids give tau ~ 0 with a standard deviation of about 0.13 at n = 30; the ids of a
    # sequence give 1. A bound of 0.6 fails a random order about once in a million runs.
    tau = kendall_tau(values)
    assert abs(tau) < 0.6, f"{what} follow the submission order (Kendall tau {tau:.2f})"
    assert len(set(values)) == len(values)


def _rowids(table: str, column: str) -> dict:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column}, rowid FROM {table}")  # noqa: S608
        return dict(cursor.fetchall())


@pytest.mark.django_db
def test_ids_do_not_follow_the_submission_order(org, units, test_version, mailoutbox, _site_url):
    from tests.test_surveys_support import GOOD, make_campaign, tokens_in

    for n in range(30):
        Person.objects.create(
            organisation=org, email=f"p{n}@testby.se", name=f"P {n}", unit=units["HEM"]
        )
    campaign = make_campaign(org, units["HEM"], [test_version])
    actions.do_launch_campaign(campaign)
    responses, answers = [], []
    for token in tokens_in(mailoutbox).values():
        before = set(Response.objects.values_list("id", flat=True))
        responding.do_submit(token, uuid.uuid4(), GOOD)
        (new,) = set(Response.objects.values_list("id", flat=True)) - before
        responses.append(new)
        answers.append(min(Answer.objects.filter(response_id=new).values_list("id", flat=True)))
    assert len(responses) == 30
    assert_unordered([r.int for r in responses], "response ids")
    assert_unordered(answers, "answer ids")
    assert all(0 < a < 2**63 for a in answers)
    if connection.vendor == "sqlite":
        rowids = _rowids("surveys_response", "id")
        assert_unordered([rowids[r.hex] for r in responses], "response rowids")
        # An answer's id is its rowid: there is no hidden one beside it.
        answer_rowids = _rowids("surveys_answer", "id")
        assert all(answer_rowids[a] == a for a in answers)


@pytest.mark.django_db
def test_bulk_writes_are_unordered_too(launched):
    """Imports and the demo write through `bulk_store_responses`."""
    campaign, _tokens = launched
    unit_id = campaign.target_unit_id
    rows = [(unit_id, {}, {"testenkat": {"q1": 1 + n % 5, "q3": "nej"}}) for n in range(40)]
    bulk_store_responses(campaign.pk, rows, {"testenkat": _definition()}, campaign.closes_on)
    order = list(
        Answer.objects.filter(item_id="q1").order_by("id").values_list("response_id", flat=True)
    )
    assert len(order) == 40
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            # Rows in the order they were written: SQLite's b-tree is in rowid order, so a
            # random rowid puts them anywhere; the values written cycle 1..5 in insertion order.
            cursor.execute(
                "SELECT a.value FROM surveys_response r JOIN surveys_answer a "
                "ON a.response_id = r.id AND a.item_id = 'q1' ORDER BY r.rowid"
            )
            values = [row[0] for row in cursor.fetchall()]
        in_cycle = sum(values[i + 1] == 1 + values[i] % 5 for i in range(len(values) - 1))
        assert in_cycle < 25, "responses' rowids follow the order they were written in"


def _definition() -> dict:
    from tests.test_surveys_support import TEST_INSTRUMENT
    from tillit.instruments.loading import load_yaml

    return load_yaml(TEST_INSTRUMENT.read_bytes())


@pytest.mark.django_db(transaction=True)
def test_postgresql_transaction_ids_no_longer_pair_links_and_responses_after_close(launched):
    """The claim and the response share a transaction id (xmin) until the campaign closes."""
    if connection.vendor != "postgresql":
        pytest.skip("xmin is PostgreSQL's")
    from tests.test_surveys_support import GOOD

    campaign, tokens = launched
    for token in tokens.values():
        responding.do_submit(token, uuid.uuid4(), GOOD)

    def shared() -> set[str]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT xmin::text FROM surveys_invitation WHERE campaign_id = %s "
                "INTERSECT SELECT xmin::text FROM surveys_response WHERE campaign_id = %s",
                [campaign.pk, campaign.pk],
            )
            return {row[0] for row in cursor.fetchall()}

    assert len(shared()) == len(tokens)  # each claimed link pairs with its response
    actions.do_close_campaign(campaign)
    assert shared() == set()


@pytest.mark.django_db
def test_a_random_id_that_is_taken_is_drawn_again(launched, monkeypatch):
    """A collision of random ids costs a retry, never an error or a lost answer."""
    from tests.test_surveys_support import GOOD
    from tillit.surveys import storing

    _campaign, tokens = launched
    responding.do_submit(tokens["s@testby.se"], uuid.uuid4(), GOOD)
    taken = sorted(Answer.objects.values_list("id", flat=True))
    real, calls = storing.random_answer_ids, []

    def first_taken(count: int) -> list[int]:
        calls.append(count)
        return taken[:count] if len(calls) == 1 else real(count)

    monkeypatch.setattr(storing, "random_answer_ids", first_taken)
    stored = responding.do_submit(tokens["h1@testby.se"], uuid.uuid4(), GOOD)
    assert stored == responding.Submitted.STORED and len(calls) == 2
    assert Response.objects.count() == 2
    assert Answer.objects.count() == 2 * len(taken)
    assert Invitation.objects.filter(responded=True).count() == 2
