"""Published HME values from Kolada, imported from CSV, to show beside an organisation's own.

CSV columns: `municipality_code,year,total` required; `motivation,ledarskap,styrning`
optional (the HME sub-indices). Separators `,` `;` or tab; UTF-8 or Windows-1252. Every bad
value is named by row and column, and nothing is imported unless the whole file is good.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from tillit.org.models import Organisation
from tillit.results.models import KoladaValue, ResultSettings

REQUIRED = ("municipality_code", "year", "total")
OPTIONAL = ("motivation", "ledarskap", "styrning")
INDEX_OF = {"total": "hme.total", **{name: f"hme.{name}" for name in OPTIONAL}}


@dataclass(frozen=True)
class KoladaError:
    row: int
    column: str
    message: str


NUMBER = re.compile(r"[0-9]+(?:[.,][0-9]+)?")  # ASCII digits: Python's int() takes "²" and "٧"


def _decode(content: bytes) -> str | None:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        return None if "\x00" in text else text  # NUL: a spreadsheet or other binary file
    return None


def parse(content: bytes) -> tuple[list[dict], list[KoladaError]]:
    """The rows of a Kolada CSV, or the errors that stop it (row 1 is the header)."""
    text = _decode(content)
    if text is None:
        return [], [
            KoladaError(
                1, "", _("The file is not a CSV text file (UTF-8 or Windows-1252): save it as CSV.")
            )
        ]
    try:
        dialect = csv.Sniffer().sniff(text[:2048], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    header = [h.strip().lower() for h in next(reader, [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        return [], [
            KoladaError(1, c, _("The column “%(column)s” is missing.") % {"column": c})
            for c in missing
        ]
    rows, errors = [], []
    for number, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        record = dict(zip(header, (v.strip() for v in values), strict=False))
        row: dict = {}
        code = record.get("municipality_code", "")
        if not re.fullmatch(r"[0-9]{4}", code):
            errors.append(
                KoladaError(
                    number,
                    "municipality_code",
                    _("“%(value)s” is not a four-digit municipality code.") % {"value": code},
                )
            )
        row["municipality_code"] = code
        year = record.get("year", "")
        if not (re.fullmatch(r"[0-9]{4}", year) and 2000 <= int(year) <= 2100):
            errors.append(
                KoladaError(number, "year", _("“%(value)s” is not a year.") % {"value": year})
            )
        else:
            row["year"] = int(year)
        for column in ("total", *OPTIONAL):
            raw = record.get(column, "")
            if raw == "" and column != "total":
                row[column] = None
                continue
            value = float(raw.replace(",", ".")) if NUMBER.fullmatch(raw) else -1.0
            if not 0 <= value <= 100:
                errors.append(
                    KoladaError(
                        number,
                        column,
                        _("“%(value)s” is not an index from 0 to 100.") % {"value": raw},
                    )
                )
            row[column] = value
        rows.append(row)
    if not rows and not errors:
        errors.append(KoladaError(2, "", _("The file has no rows.")))
    return rows, errors


def do_import_kolada(
    organisation: Organisation, content: bytes, municipality_code: str
) -> tuple[int, list[KoladaError]]:
    """Store the file's values (replacing those of the same code and year) and the
    organisation's own municipality code; nothing at all when there is an error."""
    rows, errors = parse(content)
    if errors:
        return 0, errors
    with transaction.atomic():
        settings, _created = ResultSettings.objects.get_or_create(organisation=organisation)
        if municipality_code:
            settings.municipality_code = municipality_code
            settings.save(update_fields=["municipality_code"])
        for row in rows:
            KoladaValue.objects.update_or_create(
                organisation=organisation,
                municipality_code=row["municipality_code"],
                year=row["year"],
                defaults={k: row[k] for k in ("total", *OPTIONAL)},
            )
    return len(rows), []


def comparison(organisation: Organisation, own: dict | None) -> dict | None:
    """Rows for the overview: the organisation's HME figures beside Kolada's (own code
    first, latest year per code); None when nothing was imported."""
    values = list(KoladaValue.objects.filter(organisation=organisation))
    if not values:
        return None
    settings = ResultSettings.objects.filter(organisation=organisation).first()
    code = settings.municipality_code if settings else ""
    latest: dict[str, KoladaValue] = {}
    for value in values:
        if (
            value.municipality_code not in latest
            or value.year > latest[value.municipality_code].year
        ):
            latest[value.municipality_code] = value
    ordered = sorted(
        latest.values(), key=lambda v: (v.municipality_code != code, v.municipality_code)
    )
    own_row = None
    if own and own.get("shown"):
        own_row = [own["indices"].get(INDEX_OF[c]) for c in ("total", *OPTIONAL)]
    return {
        "own": own_row,
        "code": code,
        "rows": [
            (
                v.municipality_code,
                v.year,
                v.municipality_code == code,
                [v.total, v.motivation, v.ledarskap, v.styrning],
            )
            for v in ordered
        ],
    }
