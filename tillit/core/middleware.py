"""Apply a logged-in user's chosen language, so it follows them across devices; take turns
between a web process's requests."""

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps

from django.conf import settings
from django.db import connection
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


def _request_slots() -> threading.BoundedSemaphore | None:
    global _slots
    if _slots is None and settings.WEB_SLOTS > 0:
        _slots = threading.BoundedSemaphore(settings.WEB_SLOTS)
    return _slots


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
            try:
                return self.get_response(request)
            finally:
                _held.slot = False


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
    slots.release()
    _held.slot = False
    # PostgreSQL's pool has one connection per slot: a waiting request must not hold one.
    if not connection.in_atomic_block:
        connection.close()
    try:
        yield True
    finally:
        slots.acquire()
        _held.slot = True


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
