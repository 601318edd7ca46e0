"""Reading instrument files (own YAML, XLSForm) into the normalised definition, and installing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from tillit.core.datafiles import DataFileError, checksum, read_yaml
from tillit.instruments.models import Instrument, InstrumentVersion
from tillit.instruments.validation import normalise
from tillit.instruments.xlsform import XLSFormReader, relabel
from tillit.org.models import Organisation


def _empty_list_errors() -> tuple[str, ...]:
    return (_("expected a non-empty list of sections"), _("expected a non-empty list of items"))


class InstrumentFileError(DataFileError):
    """A file that is not a valid instrument; `errors` lists every problem with its path."""


def load_yaml(text_or_bytes: str | bytes) -> dict[str, Any]:
    """Parse and validate an instrument YAML file into the normalised definition."""
    try:
        raw, errors = read_yaml(text_or_bytes)
    except DataFileError as exc:
        raise InstrumentFileError(exc.errors) from None
    definition, more = normalise(raw)
    errors = errors + more
    if errors:
        raise InstrumentFileError(errors)
    return definition


def load_xlsform(data: bytes, name: str = "", language: str = "") -> dict[str, Any]:
    """Parse and validate an XLSForm workbook (.xlsx) into the normalised definition.

    Errors name the sheet and row (`survey row 7: type 'geopoint' is not supported`). `name`
    (the file's stem) gives a form without settings its id and title; `language` is the
    language of plain `label` columns when the settings name none.
    """
    reader = XLSFormReader(data, name=name, language=language)
    raw = reader.read()
    if raw is None:
        raise InstrumentFileError(reader.errors)
    definition, errors = normalise(raw)
    if reader.errors:
        # A section or form emptied by refused rows only repeats what the reader said.
        errors = [error for error in errors if not error.endswith(_empty_list_errors())]
    errors = reader.errors + relabel(errors, reader.path_labels)
    if errors:
        raise InstrumentFileError(errors)
    return definition


def load_file(path: Path, language: str = "") -> dict[str, Any]:
    """Load an instrument file by its extension: .yaml/.yml or .xlsx."""
    suffix = path.suffix.lower()
    if suffix not in (".yaml", ".yml", ".xlsx"):
        raise InstrumentFileError(
            [
                _("%(name)s: unknown file type '%(suffix)s' (use .yaml, .yml or .xlsx)")
                % {"name": path.name, "suffix": suffix}
            ]
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InstrumentFileError(
            [
                _("%(name)s: cannot be read (%(reason)s)")
                % {"name": path.name, "reason": exc.strerror}
            ]
        ) from None
    if suffix == ".xlsx":
        return load_xlsform(data, name=path.stem, language=language)
    return load_yaml(data)


def install(
    definition: dict[str, Any], organisation: Organisation | None = None
) -> tuple[InstrumentVersion, bool]:
    """Install a validated definition: a new version if it changed, else the latest one.

    Raises InstrumentFileError if the definition breaks the rules. Returns (version, created).
    The version number is assigned here (1, 2, 3 …) and written into the stored definition's
    `version`; the checksum leaves that number out, so the same content is recognised whatever
    number it got. Atomic: a failure leaves no instrument and no version behind.
    """
    # Check again: a definition built in code (not from a file) must meet the same rules.
    definition, errors = normalise(definition)
    if errors:
        raise InstrumentFileError(errors)
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
