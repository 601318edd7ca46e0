"""Shared fixtures: two organisations and one user per role (healthchecks' personas, extended)."""

import os

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import translation

from tillit.core.models import User
from tillit.org.models import Organisation, Person, RoleGrant, Unit

PASSWORD = "correct-horse-battery-9"


DATABASE_FIXTURES = {"db", "transactional_db", "live_server", "django_db_setup"}


def pytest_collection_modifyitems(config, items):
    """With TILLIT_DATABASE_TESTS_ONLY=1 (the PostgreSQL round of scripts/test.sh), only the
    tests that use the database run: the others (parsers, statistics, the disclosure engine,
    the catalogues) do the same on any database, and ran in the SQLite round already. So do
    those marked `one_database`: building the larger demos writes the same rows through the
    same code as the small demo, which runs on both, at many times the cost."""
    if os.environ.get("TILLIT_DATABASE_TESTS_ONLY") != "1":
        return
    kept, dropped = [], []
    for item in items:
        uses_database = item.get_closest_marker("one_database") is None and (
            item.get_closest_marker("django_db") is not None
            or item.get_closest_marker("postgresql") is not None
            or bool(DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())))
        )
        (kept if uses_database else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    request, tmp_path_factory, django_db_modify_db_settings_parallel_suffix
) -> None:
    """A session with browser tests gets its SQLite test database in a file, as production has.

    In memory, Django's live server hands every thread the one shared connection, and SQLite's
    shared cache answers "database table is locked" at once, without waiting, when a phone's
    request and the presenter's stream meet – which a loaded machine made happen. With a file,
    each thread has its own connection and waits for the write lock like `tillit serve`.
    """
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.sqlite3":
        return
    if any(item.get_closest_marker("browser") for item in request.session.items):
        folder = tmp_path_factory.mktemp("database")
        database.setdefault("TEST", {})["NAME"] = str(folder / "test.sqlite3")


@receiver(setting_changed)
def _any_queue(setting: str, value, **kwargs) -> None:
    """A test that swaps the task backend (immediate, dummy) accepts every queue.

    Tasks are routed to named queues (settings.TASKS); a backend configured without QUEUES
    knows only "default" and would refuse the others. An empty list means any queue.
    """
    if setting == "TASKS" and isinstance(value, dict):
        for backend in value.values():
            backend.setdefault("QUEUES", [])


@pytest.fixture(autouse=True)
def _clean_cache(request):
    # The database cache holds login throttling; each test that uses the database
    # starts with none.
    names = set(request.fixturenames)
    if "transactional_db" in names or "live_server" in names:
        request.getfixturevalue("transactional_db")
    elif "db" in names:
        request.getfixturevalue("db")
    else:
        return
    cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(request):
    """Passwords hashed with MD5 in tests, unless a test is marked `real_password_hashing`.

    Argon2 (the product's hasher) takes ~0.2 s for every user made and every login checked,
    which came to minutes of the suite. What the tests check of passwords – accepted,
    refused, throttled – holds with any hasher; the Argon2 settings have tests of their own.
    Argon2 stays second, so a hash made before the switch still verifies.
    """
    if request.node.get_closest_marker("real_password_hashing"):
        yield
        return
    settings_fixture = request.getfixturevalue("settings")
    settings_fixture.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.Argon2PasswordHasher",
    ]
    yield


@pytest.fixture(autouse=True)
def _english():
    """Tests read messages in English; the language tests choose their language explicitly.

    Commands and functions run in whatever language is active, so without this a test's
    outcome would depend on which test ran before it in the same thread.
    """
    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture
def client(client):
    """Django's test client, asking for English pages (Swedish is the product's default)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def launched_with_k(campaign, k: int) -> None:
    """Make a launched campaign's minimum group `k`, as if it had been set before the launch
    (its publications use the thresholds frozen then, which a later edit does not change)."""
    from tillit.results.models import ResultSnapshot
    from tillit.surveys.models import Campaign

    Campaign.objects.filter(pk=campaign.pk).update(k=k)
    snapshot = ResultSnapshot.objects.get(campaign=campaign)
    snapshot.thresholds = {**snapshot.thresholds, "k": k}
    snapshot.save(update_fields=["thresholds"])
    campaign.refresh_from_db()


def make_user(email: str, **fields) -> User:
    """A user with the shared test password."""
    return User.objects.create_user(email, PASSWORD, **fields)


@pytest.fixture
def org(db) -> Organisation:
    """Testby kommun: kommun > two förvaltningar > units."""
    organisation = Organisation.objects.create(slug="testby", name="Testby kommun")
    root = Unit.objects.create(organisation=organisation, external_id="K", name="Testby kommun")
    soc = Unit.objects.create(
        organisation=organisation,
        external_id="SOC",
        name="Socialförvaltningen",
        parent=root,
        manager_email="chef.soc@testby.se",
    )
    Unit.objects.create(
        organisation=organisation,
        external_id="HEM",
        name="Hemtjänst Norr",
        parent=soc,
        manager_email="chef.hem@testby.se",
    )
    Unit.objects.create(
        organisation=organisation, external_id="BUF", name="Barn- och utbildning", parent=root
    )
    return organisation


@pytest.fixture
def units(org) -> dict[str, Unit]:
    return {u.external_id: u for u in Unit.objects.filter(organisation=org)}


@pytest.fixture
def admin_user(org) -> User:
    RoleGrant.objects.create(organisation=org, email="admin@testby.se", role=RoleGrant.Role.ADMIN)
    return make_user("admin@testby.se", name="Ada Admin")


@pytest.fixture
def manager_user(org, units) -> User:
    """Manager of Socialförvaltningen (and so of Hemtjänst Norr below it)."""
    return make_user("chef.soc@testby.se", name="Sara Chef")


@pytest.fixture
def team_manager_user(org, units) -> User:
    """Manager of Hemtjänst Norr only."""
    return make_user("chef.hem@testby.se", name="Hugo Chef")


@pytest.fixture
def med_user(org, units) -> User:
    RoleGrant.objects.create(
        organisation=org, email="med@testby.se", role=RoleGrant.Role.MED, unit=units["BUF"]
    )
    return make_user("med@testby.se", name="Maja MED")


@pytest.fixture
def employee_user(org, units) -> User:
    Person.objects.create(
        organisation=org, email="anna@testby.se", name="Anna Andersson", unit=units["HEM"]
    )
    return make_user("anna@testby.se", name="Anna Andersson")


@pytest.fixture
def other_org(db) -> Organisation:
    """A second tenant, which no Testby user may see."""
    organisation = Organisation.objects.create(slug="annanstad", name="Annanstads kommun")
    Unit.objects.create(organisation=organisation, external_id="K", name="Annanstads kommun")
    RoleGrant.objects.create(
        organisation=organisation, email="admin@annanstad.se", role=RoleGrant.Role.ADMIN
    )
    return organisation


@pytest.fixture
def outsider_user(other_org) -> User:
    """Admin of the other organisation."""
    return make_user("admin@annanstad.se", name="Otto Outsider")
