"""Rate limits shared by every app process: atomic, expiring counters in the database.

`hit()` counts one attempt and returns the new count in one transaction, so when 40 guesses
arrive at once each gets its own number and only those within the limit are evaluated.
Keys are hashed before they are stored (no e-mail or IP address in clear).
"""

import datetime as dt
import hashlib
import ipaddress
from functools import lru_cache

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from tillit.core.models import Counter


def key_for(*parts: str) -> str:
    """A stored key for these parts: a hash, so the table holds no address in clear."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def hit(key: str, window: float) -> int:
    """Count one attempt under `key` for `window` seconds; the count including this one."""
    for _attempt in range(3):
        now = timezone.now()
        expires = now + dt.timedelta(seconds=window)
        with transaction.atomic():
            # Row-locking UPDATEs: a concurrent hit waits for this one's commit (PostgreSQL)
            # or for the write lock taken at BEGIN (SQLite, IMMEDIATE transactions).
            if Counter.objects.filter(key=key, expires_at__gt=now).update(count=F("count") + 1):
                return Counter.objects.filter(key=key).values_list("count", flat=True).get()
            if Counter.objects.filter(key=key, expires_at__lte=now).update(
                count=1, expires_at=expires
            ):
                return 1
            try:
                with transaction.atomic():
                    Counter.objects.create(key=key, count=1, expires_at=expires)
                return 1
            except IntegrityError:  # created by a concurrent hit: count on that row
                continue
    raise RuntimeError("could not count an attempt")  # pragma: no cover


def count(key: str) -> int:
    """The attempts counted under `key` and not yet expired."""
    found = (
        Counter.objects.filter(key=key, expires_at__gt=timezone.now())
        .values_list("count", flat=True)
        .first()
    )
    return found or 0


def expires_at(key: str) -> dt.datetime | None:
    """When the count under `key` runs out, or None when there is none."""
    return (
        Counter.objects.filter(key=key, expires_at__gt=timezone.now())
        .values_list("expires_at", flat=True)
        .first()
    )


def lock(key: str, seconds: float, count: int) -> None:
    """Hold `key` at `count` for `seconds` from now (a lock-out in force until then)."""
    Counter.objects.update_or_create(
        key=key,
        defaults={"count": count, "expires_at": timezone.now() + dt.timedelta(seconds=seconds)},
    )


def refund(key: str) -> None:
    """Give back one attempt (it turned out to be a good one)."""
    Counter.objects.filter(key=key, count__gt=0).update(count=F("count") - 1)


def clear(*keys: str) -> None:
    """Forget the counts under these keys."""
    Counter.objects.filter(key__in=keys).delete()


def purge() -> int:
    """Delete expired counters; the number deleted."""
    return Counter.objects.filter(expires_at__lte=timezone.now()).delete()[0]


@lru_cache(maxsize=8)
def _networks(spec: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(s, strict=False) for s in spec)


def _trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in _networks(tuple(settings.TRUSTED_PROXIES)))


def client_address(request: HttpRequest) -> str:
    """The client's IP address; X-Forwarded-For is believed only from trusted proxies.

    Read from the right: each trusted proxy appended the address it got the request from,
    so the first address from the right that is not a trusted proxy is the client. A client
    can put anything at the left of the header, so nothing left of that is believed.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    if not _trusted(remote):
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [h.strip() for h in forwarded.split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop):
            return hop
    return hops[0] if hops else remote
