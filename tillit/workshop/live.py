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
from collections import Counter
from collections.abc import Iterator

from django.db import connection

from tillit.workshop.models import WorkshopSession

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
        self._leader: int | None = None

    def wait(self, session_id: int, seen: int, timeout: float) -> int | None:
        """The session's version once it differs from `seen` (None: closed or gone), or `seen`
        after `timeout` seconds without a change."""
        deadline = time.monotonic() + timeout
        me = threading.get_ident()
        with self._cond:
            self._watched[session_id] += 1
            try:
                while True:
                    known = self._versions.get(session_id, seen)
                    if known != seen:
                        return known
                    left = deadline - time.monotonic()
                    if left <= 0:
                        return seen
                    if self._leader is None:
                        self._leader = me
                    if self._leader == me:
                        self._cond.wait(min(INTERVAL, left))
                        self._refresh()
                    else:
                        # Woken by the leader on a change, or to take over when it leaves.
                        self._cond.wait(min(1.0, left))
            finally:
                self._watched[session_id] -= 1
                if not self._watched[session_id]:
                    del self._watched[session_id]
                    self._versions.pop(session_id, None)
                if self._leader == me:
                    self._leader = None
                    self._cond.notify()

    def _refresh(self) -> None:
        """Read the watched sessions' versions (the lock is released meanwhile)."""
        ids = list(self._watched)
        self._cond.release()
        try:
            rows = dict(
                WorkshopSession.objects.filter(pk__in=ids, status="open").values_list(
                    "pk", "version"
                )
            )
        finally:
            self._cond.acquire()
        changed = False
        for session_id in ids:
            version = rows.get(session_id)
            if session_id not in self._versions or self._versions[session_id] != version:
                changed = True
            self._versions[session_id] = version
        if changed:
            self._cond.notify_all()


PULSE = Pulse()


def stream(session_id: int, seen: int) -> Iterator[bytes]:
    """Server-sent events for one page: `version` events with the session's new version, and
    `closed` when the session closed. Ends after STREAM_SECONDS (the browser reconnects)."""
    # This thread only waits from here on; a connection per waiting stream would exhaust the
    # database's (the leader opens one to read, closed when its stream ends).
    _release_connection()
    yield f"retry: {RETRY_MS}\n\n".encode()
    end = time.monotonic() + STREAM_SECONDS
    try:
        while (left := end - time.monotonic()) > 0:
            version = PULSE.wait(session_id, seen, min(KEEPALIVE_SECONDS, left))
            if version is None:
                yield b"event: closed\ndata: closed\n\n"
                return
            if version == seen:
                yield b": still here\n\n"
                continue
            seen = version
            yield f"event: version\ndata: {version}\n\n".encode()
    finally:
        _release_connection()


def _release_connection() -> None:
    # Inside a transaction (a test's), closing would break it; requests run outside one.
    if not connection.in_atomic_block:
        connection.close()
