"""A web process works on WEB_SLOTS ordinary requests at a time; event streams hold no slot."""

import threading
import time

import pytest
from django.db import connection
from django.http import HttpResponse, StreamingHttpResponse
from django.test import RequestFactory, override_settings

from tillit.core import middleware


@pytest.fixture
def slots():
    """A RequestSlotsMiddleware factory with one slot, on a fresh per-process semaphore."""
    middleware._slots = None
    with override_settings(WEB_SLOTS=1):
        yield lambda view: middleware.RequestSlotsMiddleware(view)
    for parked in middleware._parked or []:
        parked.close()
    middleware._slots = middleware._parked = None


def test_requests_take_turns_for_the_slots(slots):
    running, most = [0], [0]
    lock = threading.Lock()

    def view(request):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.02)
        with lock:
            running[0] -= 1
        return HttpResponse("ok")

    handler = slots(view)
    request = RequestFactory().get("/")
    threads = [threading.Thread(target=handler, args=(request,)) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert most[0] == 1


def test_an_event_stream_gives_its_slot_back_before_it_waits(slots):
    stream_may_end = threading.Event()

    def events():
        yield b"data: 1\n\n"
        stream_may_end.wait(10)  # a workshop stream waits here for the next change

    stream = slots(lambda request: StreamingHttpResponse(events()))
    ordinary = slots(lambda request: HttpResponse("ok"))
    request = RequestFactory().get("/")
    response = stream(request)
    chunks = iter(response)
    assert next(chunks) == b"data: 1\n\n"  # the stream is open and being sent
    answered = []
    thread = threading.Thread(target=lambda: answered.append(ordinary(request).status_code))
    thread.start()
    thread.join(timeout=5)
    stream_may_end.set()
    assert answered == [200]


def test_no_limit_with_zero_slots():
    middleware._slots = None
    try:
        with override_settings(WEB_SLOTS=0):
            handler = middleware.RequestSlotsMiddleware(lambda request: HttpResponse("ok"))
        assert handler.slots is None
        assert handler(RequestFactory().get("/")).status_code == 200
    finally:
        middleware._slots = None


def test_long_work_gives_its_slot_to_pages_and_runs_one_at_a_time(slots):
    """A report being laid out does not hold the one slot: a page is served meanwhile; two
    reports take turns; afterwards the slot is whole again (no more, no fewer)."""
    report_may_end = threading.Event()
    running, most, lock = [0], [0], threading.Lock()

    @middleware.long_work
    def report(request):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        report_may_end.wait(10)
        with lock:
            running[0] -= 1
        return HttpResponse("pdf")

    reports = slots(report)
    page = slots(lambda request: HttpResponse("ok"))
    request = RequestFactory().get("/")
    done = []
    workers = [
        threading.Thread(target=lambda: done.append(reports(request).content)) for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    deadline = time.monotonic() + 5
    while running[0] == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    served = []
    thread = threading.Thread(target=lambda: served.append(page(request).status_code))
    thread.start()
    thread.join(timeout=5)
    assert served == [200] and running[0] == 1  # the page went past the running report
    report_may_end.set()
    for worker in workers:
        worker.join(timeout=10)
    assert done == [b"pdf", b"pdf"] and most[0] == 1
    semaphore = middleware._slots
    assert semaphore.acquire(blocking=False) and not semaphore.acquire(blocking=False)
    semaphore.release()


def test_long_work_outside_the_middleware_does_not_wait_for_the_place():
    """A command or a test calling the view directly holds no slot: it runs at once, even
    while another request has the place for long work."""
    done = []
    with middleware._long_work:  # the place is taken
        thread = threading.Thread(
            target=lambda: done.append(middleware.long_work(lambda r: HttpResponse("x"))(None))
        )
        thread.start()
        thread.join(timeout=5)
    assert [response.content for response in done] == [b"x"]


def test_a_request_waiting_on_an_identity_provider_holds_no_slot(slots):
    """While a login waits for its provider's answer (`waiting_elsewhere`), pages are served;
    after the wait the login takes a slot again to finish."""
    provider_answers = threading.Event()
    after_wait = []

    def login(request):
        with middleware.waiting_elsewhere() as given_back:
            provider_answers.wait(10)
        after_wait.append((given_back, middleware._held.slot))
        return HttpResponse("logged in")

    logins = slots(login)
    page = slots(lambda request: HttpResponse("ok"))
    request = RequestFactory().get("/")
    thread = threading.Thread(target=logins, args=(request,))
    thread.start()
    time.sleep(0.1)
    served = []
    other = threading.Thread(target=lambda: served.append(page(request).status_code))
    other.start()
    other.join(timeout=5)
    provider_answers.set()
    thread.join(timeout=10)
    assert served == [200] and after_wait == [(True, True)]


SQLITE_ONLY = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="PostgreSQL's pool lends a connection per request"
)


@SQLITE_ONLY
@pytest.mark.django_db(transaction=True)
def test_requests_on_many_threads_share_the_slots_connection(slots):
    """SQLite's persistent connections go with the slots, not the threads: requests on five
    threads, one after the other, use one connection (and its page cache), and no thread keeps
    one after its request – also not a login's thread that waited for its provider."""
    drivers, kept = [], []

    def view(request):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        drivers.append(connection.connection)
        if request.GET.get("wait"):
            with middleware.waiting_elsewhere():
                kept.append(("waiting", middleware._thread_connection()))
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            drivers.append(connection.connection)
        return HttpResponse("ok")

    handler = slots(view)

    def request(path):
        assert handler(RequestFactory().get(path)).status_code == 200
        kept.append(("after", middleware._thread_connection()))

    for path in ["/", "/", "/?wait=1", "/", "/"]:
        thread = threading.Thread(target=request, args=(path,))
        thread.start()
        thread.join(timeout=10)
    assert len(drivers) == 6 and all(driver is drivers[0] for driver in drivers)
    assert (
        kept == [("after", None)] * 2 + [("waiting", None), ("after", None)] + [("after", None)] * 2
    )


@SQLITE_ONLY
@pytest.mark.django_db(transaction=True)
def test_the_main_thread_keeps_its_connection(slots):
    """A command's or a test's requests run on the main thread (never gunicorn's): its
    connection, which may hold an in-memory test database, stays with it."""
    from tillit.org.models import Organisation

    Organisation.objects.create(slug="main", name="Main")
    mine = middleware._thread_connection()
    handler = slots(lambda request: HttpResponse(str(Organisation.objects.count())))
    assert handler(RequestFactory().get("/")).content == b"1"
    assert middleware._thread_connection() is mine and middleware._parked == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the pool is PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_with_a_pool_connections_are_not_handed_over(slots):
    """PostgreSQL's pool lends a connection per request and takes it back at its end: the
    slots keep none of their own."""
    handler = slots(lambda request: HttpResponse("ok"))
    assert handler(RequestFactory().get("/")).status_code == 200
    assert middleware._parked is None
