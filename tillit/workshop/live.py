"""Telling phones and the presenter screen that a session changed: server-sent events.

The database is the only source of truth: every write bumps `WorkshopSession.version`
(actions.py). A stream holds no state of its own; it waits in `Pulse.wait()` until the version of
its session differs from the one its page shows, then sends that number, and the page fetches its
live region as a poll would. So two `tillit serve` instances on one database work alike, and a
page without EventSource simply keeps polling.

Per process, one waiting thread at a time (the "leader") reads the versions of every watched
session in one query every INTERVAL seconds and wakes the others only when one changed: 500
phones cost one small query per interval per process, not 500. The streams hold no database
connection while they wait (PostgreSQL would run out of them).
"""

from __future__ import annotations

import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterator
from typing import TypeVar

from django.db import DatabaseError, connection
from django.http import StreamingHttpResponse
from django.template.loader import render_to_string
from django.utils import translation

from tillit.workshop.models import Participant, WorkshopSession

T = TypeVar("T")

# What a page's `region` gives when the page must reload (another tool): the stream says the
# version and ends.
RELOAD = "reload"


def page_is_stale(session: WorkshopSession, tool: str, item: str) -> bool:
    """Whether a phone's page, made for tool index `tool` and item `item` (as the page sends
    them), must reload: another tool, or another dilemma of a dilemma line, whose poles are in
    the form outside the live region (a position would otherwise be saved for the new dilemma
    against the old one's poles)."""
    if tool != str(session.current):
        return True
    return session.tool().get("type") == "dilemma_line" and item != str(
        session.tool_state()["item"]
    )


# Seconds between the leader's reads of the versions: the delay an update may add.
INTERVAL = 0.1
# A stream ends after this many seconds and the browser reconnects (EventSource does so by
# itself), so no thread is held for ever and connections spread again over the workers.
STREAM_SECONDS = 55
# A comment line this often keeps proxies from closing a quiet stream.
KEEPALIVE_SECONDS = 15
# What the browser waits before reconnecting a stream that ended (ms).
RETRY_MS = 1000


class Pulse:
    """The latest known version (and open state) of each watched session in this process."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._watched: Counter[int] = Counter()
        self._versions: dict[int, int | None] = {}
        self._sessions: dict[int, WorkshopSession] = {}
        self._leader: int | None = None

    def wait(
        self, session_id: int, seen: int, timeout: float
    ) -> tuple[int | None, WorkshopSession | None]:
        """The session's version once it differs from `seen` (None: closed or gone), or `seen`
        after `timeout` seconds without a change; with the session's row as last read (shared:
        read it, never change it)."""
        deadline = time.monotonic() + timeout
        me = threading.get_ident()
        with self._cond:
            self._watched[session_id] += 1
            try:
                while True:
                    known = self._versions.get(session_id, seen)
                    if known != seen:
                        return known, self._sessions.get(session_id)
                    left = deadline - time.monotonic()
                    if left <= 0:
                        return seen, None
                    if self._leader is None:
                        self._leader = me
                    if self._leader == me:
                        self._cond.wait(min(INTERVAL, left))
                        self._refresh()
                    else:
                        # Woken by the leader on a change, or to take over when it leaves.
                        self._cond.wait(left)
            finally:
                self._watched[session_id] -= 1
                if not self._watched[session_id]:
                    del self._watched[session_id]
                    self._versions.pop(session_id, None)
                    self._sessions.pop(session_id, None)
                if self._leader == me:
                    self._leader = None
                    self._cond.notify()

    def _refresh(self) -> None:
        """Read the watched sessions' versions, and the rows of those that changed (the lock
        is released meanwhile)."""
        ids = list(self._watched)
        self._cond.release()
        try:
            rows, sessions = self._read(ids)
        except DatabaseError:
            return  # the next leader's read, an interval later, tries again
        finally:
            self._cond.acquire()
        changed = False
        for session_id in ids:
            session = sessions.get(session_id)
            version = session.version if session else rows.get(session_id)
            if session is not None:
                self._sessions[session_id] = session
            if session_id not in self._versions or self._versions[session_id] != version:
                changed = True
            self._versions[session_id] = version
        if changed:
            self._cond.notify_all()

    def _read(self, ids: list[int]) -> tuple[dict, dict]:
        """The open sessions' versions, and the rows of those whose version is new here."""
        rows = dict(
            WorkshopSession.objects.filter(pk__in=ids, status="open").values_list("pk", "version")
        )
        stale = [i for i in rows if self._versions.get(i) != rows[i]]
        sessions = {
            s.pk: s
            for s in WorkshopSession.objects.filter(pk__in=stale).select_related("step__programme")
        }
        return rows, sessions


PULSE = Pulse()


def stream(
    session_id: int, seen: int, region: Callable[[WorkshopSession], str | None] | None = None
) -> Iterator[bytes]:
    """Server-sent events for one page: `version` events with the session's new version (the
    page then fetches its live region), or `region` events carrying the region itself when
    `region(session)` gives one (RELOAD: a last `version` event); `closed` when the session
    closed. Ends after STREAM_SECONDS (the browser reconnects)."""
    # This thread only waits from here on; a connection per waiting stream would exhaust the
    # database's (the leader opens one to read, closed when its stream ends).
    _release_connection()
    yield f"retry: {RETRY_MS}\n\n".encode()
    end = time.monotonic() + STREAM_SECONDS
    try:
        while (left := end - time.monotonic()) > 0:
            version, session = PULSE.wait(session_id, seen, min(KEEPALIVE_SECONDS, left))
            if version is None:
                yield b"event: closed\ndata: closed\n\n"
                return
            if version == seen:
                yield b": still here\n\n"
                continue
            html = None
            if region and session is not None and session.version == version:
                html = region(session)
                _release_connection()  # the one that rendered it may have opened one
            seen = version
            if html == RELOAD:
                # The page reloads for another tool: end here, so a room of phones does not
                # hold two streams each until the old ones' next write finds them gone.
                yield f"event: version\ndata: {version}\n\n".encode()
                return
            if html is None:
                yield f"event: version\ndata: {version}\n\n".encode()
            else:
                data = "".join(f"data: {line}\n" for line in html.splitlines())
                yield f"event: region\n{data}\n".encode()
    finally:
        _release_connection()


