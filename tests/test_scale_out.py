"""Two `tillit serve` instances on one PostgreSQL database: nothing lives in one process.

Submissions, workshop notes and an import go through both instances (a login made on one is
used on the other); one instance is killed (SIGKILL, every process of it) midway; the phones
whose requests it dropped retry on the other, as a phone does. Then: every response and every
note stored exactly once, the import finished, and the campaign's closing published once.
PostgreSQL only: on SQLite one database file serves one machine (docs/operations.md).
"""

import contextlib
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from http.client import HTTPConnection, HTTPException
from pathlib import Path
from urllib.parse import urlencode

import pytest

from bench._database import throwaway_database
from tests.test_serve import descendants

ROOT = Path(__file__).resolve().parent.parent
LINKS = 48
PHONES = 8
NOTES_EACH = 3

pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="scale-out runs on PostgreSQL (DATABASE_URL)",
    ),
]

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
RADIO = re.compile(r'type="radio" name="(a:[^"]+)" value="4"')
KEY_FIELD = re.compile(r'name="idempotency_key" value="([^"]+)"')


class Down(Exception):
    """The instance did not answer (killed)."""


class Browser:
    """A cookie jar and plain HTTP/1.1 requests to one instance or another."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}

    def request(self, port: int, method: str, path: str, form=None, body=None, ctype=None):
        headers = {"Host": "127.0.0.1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if form is not None:
            body, ctype = urlencode(form), "application/x-www-form-urlencoded"
        if ctype:
            headers["Content-Type"] = ctype
            headers["Referer"] = f"http://127.0.0.1:{port}{path}"
        try:
            connection = HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            html = response.read().decode(errors="replace")
        except (OSError, HTTPException) as error:  # refused, reset or cut: the instance is gone
            raise Down(str(error)) from error
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        return response.status, response.getheader("Location") or "", html

    def csrf(self, port: int, path: str) -> str:
        status, _location, html = self.request(port, "GET", path)
        assert status == 200, (path, status)
        return CSRF_FIELD.search(html).group(1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(env: dict[str, str], data: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    data.mkdir()
    server = subprocess.Popen(
        [sys.executable, "-m", "tillit", "serve", "--workers", "2", "--port", str(port)],
        env={**env, "TILLIT_DATA_DIR": str(data)},
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    return server, port


def wait_until_up(server: subprocess.Popen, port: int) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if Browser().request(port, "GET", "/login/")[0] == 200:
                return
        except Down:
            pass
        assert server.poll() is None, "tillit serve stopped"
        time.sleep(0.3)
    pytest.fail("tillit serve did not answer")


def kill_instance(server: subprocess.Popen) -> None:
    """SIGKILL the supervisor and every process below it: the machine went down."""
    pids = [server.pid, *descendants(server.pid)]
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    server.wait(timeout=10)


def answer(browser: Browser, port: int, token: str) -> str:
    """A phone's whole journey on one instance; 'stored', or 'answered' when a retry finds the
    link used by the request the killed instance took."""
    status, _location, html = browser.request(port, "GET", f"/s/{token}/")
    assert status == 200
    if KEY_FIELD.search(html) is None:
        if "submit-form" not in html and "page-form" not in html:
            return "answered"  # the status page of a used link
        form = [("csrfmiddlewaretoken", CSRF_FIELD.search(html).group(1)), ("page", "0")]
        form += [(name, "4") for name in RADIO.findall(html)] + [("action", "next")]
        status, _location, html = browser.request(port, "POST", f"/s/{token}/?p=0", form)
        assert status == 200, html[:500]
    key = KEY_FIELD.search(html).group(1)
    form = [("csrfmiddlewaretoken", CSRF_FIELD.search(html).group(1)), ("idempotency_key", key)]
    status, _location, html = browser.request(port, "POST", f"/s/{token}/submit/", form)
    assert status == 200, html[:500]
    return "stored"


def multipart(fields: dict[str, str], name: str, filename: str, content: bytes):
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"'
        f"\r\nContent-Type: text/csv\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    return b"".join(
        parts
    ) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def query(url: str, sql: str, *params):
    import psycopg

    with psycopg.connect(url) as connection:
        return connection.execute(sql, params).fetchall()


def test_two_instances_share_everything_and_survive_losing_one(tmp_path):
    with throwaway_database("scaleout") as (url, _folder):
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "tillit.settings",
            "PYTHONPATH": str(ROOT),
            "TILLIT_SECRET_KEY": secrets.token_urlsafe(50),  # one key for both, as deployed
            "TILLIT_ALLOWED_HOSTS": "127.0.0.1",
            "TILLIT_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "TILLIT_DATA_DIR": str(tmp_path),
        }
        run = {"env": env, "cwd": ROOT, "check": True, "timeout": 180}
        subprocess.run([sys.executable, "-m", "tillit", "migrate", "-v0"], **run)
        prepared = subprocess.run(
            [sys.executable, "-m", "tests.scaleout", str(LINKS)],
            capture_output=True,
            text=True,
            **run,
        )
        setup = json.loads(prepared.stdout.strip().splitlines()[-1])
        first, port_a = start(env, tmp_path / "a")
        second, port_b = start(env, tmp_path / "b")
        try:
            wait_until_up(first, port_a)
            wait_until_up(second, port_b)
            scenario(url, setup, first, port_a, port_b)
        finally:
            for server in (first, second):
                if server.poll() is None:
                    server.send_signal(signal.SIGTERM)
                    try:
                        server.wait(timeout=30)
                    except subprocess.TimeoutExpired:
                        kill_instance(server)


def scenario(url: str, setup: dict, first: subprocess.Popen, port_a: int, port_b: int) -> None:
    org = setup["org"]
    # The process owner logs in on A and uploads an import on B: the session is in the database.
    owner = Browser()
    csrf = owner.csrf(port_a, "/login/")
    login = [("csrfmiddlewaretoken", csrf), ("username", setup["email"])]
    status, _location, _html = owner.request(
        port_a, "POST", "/login/", [*login, ("password", setup["password"])]
    )
    assert status == 302
    csrf = owner.csrf(port_b, f"/o/{org}/import/")
    people = "email;unit_id;name\n" + "".join(
        f"person{i}@twoby.se;E{i % 4};Person {i}\n" for i in range(40)
    )
    body, ctype = multipart(
        {"csrfmiddlewaretoken": csrf, "kind": "people"}, "file", "people.csv", people.encode()
    )
    status, location, html = owner.request(
        port_b, "POST", f"/o/{org}/import/", body=body, ctype=ctype
    )
    assert status == 302, html[:800]
    job = int(location.rstrip("/").rsplit("/", 1)[1])

    def wait_for(status: str) -> None:
        deadline = time.monotonic() + 60
        while query(url, "SELECT status FROM org_importjob WHERE id = %s", job)[0][0] != status:
            assert time.monotonic() < deadline, query(
                url, "SELECT status, errors FROM org_importjob"
            )
            time.sleep(0.3)

    # A worker of either instance previews the file; the owner applies the preview through A.
    wait_for("preview")
    status_page = f"/o/{org}/import/{job}/"
    _status, _location, html = owner.request(port_a, "GET", status_page)
    state = re.search(r'name="state" value="([^"]*)"', html).group(1)
    form = [("csrfmiddlewaretoken", CSRF_FIELD.search(html).group(1)), ("state", state)]
    status, _location, html = owner.request(port_a, "POST", status_page + "apply/", form)
    assert status == 302, html[:500]
    wait_for("done")
    assert query(url, "SELECT count(*) FROM org_person")[0][0] == 40

    # Phones answer and post notes through both instances; A is killed midway.
    tokens = list(setup["tokens"])
    outcomes: list[str] = []
    failovers = [0]
    lock = threading.Lock()
    killed = threading.Event()
    notes_posted: list[str] = []

    def phone(n: int) -> None:
        browser = Browser()
        port = port_a if n % 2 == 0 else port_b
        # Join the workshop and post notes, each with its own key (a retry resends it).
        joined = False
        for _attempt in range(2):
            try:
                csrf = browser.csrf(port, "/join/")
                form = [("csrfmiddlewaretoken", csrf), ("code", setup["workshop"])]
                status, _location, _html = browser.request(port, "POST", "/join/", form)
                assert status == 302
                joined = True
                break
            except Down:
                port = port_b
                browser.cookies.clear()
        assert joined
        for i in range(NOTES_EACH):
            key = str(uuid.uuid4())
            form = {"key": key, "tool": 0, "text": f"Phone {n} note {i}"}
            for _attempt in range(2):
                try:
                    path = f"/w/{setup['workshop']}/"
                    csrf = browser.csrf(port, path)
                    status, _location, html = browser.request(
                        port, "POST", path + "post/", [("csrfmiddlewaretoken", csrf), *form.items()]
                    )
                    assert status in (204, 302), (status, html[:300])
                    with lock:
                        notes_posted.append(key)
                    break
                except Down:
                    port = port_b  # the phone retries on the instance that answers
                    with lock:
                        failovers[0] += 1
        while True:
            with lock:
                if not tokens:
                    return
                token = tokens.pop()
                if len(tokens) == LINKS // 2:
                    killed.set()
            try:
                result = answer(browser, port, token)
            except Down:
                port = port_b
                with lock:
                    failovers[0] += 1
                result = answer(browser, port, token)
            with lock:
                outcomes.append(result)

    threads = [threading.Thread(target=phone, args=(n,)) for n in range(PHONES)]
    for thread in threads:
        thread.start()
    assert killed.wait(timeout=120)
    kill_instance(first)
    for thread in threads:
        thread.join(timeout=180)
    assert len(outcomes) == LINKS
    assert failovers[0] >= 1  # the kill did cut some phones off
    responses = query(url, "SELECT count(*) FROM surveys_response")[0][0]
    used = query(url, "SELECT count(*) FROM surveys_invitation WHERE responded")[0][0]
    answers = query(url, "SELECT count(*) FROM surveys_answer")[0][0]
    assert responses == used == LINKS  # each link answered exactly once
    assert answers == 9 * LINKS
    stored_notes = [row[0] for row in query(url, "SELECT key::text FROM workshop_contribution")]
    assert sorted(stored_notes) == sorted(set(notes_posted))
    assert len(stored_notes) == PHONES * NOTES_EACH

    # The campaign closes through B: its results are published once, by one of the workers.
    campaign = setup["campaign"]
    path = f"/o/{org}/surveys/{campaign}/"
    csrf = owner.csrf(port_b, path)
    status, _location, html = owner.request(
        port_b, "POST", path + "close/", [("csrfmiddlewaretoken", csrf)]
    )
    assert status == 302, html[:500]
    published = "SELECT count(*) FROM results_disclosureevent WHERE campaign_id = %s AND kind = %s"
    deadline = time.monotonic() + 90
    while query(url, published, campaign, "published")[0][0] == 0:
        assert time.monotonic() < deadline, "no publication after closing"
        time.sleep(0.5)
    time.sleep(3)  # the other workers had their chance to publish it again
    assert query(url, published, campaign, "published")[0][0] == 1
    assert query(url, published, campaign, "republished")[0][0] == 0
