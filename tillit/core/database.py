"""SQLite's write-ahead log, copied into the database file off the request path.

In WAL mode every commit appends the pages it changed to the log, and by default the commit
that takes the log past 1,000 pages also copies the log back into the database file and waits
for the disk (a checkpoint). A survey submit writes ~20 pages, so every ~50th respondent waited
for a checkpoint (bench/submit.py: about half of a submit's commit time). `tillit serve` runs
`checkpoint()` every second in its supervising process instead; the automatic threshold,
raised to 10,000 pages (~40 MB) in settings, stays as the safety net when nothing else runs
checkpoints (`runserver`, a bare gunicorn), so the log never grows without bound.
"""

from django.db import connection


def checkpoint() -> int | None:
    """Copy the log into the database file without waiting for readers or writers (PASSIVE);
    the number of pages copied, or None on databases other than SQLite."""
    if connection.vendor != "sqlite":
        return None
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
        _busy, _log, copied = cursor.fetchone()
    return copied