def _release_connection() -> None:
    # Inside a transaction (a test's), closing would break it; requests run outside one.
    if not connection.in_atomic_block:
        connection.close()


# Tools whose live region, once revealed, is the same for every participant of a language.
SHARED_TOOLS = frozenset({"dialogue_cards", "brainstorm", "retro", "dilemma_line"})


def is_shared(session: WorkshopSession) -> bool:
    """True when a participant's live region holds nothing of their own: a revealed tool
    without votes, answers or forms in it."""
    return session.tool().get("type") in SHARED_TOOLS and session.is_revealed()


class Fragments:
    """Rendered live regions and the contexts they are made of, by (what, session, code,
    version, …): a version never changes once written, so nothing cached is ever stale, and
    each process makes its own."""

    SIZE = 1024

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rendered: OrderedDict[tuple, object] = OrderedDict()
        self._rendering: dict[tuple, threading.Lock] = {}

    def get(self, key: tuple, render: Callable[[], T]) -> T:
        """The cached value, or `render()`'s, made once even when many ask at the same time."""
        with self._lock:
            if key in self._rendered:
                return self._rendered[key]
            lock = self._rendering.setdefault(key, threading.Lock())
        with lock:
            with self._lock:
                if key in self._rendered:
                    return self._rendered[key]
            html = render()
            with self._lock:
                self._rendered[key] = html
                self._rendering.pop(key, None)
                while len(self._rendered) > self.SIZE:
                    self._rendered.popitem(last=False)
            return html


FRAGMENTS = Fragments()


def _key(what: str, session: WorkshopSession, *more) -> tuple:
    return (what, session.pk, session.code, session.version, *more)


def shared_region(session: WorkshopSession, language: str) -> str | None:
    """The live region every participant of a language sees alike (a revealed board), made
    once per version and process; None when it holds something of the participant's own."""
    if not is_shared(session):
        return None

    def render() -> str:
        with translation.override(language):
            context = {"session": session, "t": _shared_context(session, language)}
            return render_to_string("workshop/_room_live.html", {**context, "language": language})

    return FRAGMENTS.get(_key("region", session, language), render)


def _shared_context(session: WorkshopSession, language: str) -> dict:
    from tillit.workshop.presenting import shared_context

    def build() -> dict:
        with translation.override(language):
            return shared_context(session, language)

    return FRAGMENTS.get(_key("context", session, language), build)


def phone_context(session: WorkshopSession, participant: Participant, token: str) -> dict:
    """The current tool as this phone sees it: the shared part and every participant's votes
    and answers read once per version and process, its own parts picked out of them."""
    from tillit.workshop.presenting import personal_context, tally

    shared = _shared_context(session, participant.language)
    counted = FRAGMENTS.get(_key("tally", session), lambda: tally(session, session.current))
    return personal_context(shared, session, participant, token, counted)


# Stands for the phone's CSRF token in a region made for every phone alike in it.
CSRF_SLOT = "csrf-slot-for-the-phones-own-token"


def _alike(t: dict) -> tuple | None:
    """All a phone's own in its region, for tools where that is all there is: phones alike
    in it get the same region (but for their CSRF token). None: the region is made for the
    phone alone (its answers, reasons or named proposals are in it)."""
    kind = t.get("type")
    if kind in ("brainstorm", "dialogue_cards", "retro"):
        return ("mine", *(c.pk for c in t.get("mine") or ()))
    if kind == "dilemma_line":
        return ()  # the position is in the form outside the region
    if kind == "dot_voting":
        return ("dots", t["left"], *(row["mine"] for row in t["targets"]))
    return None


def phone_region(
    session: WorkshopSession, participant: Participant, token: str, csrf_token: str
) -> str:
    """This phone's live region: the shared one when it holds nothing of the phone's own, else
    made from the cached parts – once for every phone alike in its own parts (most phones
    before the reveal have written nothing), or for the phone alone."""
    language = participant.language
    shared = shared_region(session, language)
    if shared is not None:
        return shared
    with translation.override(language):
        t = phone_context(session, participant, token)

    def render(csrf: str) -> str:
        with translation.override(language):
            context = {
                "session": session,
                "participant": participant,
                "t": t,
                "language": language,
                "csrf_token": csrf,
            }
            return render_to_string("workshop/_room_live.html", context)

    alike = _alike(t)
    if alike is None:
        return render(csrf_token)
    html = FRAGMENTS.get(_key("phone", session, language, alike), lambda: render(CSRF_SLOT))
    return html.replace(CSRF_SLOT, csrf_token)


def event_response(
    session_id: int, seen: str, region: Callable[[WorkshopSession], str | None] | None = None
) -> StreamingHttpResponse:
    """A page's event stream: the version the page shows (`seen`) is where it starts."""
    try:
        version = int(seen)
    except ValueError:
        version = 0
    response = StreamingHttpResponse(
        stream(session_id, version, region), content_type="text/event-stream"
    )
    response["Cache-Control"] = "no-store"
    response["X-Accel-Buffering"] = "no"  # nginx would otherwise hold the events back
    return response
