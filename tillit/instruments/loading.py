"""Reading instrument files (own YAML, XLSForm) into the normalised definition, and installing."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from tillit.instruments.definition import checksum
from tillit.instruments.models import Instrument, InstrumentVersion
from tillit.org.models import Organisation


class InstrumentFileError(Exception):
    """A file that is not a valid instrument; `errors` lists every problem with its path."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = list(errors)


def load_yaml(text_or_bytes: str | bytes) -> dict[str, Any]:
    """Parse and validate an instrument YAML file into the normalised definition."""
    raise NotImplementedError("being written")


def load_xlsform(data: bytes) -> dict[str, Any]:
    """Parse and validate an XLSForm workbook into the normalised definition."""
    raise NotImplementedError("being written")


def install(
    definition: dict[str, Any], organisation: Organisation | None = None
) -> tuple[InstrumentVersion, bool]:
    """Install a validated definition: a new version if it changed, else the latest one.

    Returns (version, created). The version number is assigned here (1, 2, 3 …) and written
    into the stored definition's `version`; the checksum leaves that number out, so the same
    content is recognised whatever number it got.
    """
    digest = checksum(definition)
    with transaction.atomic():
        instrument, _created = Instrument.objects.select_for_update().get_or_create(
            organisation=organisation,
            slug=definition["id"],
            defaults={"title": definition["title"]},
        )
        latest = instrument.latest()
        if latest is not None and latest.checksum == digest:
            return latest, False
        number = latest.number + 1 if latest else 1
        stored = {**definition, "version": number}
        version = InstrumentVersion.objects.create(
            instrument=instrument, number=number, definition=stored, checksum=digest
        )
        if instrument.title != definition["title"]:
            instrument.title = definition["title"]
            instrument.save(update_fields=["title"])
        return version, True
