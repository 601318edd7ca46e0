"""Ids drawn at random, for rows whose order must not be readable from a copy of the database:
anonymous responses and answers (surveys), anonymous workshop notes (workshop)."""

from __future__ import annotations

import os
from typing import Any

from django.db import models


def random_ids(count: int) -> list[int]:
    """`count` random ids in 1 … 2**63 - 1, from the operating system's generator.

    Not Python's `random`: the Mersenne Twister's state can be rebuilt from its outputs, and
    with it the order in which the ids were drawn – the submission order they must not carry.
    """
    raw = os.urandom(8 * count)
    return [(int.from_bytes(raw[i : i + 8], "little") >> 1) or 1 for i in range(0, 8 * count, 8)]


def random_id() -> int:
    """One random id in 1 … 2**63 - 1 (see `random_ids`)."""
    return random_ids(1)[0]


class RandomIdField(models.BigIntegerField):
    """A primary key drawn at random per row (`random_id`), never from a sequence.

    On SQLite the column is declared `integer` so that it *is* the table's rowid: a `bigint`
    primary key would leave a hidden rowid beside it, counting up in insertion order.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("default", random_id)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def db_type(self, connection: Any) -> str | None:
        return "integer" if connection.vendor == "sqlite" else super().db_type(connection)
