"""Counting attempts per client in the database cache, for login failures and poster codes.

The database cache is shared by every app process, so a count holds behind several of them
without Redis. Keys are hashed: no e-mail address or client address is written in clear.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.http import HttpRequest


def key(scope: str, value: str) -> str:
    """The cache key under which `value` (an address, a code …) is counted in `scope`."""
    return f"{scope}:" + hashlib.sha256(value.encode()).hexdigest()


def client_address(request: HttpRequest | None) -> str:
    """The client's address as the server saw it ("" without a request)."""
    return request.META.get("REMOTE_ADDR", "") if request is not None else ""


def count(cache_key: str) -> int:
    """How many times `cache_key` was recorded in its current window."""
    return cache.get(cache_key) or 0


def record(cache_key: str, window: int) -> None:
    """Count one more attempt; the window starts at the first one."""
    if not cache.add(cache_key, 1, window):
        try:
            cache.incr(cache_key)
        except ValueError:  # expired between add and incr
            cache.set(cache_key, 1, window)
