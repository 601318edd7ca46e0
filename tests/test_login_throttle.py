"""Login throttling per (account, address) pair: trusted proxies, back-off, reset mails, races.

Forty guesses at once must not get more than the limit's passwords checked. On PostgreSQL the
race runs in the test database; SQLite's in-memory test database fails a second writer at
once, so there the race runs in a child process against a real file (tests/concurrency.py).
"""

import datetime as dt
import json
import threading

import pytest
from django.db import connection
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from tests.concurrency import run_in_file_database

GUESSES = 40
PASSWORD = "correct-horse-battery-9"


def request_from(remote: str, forwarded: str = ""):
    """A login POST as it reaches Django from `remote`."""
    request = RequestFactory().post("/login/", REMOTE_ADDR=remote)
    if forwarded:
        request.META["HTTP_X_FORWARDED_FOR"] = forwarded
    return request


def test_forwarded_for_is_ignored_from_an_untrusted_peer(settings):
    from tillit.core import throttle

    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    request = request_from("198.51.100.7", "203.0.113.9")
    assert throttle.client_address(request) == "198.51.100.7"


def test_forwarded_for_is_read_from_the_right_behind_trusted_proxies(settings):
    from tillit.core import throttle

    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    # The client wrote "1.2.3.4" itself; the proxy appended the address it saw.
    request = request_from("10.0.0.1", "1.2.3.4, 203.0.113.9, 10.0.0.2")
    assert throttle.client_address(request) == "203.0.113.9"


def test_behind_a_proxy_each_client_has_its_own_count(client, admin_user, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    settings.LOGIN_THROTTLE_ATTEMPTS = 3
    url = reverse("login")
    for _ in range(4):
        client.post(
            url,
            {"username": "admin@testby.se", "password": "x"},
            HTTP_X_FORWARDED_FOR="203.0.113.9",
        )
    response = client.post(
        url,
        {"username": "admin@testby.se", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="203.0.113.10",
    )
    assert response.status_code == 302


def test_each_lockout_of_a_pair_lasts_twice_as_long(db, settings):
    from tillit.core import auth, throttle
    from tillit.core.models import Counter

    settings.LOGIN_THROTTLE_ATTEMPTS = 2
    settings.LOGIN_THROTTLE_WINDOW = 60
    request = request_from("198.51.100.7")
    lengths = []
    for _round in range(3):
        while auth.begin_attempt(request, "a@testby.se"):
            pass
        key = throttle.key_for("login-pair", "a@testby.se", "198.51.100.7")
        until = Counter.objects.get(key=key).expires_at
        lengths.append(round((until - timezone.now()).total_seconds() / 60))
        Counter.objects.filter(key=key).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert lengths == [1, 2, 4]


def test_password_reset_mails_are_limited_per_account(client, admin_user, mailoutbox, settings):
    settings.PASSWORD_RESET_MAILS_PER_HOUR = 2
    for _ in range(5):
        response = client.post(reverse("password_reset"), {"email": "admin@testby.se"})
        assert response.status_code == 302  # the page says the same, sent or not
    assert len(mailoutbox) == 2


def race_guesses() -> dict:
    """Forty wrong passwords for one account from one address, all at once."""
    from django.test import Client

    from tillit.core.auth import EmailBackend
    from tillit.core.models import User

    User.objects.create_user("target@testby.se", PASSWORD)
    checked = []
    original = EmailBackend.authenticate

    def counting(self, request, username=None, password=None, **kwargs):
        checked.append(username)
        return original(self, request, username=username, password=password, **kwargs)

    EmailBackend.authenticate = counting
    barrier = threading.Barrier(GUESSES)
    statuses = []

    def guess(n: int) -> None:
        from django.db import connection as conn

        try:
            barrier.wait()
            response = Client().post(
                "/login/", {"username": "target@testby.se", "password": f"guess-{n}"}
            )
            statuses.append(response.status_code)
        finally:
            conn.close()

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(GUESSES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    EmailBackend.authenticate = original
    return {"checked": len(checked), "answered": len(statuses)}


@pytest.mark.django_db(transaction=True)
def test_forty_parallel_guesses_get_no_more_than_the_limit_checked(tmp_path, settings):
    if connection.vendor == "sqlite":
        result = run_in_file_database("tests.test_login_throttle", [], tmp_path, timeout=120)
    else:
        settings.ALLOWED_HOSTS = ["testserver"]
        result = race_guesses()
    assert result["answered"] == GUESSES
    assert result["checked"] <= settings.LOGIN_THROTTLE_ATTEMPTS, result


if __name__ == "__main__":
    import django
    from django.conf import settings as django_settings
    from django.core.management import call_command

    django.setup()
    django_settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)  # as in production (the cache is shared)
    print(json.dumps(race_guesses()))
