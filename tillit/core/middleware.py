"""Apply a logged-in user's chosen language, so it follows them across devices; take turns
between a web process's requests."""

import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.utils import translation


class UserLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)


# How many ordinary requests one web process works on at once (TILLIT_WEB_SLOTS); 0: no limit.
_slots: threading.BoundedSemaphore | None = None
# One long piece of work (a PDF, a spreadsheet) at a time per process, beside the slots.
_long_work = threading.Lock()
_held = threading.local()  # whether this thread's request holds an ordinary slot
# Database connections handed from slot to slot (`_park`, `_borrow`); None: not handed over.
_parked: list | None = None
_parked_lock = threading.Lock()
_handed = weakref.WeakSet()  # the connections this module made shareable between threads


def _request_slots() -> threading.BoundedSemaphore | None:
    global _slots, _parked
    if _slots is None and settings.WEB_SLOTS > 0:
        database = settings.DATABASES[DEFAULT_DB_ALIAS]
        # Persistent connections without a pool (SQLite's): kept per slot, not per thread.
        # A pool (PostgreSQL's) already lends its connections per request.
        persistent = database.get("CONN_MAX_AGE", 0) != 0
        _parked = [] if persistent and "pool" not in database.get("OPTIONS", {}) else None
        _slots = threading.BoundedSemaphore(settings.WEB_SLOTS)
    return _slots


def _thread_connection():
    """This thread's default database connection, if it has made one (without making one)."""
    for made in connections.all(initialized_only=True):
        if made.alias == DEFAULT_DB_ALIAS:
            return made
    return None


def _handing_over() -> bool:
    # The main thread never serves a request under `tillit serve` (gunicorn's threads do); it
    # is a command's or a test's, and keeps its connection – with a test's in-memory database.
    return _parked is not None and threading.current_thread() is not threading.main_thread()


def _borrow() -> None:
    """On taking a slot: the connection the last request in a slot left, if this thread has
    none of its own.

    With persistent connections every one of a process's hundreds of threads kept its own, and
    each began every request with an empty page cache (SQLite drops a connection's cache when
    another connection has written since its last transaction): a submit read its pages anew
    from the write-ahead log. Handed from slot to slot, a process keeps WEB_SLOTS connections
    with warm caches (bench/submit.py: 2.8 → 2.0–2.4 ms of server CPU per submit)."""
    if not _handing_over() or _thread_connection() is not None:
        return
    with _parked_lock:
        parked = _parked.pop() if _parked else None
    if parked is None:
        return
    connections[DEFAULT_DB_ALIAS] = parked
    # What a request's start checks of a thread's own connection (without a query): its age,
    # and errors, after which it is not trusted.
    if parked.errors_occurred or (
        parked.close_at is not None and time.monotonic() >= parked.close_at
    ):
        parked.close()


def _park() -> None:
    """On giving a slot back: this thread's connection goes to the next slot's request, or is
    closed. One inside a transaction (a test's, a caller's) stays with its thread, and so does
    one that another part of the program shares between threads (a live server's)."""
    if not _handing_over():
        return
    made = _thread_connection()
    if made is None or made.in_atomic_block:
        return
    if made.allow_thread_sharing and made not in _handed:
        return
    del connections[DEFAULT_DB_ALIAS]
    if made.connection is None:
        return  # never connected: nothing worth keeping
    if not made.allow_thread_sharing:
        made.inc_thread_sharing()  # used by one slot's thread at a time, one after the other
        _handed.add(made)
    with _parked_lock:
        if len(_parked) < settings.WEB_SLOTS:
            _parked.append(made)
            return
    made.close()


class RequestSlotsMiddleware:
    """Works on at most WEB_SLOTS requests of a process at a time; the others wait their turn.

    `tillit serve` gives each web process hundreds of threads, so that a workshop's event
    streams each have one while they wait (docs/architecture.md). Ordinary requests running
    on all of them at once only take turns at the GIL, and on SQLite a thread holding the
    write lock waits up to a switch interval (5 ms) for the GIL after each statement while the
    other writers sleep in SQLite's busy handler (bench/submit.py: p99 of a submit 0.5–0.7 s
    with 400 threads). A slot is held while the view and the middleware run; an event stream
    (a StreamingHttpResponse) gives it back when its view returns, before it starts waiting.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.slots = _request_slots()

    def __call__(self, request):
        if self.slots is None:
            return self.get_response(request)
        with self.slots:
            _held.slot = True
            _borrow()
            try:
                return self.get_response(request)
            finally:
                _held.slot = False
                _park()


@contextmanager
def waiting_elsewhere() -> Iterator[bool]:
    """For a wait on something outside the process (an identity provider's answer, the one
    place for long work): the request's slot and database connection go back for the wait,
    so pages are served meanwhile, and a slot is taken again after. Yields whether a slot was
    given back (False outside the middleware, or with no limit)."""
    slots = _slots
    if slots is None or not getattr(_held, "slot", False):
        yield False
        return
    # PostgreSQL's pool has one connection per slot, and SQLite's are handed from slot to
    # slot: a waiting request must not hold one.
    if _parked is not None:
        _park()
    elif not connection.in_atomic_block:
        connection.close()
    _held.slot = False
    slots.release()
    try:
        yield True
    finally:
        slots.acquire()
        _held.slot = True
        _borrow()


def long_work(view: Callable) -> Callable:
    """For a view that works for seconds (a PDF laid out, a spreadsheet written): it gives its
    ordinary slot back and waits for the process's one place for long work instead, so pages
    and survey submits never queue behind reports; it takes a slot again to finish."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        with waiting_elsewhere() as given_back:
            if not given_back:
                return view(request, *args, **kwargs)
            with _long_work:
                return view(request, *args, **kwargs)

    return wrapped
