"""Importing an organisation's units and people from CSV or XLSX files.

Three steps, so nothing is written unless the whole file is right:

1. `read_table` turns the uploaded bytes into a header and rows (CSV in UTF-8, UTF-8 with BOM,
   UTF-16 with BOM or cp1252, delimited by `;`, `,` or tab; or an .xlsx workbook).
2. `check_units` / `check_people` validate every row in memory against the file and the
   database and collect EVERY error as (row, column, message), row numbers as Excel shows them.
3. `apply_units` / `apply_people` write the result in one transaction: units through
   `tillit.org.actions` (so each change leaves history), people in bulk.

`run_import` does all three; the background task and the commands call it.

Role grants have no "source" field, so the grants an import made are recorded in the
summary of the import job (`summary["grants"]`); the next people import removes only those
of them that are gone from the file, never a grant given by hand.
"""

import codecs
import csv
import datetime as dt
import hashlib
import io
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tillit import audit
from tillit.audit.log import Kind
from tillit.core.models import normalise_email
from tillit.org import actions
from tillit.org.models import ColumnMapping, ImportJob, Organisation, Person, RoleGrant, Unit

Progress = Callable[[int, int], None]

UNIT_COLUMNS = ("unit_id", "parent_id", "name")
UNIT_OPTIONAL = ("manager_email", "type", "cost_centre")
PEOPLE_COLUMNS = ("email", "unit_id", "name")
PEOPLE_OPTIONAL = ("role", "language", "birth_year", "start_date", "gender")

EMPLOYEE, MED, ADMIN = "employee", RoleGrant.Role.MED.value, RoleGrant.Role.ADMIN.value
ROLE_WORDS = {
    EMPLOYEE: [
        "employee",
        "medarbetare",
        "anställd",
        "medarbejder",
        "ansat",
        "medarbeider",
        "ansatt",
        "staff",
    ],
    MED: [
        "med",
        "union rep",
        "union representative",
        "skyddsombud",
        "tillitsvald",
        "förtroendevald",
        "tillidsrepræsentant",
        "arbejdsmiljørepræsentant",
        "tillitsvalgt",
        "verneombud",
    ],
    ADMIN: [
        "admin",
        "process owner",
        "processägare",
        "procesejer",
        "prosesseier",
        "administrator",
    ],
}
ROLES = {word: role for role, words in ROLE_WORDS.items() for word in words}
LANGUAGES = {
    "sv": "sv",
    "se": "sv",
    "svenska": "sv",
    "swedish": "sv",
    "da": "da",
    "dk": "da",
    "dansk": "da",
    "danish": "da",
    "nb": "nb",
    "no": "nb",
    "nn": "nb",
    "norsk": "nb",
    "bokmål": "nb",
    "norwegian": "nb",
    "en": "en",
    "english": "en",
    "engelska": "en",
    "engelsk": "en",
}
PROGRESS_EVERY = 500
BATCH = 1000
EMPTY_ROWS_AT_END = 1000  # an .xlsx may declare a million empty rows; stop after this many
MAX_BYTES = 50 * 1024 * 1024
MAX_ERRORS = 1000  # listed per file; the rest are counted


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem in a file, where the user can find it in Excel."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}, column {self.column or '-'}: {self.message}"

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


class FileErrors(Exception):
    """The file cannot be imported; `errors` says why, all of it."""

    def __init__(self, errors: list[RowError]):
        super().__init__("; ".join(str(e) for e in errors[:3]))
        self.errors = errors


@dataclass
class Table:
    """A file's header (normalised names) and data rows as (row number, cells)."""

    columns: list[str]
    rows: list[tuple[int, list]]

    def index(self, name: str) -> int | None:
        return self.columns.index(name) if name in self.columns else None


#: Names listed per kind of change in a preview or summary; the counts are always complete.
DETAILS_LISTED = 500


class Details:
    """What an import changes, by name: the preview shows it, the summary keeps it."""

    def __init__(self, kinds: Iterable[str]):
        self.lists: dict[str, list] = {kind: [] for kind in kinds}

    def add(self, kind: str, item: list) -> None:
        if len(self.lists[kind]) < DETAILS_LISTED:
            self.lists[kind].append(item)

    def as_dict(self) -> dict:
        return self.lists


# ---------------------------------------------------------------- reading files


def max_rows() -> int:
    """The most data rows one file may have (settings.IMPORT_MAX_ROWS)."""
    return settings.IMPORT_MAX_ROWS


class _Budget:
    """Counts the rows and cells read so far, refusing the file past either limit.

    Memory grows with the cells held (each a Python string of ~50 bytes and more), so a file
    within the row limit but hundreds of columns wide is refused as well.
    """

    def __init__(self) -> None:
        self.rows = 0
        self.cells = 0
        self.max_rows = max_rows()
        self.max_cells = settings.IMPORT_MAX_CELLS

    def take(self, number: int, cells: list) -> None:
        self.rows += 1
        self.cells += len(cells)
        if self.rows > self.max_rows:
            raise _too_many_rows(number)
        if self.cells > self.max_cells:
            raise FileErrors(
                [
                    RowError(
                        number,
                        "",
                        _(
                            "The file has more than %(max)s cells (rows × columns) by this row. "
                            "Remove the columns Tillit does not read; nothing was imported."
                        )
                        % {"max": self.max_cells},
                    )
                ]
            )


def _too_many_rows(row: int) -> FileErrors:
    return FileErrors(
        [
            RowError(
                row,
                "",
                _(
                    "The file has more than %(max)s rows, more than any organisation's units "
                    "or people. Check that it is the right file; nothing was imported."
                )
                % {"max": max_rows()},
            )
        ]
    )


def read_table(content: bytes, filename: str = "") -> Table:
    """Read a CSV or XLSX upload into a table; raise FileErrors when it is neither.

    Rows are read one at a time and reading stops at the row limit, so a file of millions
    of rows costs no more memory than one at the limit.
    """
    if len(content) > MAX_BYTES:
        raise FileErrors([RowError(1, "", _("The file is larger than 50 MB."))])
    if content.startswith(b"PK\x03\x04"):
        return _read_xlsx(content)
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileErrors(
            [
                RowError(
                    1,
                    "",
                    _(
                        "Old Excel files (.xls) cannot be read. Save the file as an Excel "
                        "workbook (.xlsx) or as CSV."
                    ),
                )
            ]
        )
    if filename.lower().endswith((".xlsx", ".xlsm")):
        raise FileErrors([RowError(1, "", _("The file is not a valid Excel workbook (.xlsx)."))])
    return _read_csv(content, _encoding(content))


def _not_text(row: int) -> FileErrors:
    return FileErrors(
        [
            RowError(
                row,
                "",
                _(
                    "The file could not be read as text: it is neither an Excel workbook "
                    "(.xlsx) nor a CSV file in UTF-8 or Windows-1252 (cp1252). Save it from "
                    "Excel as “CSV UTF-8” or as .xlsx."
                ),
            )
        ]
    )


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CHUNK = 1 << 20


def _check_text(content: bytes, encoding: str) -> None:
    """Decode the whole file a megabyte at a time (never all of it at once) and refuse
    binary data; UnicodeDecodeError when it is not in `encoding`."""
    decoder = codecs.getincrementaldecoder(encoding)()
    line = 1
    for start in range(0, len(content), _CHUNK):
        text = decoder.decode(content[start : start + _CHUNK], start + _CHUNK >= len(content))
        if bad := _CONTROL.search(text):
            raise _not_text(line + text.count("\n", 0, bad.start()))
        line += text.count("\n")
    if not content:
        decoder.decode(b"", True)


def _encoding(content: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else cp1252; refuse binary data."""
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            _check_text(content, "utf-16")
        except UnicodeDecodeError:
            raise _not_text(1) from None
        return "utf-16"
    try:
        _check_text(content, "utf-8-sig")
        return "utf-8-sig"
    except UnicodeDecodeError:
        pass
    try:
        # Swedish, Danish and Norwegian Excel save "CSV" in Windows-1252.
        _check_text(content, "cp1252")
    except UnicodeDecodeError as error:
        raise _not_text(content.count(b"\n", 0, error.start) + 1) from None
    return "cp1252"


def _sniff_delimiter(text: str) -> str:
    """The delimiter the header line uses most: `;`, tab or `,`."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: header.count(d) for d in (";", "\t", ",")}
    best = max(counts, key=lambda d: counts[d])  # ties: the first, `;` as Nordic Excel
    return best if counts[best] else ","


def _header(cells: Iterable) -> list[str]:
    return [re.sub(r"\s+", "_", str(c or "").replace("\ufeff", "").strip().lower()) for c in cells]


def _read_csv(content: bytes, encoding: str) -> Table:
    stream = io.TextIOWrapper(io.BytesIO(content), encoding=encoding, newline="")
    start = stream.read(64 * 1024)
    stream.seek(0)
    reader = csv.reader(stream, delimiter=_sniff_delimiter(start))
    columns: list[str] | None = None
    rows: list[tuple[int, list]] = []
    budget = _Budget()
    try:
        for number, cells in enumerate(reader, start=1):
            if not any(c.strip() for c in cells):
                continue  # blank lines still count, as Excel numbers them
            if columns is None:
                columns = _header(cells)
                continue
            budget.take(number, cells)
            rows.append((number, cells))
    except csv.Error as error:
        raise FileErrors(
            [RowError(reader.line_num, "", _("The CSV file is malformed: %s") % error)]
        ) from None
    if columns is None:
        raise FileErrors([RowError(1, "", _("The file is empty."))])
    return Table(columns, rows)


def _check_inflated_size(content: bytes) -> None:
    """Refuse a workbook whose parts would inflate beyond the limit (a zip bomb), before any
    of it is parsed. The sizes come from the archive's directory; zipfile never inflates an
    entry beyond its declared size, so they cannot lie to us."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            inflated = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise FileErrors(
            [RowError(1, "", _("The file is not a valid Excel workbook (.xlsx)."))]
        ) from None
    limit = settings.IMPORT_MAX_XLSX_BYTES
    if inflated > limit:
        raise FileErrors(
            [
                RowError(
                    1,
                    "",
                    _(
                        "The workbook unpacks to %(size)s MB, more than the %(limit)s MB an "
                        "import may unpack to. Save the sheet as CSV, or remove other sheets "
                        "and pictures; nothing was imported."
                    )
                    % {"size": inflated // 1_000_000, "limit": limit // 1_000_000},
                )
            ]
        )


def _read_xlsx(content: bytes) -> Table:
    from openpyxl import load_workbook

    _check_inflated_size(content)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise FileErrors(
            [RowError(1, "", _("The file is not a valid Excel workbook (.xlsx)."))]
        ) from None
    budget = _Budget()
    try:
        sheet = workbook.worksheets[0]
        # Trust the rows in the file, not the declared size (often a million rows).
        sheet.reset_dimensions()
        columns: list[str] | None = None
        width = 0
        rows: list[tuple[int, list]] = []
        empty_run = 0
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = list(values[:width]) if columns is not None else list(values)
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in cells):
                empty_run += 1
                if columns is not None and empty_run >= EMPTY_ROWS_AT_END:
                    break
                continue
            empty_run = 0
            if columns is None:
                columns = _header(cells)
                while columns and not columns[-1]:
                    columns.pop()
                width = len(columns)
                continue
            budget.take(number, cells)
            rows.append((number, cells))
    finally:
        workbook.close()
    if columns is None:
        raise FileErrors([RowError(1, "", _("The workbook's first sheet is empty."))])
    return Table(columns, rows)


# ---------------------------------------------------------------- cell values


def _text(value) -> str:
    """A cell as trimmed text; whole numbers from Excel lose their `.0`."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T][\d:.]*)?$")
_NORDIC_DATE = re.compile(r"(\d{1,2})[./-](\d{1,2})[./-](\d{4})$")


def _parse_date(value) -> dt.date | None:
    """A date cell, or text as 2024-03-01, 01.03.2024, 01/03/2024 or 01-03-2024."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    # Regular expressions rather than strptime: five times faster on 50,000 rows.
    if match := _ISO_DATE.match(text):
        year, month, day = match.groups()
    elif match := _NORDIC_DATE.match(text):
        day, month, year = match.groups()
    else:
        return None
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


# The everyday address, a strict subset of what Django's validator accepts: checked first
# because Django's validator costs a fifth of checking a 50,000-row file.
_PLAIN_EMAIL = re.compile(
    r"[a-z0-9_+-]+(?:\.[a-z0-9_+-]+)*@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}"
)


def _is_email(value: str) -> bool:
    if _PLAIN_EMAIL.fullmatch(value):
        return True
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


class _Columns:
    """Read named cells from a row by their index in the header."""

    def __init__(self, table: Table, names: Iterable[str]):
        self.at = {name: table.index(name) for name in names}

    def get(self, cells: list, name: str):
        i = self.at[name]
        return cells[i] if i is not None and i < len(cells) else None


def _check_header(
    table: Table, required: tuple[str, ...], optional: tuple[str, ...]
) -> list[RowError]:
    errors = []
    seen: set[str] = set()
    for name in table.columns:
        if name and name in seen and name in required + optional:
            errors.append(
                RowError(1, name, _("The column %(column)s appears twice.") % {"column": name})
            )
        seen.add(name)
    missing = [name for name in required if name not in table.columns]
    for name in missing:
        errors.append(
            RowError(
                1,
                name,
                _("The required column %(column)s is missing (the header row has: %(found)s).")
                % {"column": name, "found": ", ".join(c for c in table.columns if c) or "–"},
            )
        )
    if missing and len(table.columns) == 1:
        errors.append(
            RowError(
                1,
                "",
                _(
                    "Only one column was found. Separate the columns with semicolon (;), "
                    "comma (,) or tab."
                ),
            )
        )
    return errors


def _check_width(table: Table, number: int, cells: list, errors: list[RowError]) -> None:
    if len(cells) > len(table.columns) and any(_text(c) for c in cells[len(table.columns) :]):
        errors.append(
            RowError(
                number,
                "",
                _(
                    "This row has %(n)d values but the header has %(m)d columns. Is there an "
                    "unquoted delimiter in a value?"
                )
                % {"n": len(cells), "m": len(table.columns)},
            )
        )


def _required(value: str, number: int, column: str, errors: list[RowError]) -> bool:
    if value:
        return True
    errors.append(RowError(number, column, _("%(column)s is empty.") % {"column": column}))
    return False


def _too_long(value: str, limit: int, number: int, column: str, errors: list[RowError]) -> bool:
    if len(value) <= limit:
        return False
    errors.append(
        RowError(
            number,
            column,
            _("%(column)s is longer than %(limit)d characters.")
            % {"column": column, "limit": limit},
        )
    )
    return True


def _tick(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None and (done % PROGRESS_EVERY == 0 or done == total):
        progress(done, total)


# ---------------------------------------------------------------- units


@dataclass(slots=True)
class UnitRow:
    row: int
    external_id: str
    parent_id: str
    name: str
    manager_email: str = ""
    unit_type: str = ""
    cost_centre: str = ""
    depth: int = 0


@dataclass
class UnitPlan:
    units: list[UnitRow]  # parents before children


def check_units(
    organisation: Organisation, table: Table, progress: Progress | None = None, *, total: int = 0
) -> tuple[UnitPlan, list[RowError]]:
    """Validate a units file completely; the plan is only usable when there are no errors."""
    errors = _check_header(table, UNIT_COLUMNS, UNIT_OPTIONAL)
    if errors:
        return UnitPlan([]), errors
    col = _Columns(table, UNIT_COLUMNS + UNIT_OPTIONAL)
    by_id: dict[str, UnitRow] = {}
    rows: list[UnitRow] = []
    total = total or len(table.rows)
    for done, (number, cells) in enumerate(table.rows, start=1):
        _tick(progress, done, total)
        _check_width(table, number, cells, errors)
        unit_id = _text(col.get(cells, "unit_id"))
        name = _text(col.get(cells, "name"))
        unit = UnitRow(
            number,
            unit_id,
            _text(col.get(cells, "parent_id")),
            name,
            normalise_email(_text(col.get(cells, "manager_email"))),
            _text(col.get(cells, "type")),
            _text(col.get(cells, "cost_centre")),
        )
        ok = _required(unit_id, number, "unit_id", errors)
        ok = not _too_long(unit_id, 64, number, "unit_id", errors) and ok
        _required(name, number, "name", errors)
        _too_long(unit.parent_id, 64, number, "parent_id", errors)
        _too_long(name, 200, number, "name", errors)
        _too_long(unit.unit_type, 60, number, "type", errors)
        _too_long(unit.cost_centre, 60, number, "cost_centre", errors)
        if unit.manager_email and not _is_email(unit.manager_email):
            errors.append(
                RowError(
                    number,
                    "manager_email",
                    _("%(value)s is not a valid e-mail address.") % {"value": unit.manager_email},
                )
            )
        if not ok:
            continue
        if unit_id in by_id:
            errors.append(
                RowError(
                    number,
                    "unit_id",
                    _("The unit_id %(id)s appears twice: in row %(first)d and row %(row)d.")
                    % {"id": unit_id, "first": by_id[unit_id].row, "row": number},
                )
            )
            continue
        by_id[unit_id] = unit
        rows.append(unit)
    if not table.rows:
        errors.append(RowError(2, "", _("The file has no units.")))
    errors.extend(_check_tree(rows, by_id))
    if errors:
        return UnitPlan([]), sorted(errors, key=lambda e: e.row)
    return UnitPlan(sorted(rows, key=lambda u: (u.depth, u.row))), []


def _check_tree(rows: list[UnitRow], by_id: dict[str, UnitRow]) -> list[RowError]:
    """Exactly one top unit, every parent in the file, no cycles; sets each row's depth."""
    errors = []
    roots = [u for u in rows if not u.parent_id]
    for extra in roots[1:]:
        errors.append(
            RowError(
                extra.row,
                "parent_id",
                _(
                    "%(id)s has no parent_id, but %(root)s (row %(row)d) is already the top "
                    "unit. A file has exactly one top unit."
                )
                % {"id": extra.external_id, "root": roots[0].external_id, "row": roots[0].row},
            )
        )
    for unit in rows:
        if unit.parent_id and unit.parent_id not in by_id:
            errors.append(
                RowError(
                    unit.row,
                    "parent_id",
                    _("The parent_id %(parent)s is not a unit_id in this file.")
                    % {"parent": unit.parent_id},
                )
            )
    # Depths by walking up; a walk that comes back on itself is a cycle.
    depth: dict[str, int] = {}
    for unit in rows:
        trail: list[str] = []
        on_trail: set[str] = set()
        current = unit.external_id
        while current not in depth:
            if current in on_trail:
                cycle = trail[trail.index(current) :]
                for member in cycle:
                    depth[member] = -1
                first = min((by_id[m] for m in cycle), key=lambda u: u.row)
                start = cycle.index(first.external_id)
                ring = cycle[start:] + cycle[:start] + [first.external_id]
                errors.append(
                    RowError(
                        first.row,
                        "parent_id",
                        _("The units %(cycle)s are each other's parents (a cycle).")
                        % {"cycle": " → ".join(ring)},
                    )
                )
                break
            row = by_id.get(current)
            if row is None or not row.parent_id:
                depth[current] = -1 if row is None else 0
                break
            trail.append(current)
            on_trail.add(current)
            current = row.parent_id
        for member in reversed(trail):
            if member in depth:
                continue
            parent_depth = depth.get(by_id[member].parent_id, -1)
            depth[member] = parent_depth + 1 if parent_depth >= 0 else -1
    for unit in rows:
        unit.depth = depth.get(unit.external_id, -1)
    if not roots and rows:
        errors.append(
            RowError(
                rows[0].row,
                "parent_id",
                _("No unit is the top unit: exactly one row must have an empty parent_id."),
            )
        )
    return errors


def apply_units(
    organisation: Organisation,
    plan: UnitPlan,
    *,
    by=None,
    progress: Progress | None = None,
    offset: int = 0,
    total: int = 0,
) -> dict:
    """Create, update, reopen and close units to match the file. Call inside a transaction."""
    summary = dict.fromkeys(
        ("created", "updated", "moved", "renamed", "reopened", "closed", "unchanged"), 0
    )
    details = Details(("created", "renamed", "moved", "reopened", "closed"))
    existing = {u.external_id: u for u in Unit.objects.filter(organisation=organisation)}
    names = {ext: u.name for ext, u in existing.items()}
    names.update((row.external_id, row.name) for row in plan.units)
    stale_paths = False
    total = total or len(plan.units)
    for done, row in enumerate(plan.units, start=1):
        _tick(progress, offset + done, total)
        if stale_paths:
            # A move rewrote paths of a subtree in the database; refresh the copies here.
            fresh = Unit.objects.filter(organisation=organisation).values_list(
                "pk", "path", "depth"
            )
            by_pk = {u.pk: u for u in existing.values()}
            for pk, path, depth in fresh:
                by_pk[pk].path, by_pk[pk].depth = path, depth
            stale_paths = False
        parent = existing[row.parent_id] if row.parent_id else None
        fields = actions.UnitFields(
            name=row.name,
            parent=parent,
            unit_type=row.unit_type,
            cost_centre=row.cost_centre,
            manager_email=row.manager_email,
        )
        unit = existing.get(row.external_id)
        if unit is None:
            existing[row.external_id] = actions.do_create_unit(
                organisation, row.external_id, fields, by=by, source="import"
            )
            summary["created"] += 1
            details.add("created", [row.name, names.get(row.parent_id, "")])
            continue
        # Move first, then reopen: a reopened unit must sit under its new (open) parent.
        changes = actions.do_update_unit(unit, fields, by=by, source="import")
        reopened = actions.do_reopen_unit(unit, by=by, source="import")
        kinds = {c.kind for c in changes}
        for change in changes:
            if change.kind == "renamed":
                details.add("renamed", [change.old_value, change.new_value])
            elif change.kind == "moved":
                old_parent = names.get(change.old_value, change.old_value)
                details.add("moved", [row.name, old_parent, names.get(row.parent_id, "")])
        if reopened:
            details.add("reopened", [row.name])
        summary["reopened"] += reopened
        summary["updated"] += bool(changes)
        summary["moved"] += "moved" in kinds
        summary["renamed"] += "renamed" in kinds
        summary["unchanged"] += not changes and not reopened
        stale_paths = "moved" in kinds
    in_file = {row.external_id for row in plan.units}
    gone = [u for ext, u in existing.items() if ext not in in_file and not u.is_closed]
    for unit in sorted(gone, key=lambda u: -u.depth):
        if actions.do_close_unit(unit, by=by, source="import"):
            summary["closed"] += 1
            details.add("closed", [unit.name])
    summary["details"] = details.as_dict()
    summary["people_in_closed_units"] = Person.objects.filter(
        organisation=organisation, active=True, unit__closed_at__isnull=False
    ).count()
    return summary


# ---------------------------------------------------------------- people


@dataclass(slots=True)
class PersonRow:
    row: int
    email: str
    name: str
    unit_id: int
    language: str
    birth_year: int | None
    start_date: dt.date | None
    gender: str
    roles: frozenset

    def values(self) -> tuple:
        return (
            self.name,
            self.unit_id,
            self.language,
            self.birth_year,
            self.start_date,
            self.gender,
            True,
        )


@dataclass
class PeoplePlan:
    people: list[PersonRow] = field(default_factory=list)
    grants_wanted: set = field(default_factory=set)  # (email, role, unit pk or None)
    grants_to_add: set = field(default_factory=set)
    grants_to_remove: list = field(default_factory=list)  # RoleGrant pks
    unit_ids: dict = field(default_factory=dict)  # pk -> external id


def _parse_roles(value: str) -> frozenset | None:
    if not value:
        return frozenset()
    roles = set()
    for word in re.split(r"[,;/+|&]", value):
        word = " ".join(word.strip().lower().replace("_", " ").replace("-", " ").split())
        if not word:
            continue
        role = ROLES.get(word)
        if role is None:
            return None
        if role != EMPLOYEE:
            roles.add(role)
    return frozenset(roles)


def previous_import_grants(organisation: Organisation) -> list[list[str]]:
    """The grants the last finished people import made, as [email, role, unit external id]."""
    if organisation.pk is None:
        return []
    job = (
        ImportJob.objects.filter(
            organisation=organisation,
            kind=ImportJob.Kind.PEOPLE,
            status=ImportJob.Status.DONE,
        )
        .order_by("-created_at", "-pk")
        .only("summary")
        .first()
    )
    return list(job.summary.get("grants", [])) if job else []


def _person_details(number: int, cells: list, col: _Columns, errors: list, this_year: int):
    """The optional columns of a person's row, parsed; problems go to `errors`."""
    role_text = _text(col.get(cells, "role"))
    roles = _parse_roles(role_text)
    if roles is None:
        errors.append(
            RowError(
                number,
                "role",
                _("Unknown role %(value)s. Accepted values: %(accepted)s.")
                % {"value": role_text, "accepted": ", ".join(sorted(ROLES))},
            )
        )
    language_text = _text(col.get(cells, "language"))
    language = LANGUAGES.get(language_text.lower(), "") if language_text else ""
    if language_text and not language:
        errors.append(
            RowError(
                number,
                "language",
                _("Unknown language %(value)s. Accepted values: %(accepted)s.")
                % {"value": language_text, "accepted": ", ".join(sorted(LANGUAGES))},
            )
        )
    year_text = _text(col.get(cells, "birth_year"))
    birth_year = None
    if year_text:
        birth_year = int(year_text) if year_text.isdigit() else None
        if birth_year is None or not 1900 <= birth_year <= this_year:
            errors.append(
                RowError(
                    number,
                    "birth_year",
                    _("%(value)s is not a birth year between 1900 and %(year)d.")
                    % {"value": year_text, "year": this_year},
                )
            )
    raw_date = col.get(cells, "start_date")
    start_date = None
    if _text(raw_date):
        start_date = _parse_date(raw_date)
        if start_date is None:
            errors.append(
                RowError(
                    number,
                    "start_date",
                    _("%(value)s is not a date. Write it as 2024-03-01, 01.03.2024 or 01/03/2024.")
                    % {"value": _text(raw_date)},
                )
            )
    gender = _text(col.get(cells, "gender"))
    _too_long(gender, 20, number, "gender", errors)
    return roles, language, birth_year, start_date, gender


def check_people(
    organisation: Organisation,
    table: Table,
    progress: Progress | None = None,
    *,
    total: int = 0,
    partial: bool = False,
) -> tuple[PeoplePlan, list[RowError]]:
    """Validate a people file completely against itself and the organisation's units.

    `partial`: the rows are some of the people (SCIM, an API call, a single sign-on), not
    all of them, so the imported grants are left as they are."""
    errors = _check_header(table, PEOPLE_COLUMNS, PEOPLE_OPTIONAL)
    plan = PeoplePlan()
    if errors:
        return plan, errors
    col = _Columns(table, PEOPLE_COLUMNS + PEOPLE_OPTIONAL)
    units = {}
    if organisation.pk:
        units = {
            ext: (pk, closed)
            for pk, ext, closed in Unit.objects.filter(organisation=organisation).values_list(
                "pk", "external_id", "closed_at"
            )
        }
    plan.unit_ids = {pk: ext for ext, (pk, _closed) in units.items()}
    first_row: dict[str, int] = {}
    this_year = timezone.localdate().year
    total = total or len(table.rows)
    for done, (number, cells) in enumerate(table.rows, start=1):
        _tick(progress, done, total)
        _check_width(table, number, cells, errors)
        n_errors = len(errors)
        email = normalise_email(_text(col.get(cells, "email")))
        unit_ext = _text(col.get(cells, "unit_id"))
        name = _text(col.get(cells, "name"))
        if _required(email, number, "email", errors):
            if len(email) > 254 or not _is_email(email):
                errors.append(
                    RowError(
                        number,
                        "email",
                        _("%(value)s is not a valid e-mail address.") % {"value": email},
                    )
                )
            elif email in first_row:
                errors.append(
                    RowError(
                        number,
                        "email",
                        _(
                            "The e-mail address %(email)s appears twice: in row %(first)d "
                            "and row %(row)d."
                        )
                        % {"email": email, "first": first_row[email], "row": number},
                    )
                )
            else:
                first_row[email] = number
        if _required(name, number, "name", errors):
            _too_long(name, 200, number, "name", errors)
        unit_pk = None
        if _required(unit_ext, number, "unit_id", errors):
            found = units.get(unit_ext)
            if found is None:
                errors.append(
                    RowError(
                        number,
                        "unit_id",
                        _("There is no unit with unit_id %(id)s. Import the units first.")
                        % {"id": unit_ext},
                    )
                )
            elif found[1] is not None:
                errors.append(
                    RowError(
                        number,
                        "unit_id",
                        _("The unit %(id)s is closed; people cannot be placed in it.")
                        % {"id": unit_ext},
                    )
                )
            else:
                unit_pk = found[0]
        roles, language, birth_year, start_date, gender = _person_details(
            number, cells, col, errors, this_year
        )
        if len(errors) == n_errors:
            plan.people.append(
                PersonRow(
                    number,
                    email,
                    name,
                    unit_pk,
                    language,
                    birth_year,
                    start_date,
                    gender,
                    roles,
                )
            )
            for role in roles:
                plan.grants_wanted.add((email, role, unit_pk if role == MED else None))
    if not table.rows:
        errors.append(RowError(2, "", _("The file has no people.")))
    if not errors and not partial:
        errors.extend(_plan_grants(organisation, plan))
    return plan, errors


def _plan_grants(organisation: Organisation, plan: PeoplePlan) -> list[RowError]:
    """Which grants to add and which earlier imported grants to remove; keep one admin."""
    existing = {}
    if organisation.pk:
        existing = {
            (email, role, unit_id): pk
            for pk, email, role, unit_id in RoleGrant.objects.filter(
                organisation=organisation
            ).values_list("pk", "email", "role", "unit_id")
        }
    by_ext = {ext: pk for pk, ext in plan.unit_ids.items()}
    imported = set()
    for email, role, unit_ext in previous_import_grants(organisation):
        imported.add((email, role, by_ext.get(unit_ext) if unit_ext else None))
    plan.grants_to_add = plan.grants_wanted - existing.keys()
    removed = [key for key in existing if key in imported and key not in plan.grants_wanted]
    plan.grants_to_remove = [existing[key] for key in removed]
    admins_before = {key for key in existing if key[1] == ADMIN}
    admins_after = (admins_before - set(removed)) | {k for k in plan.grants_to_add if k[1] == ADMIN}
    if admins_before and not admins_after:
        return [
            RowError(
                1,
                "role",
                _(
                    "The file takes the admin role from everyone, so nobody could manage the "
                    "organisation. Keep at least one admin in the role column."
                ),
            )
        ]
    return []


def apply_people(
    organisation: Organisation,
    plan: PeoplePlan,
    *,
    by=None,
    progress: Progress | None = None,
    offset: int = 0,
    total: int = 0,
    partial: bool = False,
) -> dict:
    """Create, update and deactivate people and sync imported grants. Call inside a transaction.

    `partial` (rows from `check_people(partial=True)`): people missing from the rows stay."""
    fields = ("name", "unit_id", "language", "birth_year", "start_date", "gender", "active")
    existing = {
        row[0]: (row[1], row[2:])
        for row in Person.objects.filter(organisation=organisation).values_list(
            "email", "pk", *fields
        )
    }
    total = total or len(plan.people)
    now = timezone.now()
    summary = dict.fromkeys(("created", "updated", "reactivated", "deactivated", "unchanged"), 0)
    details = Details(("created", "reactivated", "deactivated", "grants_added", "grants_removed"))
    to_create: list[Person] = []
    to_update: list[Person] = []

    def flush(final: bool = False) -> None:
        if to_create and (final or len(to_create) >= BATCH):
            Person.objects.bulk_create(to_create)
            to_create.clear()
        if to_update and (final or len(to_update) >= BATCH):
            Person.objects.bulk_update(to_update, [*fields, "left_at"], batch_size=BATCH // 2)
            to_update.clear()

    for done, row in enumerate(plan.people, start=1):
        _tick(progress, offset + done, total)
        values = row.values()
        found = existing.get(row.email)
        if found is None:
            to_create.append(
                Person(
                    organisation_id=organisation.pk,
                    email=row.email,
                    name=row.name,
                    unit_id=row.unit_id,
                    language=row.language,
                    birth_year=row.birth_year,
                    start_date=row.start_date,
                    gender=row.gender,
                )
            )
            summary["created"] += 1
            details.add("created", [row.name, row.email])
        elif found[1] != values:
            was_active = found[1][-1]
            to_update.append(
                Person(
                    pk=found[0],
                    organisation_id=organisation.pk,
                    email=row.email,
                    name=row.name,
                    unit_id=row.unit_id,
                    language=row.language,
                    birth_year=row.birth_year,
                    start_date=row.start_date,
                    gender=row.gender,
                    active=True,
                    left_at=None,
                )
            )
            summary["updated"] += 1
            summary["reactivated"] += not was_active
            if not was_active:
                details.add("reactivated", [row.name, row.email])
        else:
            summary["unchanged"] += 1
        flush()
    flush(final=True)
    in_file = {row.email for row in plan.people}
    leaving = [
        pk
        for email, (pk, values) in existing.items()
        if values[-1] and email not in in_file and not partial
    ]
    for start in range(0, len(leaving), BATCH // 2):
        Person.objects.filter(pk__in=leaving[start : start + BATCH // 2]).update(
            active=False, left_at=now
        )
    summary["deactivated"] = len(leaving)
    for email, (_pk, values) in sorted(existing.items(), key=lambda item: item[1][1][0]):
        if values[-1] and email not in in_file:
            details.add("deactivated", [values[0], email])
    unit_names = dict(Unit.objects.filter(organisation=organisation).values_list("pk", "name"))
    removed = RoleGrant.objects.filter(pk__in=plan.grants_to_remove).select_related("unit")
    for grant in removed.order_by("email"):
        unit_name = grant.unit.name if grant.unit else ""
        details.add("grants_removed", [grant.email, grant.role, unit_name])
        audit.record(
            Kind.ROLE_REVOKED, organisation, by, email=grant.email, role=grant.role, unit=unit_name
        )
    for email, role, unit in sorted(plan.grants_to_add, key=str):
        details.add("grants_added", [email, role, unit_names.get(unit, "") if unit else ""])
        audit.record(
            Kind.ROLE_GRANTED,
            organisation,
            by,
            email=email,
            role=role,
            unit=plan.unit_ids.get(unit, ""),
        )
    RoleGrant.objects.filter(pk__in=plan.grants_to_remove).delete()
    RoleGrant.objects.bulk_create(
        [
            RoleGrant(
                organisation=organisation, email=email, role=role, unit_id=unit, granted_by=by
            )
            for email, role, unit in sorted(plan.grants_to_add, key=str)
        ]
    )
    summary["grants_added"] = len(plan.grants_to_add)
    summary["grants_removed"] = len(plan.grants_to_remove)
    summary["details"] = details.as_dict()
    # Remembered so the next import knows which grants it may take back.
    summary["grants"] = sorted(
        [email, role, plan.unit_ids.get(unit, "") if unit else ""]
        for email, role, unit in plan.grants_wanted
    )
    return summary


# ---------------------------------------------------------------- the whole import


@dataclass
class ImportResult:
    """What an import did (summary) or why it did nothing (errors)."""

    errors: list[RowError]
    summary: dict
    rows: int = 0
    # The file's columns when Tillit's required ones are missing: the columns are to be mapped.
    unmapped: list[str] | None = None
    # The organisation's state the summary was computed against (state_fingerprint).
    state: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors


def _bounded(errors: list[RowError]) -> list[RowError]:
    """At most MAX_ERRORS errors and a line saying how many more: a wrong file of 250,000
    rows would otherwise store and show hundreds of thousands of messages."""
    if len(errors) <= MAX_ERRORS:
        return errors
    more = len(errors) - MAX_ERRORS
    return [
        *errors[:MAX_ERRORS],
        RowError(
            errors[MAX_ERRORS].row,
            "",
            ngettext(
                "… and %(n)s more error, not listed. Correct the ones above and import again.",
                "… and %(n)s more errors, not listed. Correct the ones above and import again.",
                more,
            )
            % {"n": more},
        ),
    ]


# ---------------------------------------------------------------- column mapping

FIELDS = {
    ImportJob.Kind.UNITS: (UNIT_COLUMNS, UNIT_OPTIONAL),
    ImportJob.Kind.PEOPLE: (PEOPLE_COLUMNS, PEOPLE_OPTIONAL),
}


def normalise_column(name: str) -> str:
    """A header cell as the reader names it (trimmed, lower case, spaces as underscores)."""
    return _header([name])[0]


def apply_mapping(table: Table, mapping: dict[str, str]) -> Table:
    """Rename the file's columns to Tillit's, as mapped (Tillit's column -> the file's).

    A column already named like a mapped Tillit column is ignored: the mapping says which
    column holds that field.
    """
    to_field = {source: field for field, source in mapping.items() if source in table.columns}
    taken = set(to_field.values())
    columns = [to_field.get(c, "" if c in taken else c) for c in table.columns]
    return Table(columns, table.rows)


def missing_columns(table: Table, kind: str) -> list[str]:
    """Tillit's required columns the (mapped) table lacks."""
    return [name for name in FIELDS[kind][0] if name not in table.columns]


def _name_file_columns(errors: list[RowError], mapping: dict[str, str]) -> list[RowError]:
    """Errors name the file's own column ("Enheds-ID"), not only Tillit's."""
    if not mapping:
        return errors
    return [
        RowError(e.row, f"{mapping[e.column]} ({e.column})", e.message)
        if e.column in mapping
        else e
        for e in errors
    ]


# ---------------------------------------------------------------- preview and staleness


def state_fingerprint(organisation: Organisation) -> str:
    """A hash of everything an import reads and changes: units, people, grants and the last
    import's grants. A preview is applied only while the organisation still has it."""
    digest = hashlib.sha256()
    if organisation.pk is None:
        return digest.hexdigest()
    queries = [
        Unit.objects.filter(organisation=organisation)
        .order_by("pk")
        .values_list(
            "pk",
            "external_id",
            "name",
            "parent_id",
            "closed_at",
            "manager_email",
            "unit_type",
            "cost_centre",
        ),
        Person.objects.filter(organisation=organisation)
        .order_by("pk")
        .values_list(
            "pk",
            "email",
            "name",
            "unit_id",
            "language",
            "birth_year",
            "start_date",
            "gender",
            "active",
        ),
        RoleGrant.objects.filter(organisation=organisation)
        .order_by("pk")
        .values_list("pk", "email", "role", "unit_id"),
    ]
    for query in queries:
        for row in query.iterator(chunk_size=2000):
            digest.update(repr(row).encode())
        digest.update(b"|")
    last = (
        ImportJob.objects.filter(organisation=organisation, status=ImportJob.Status.DONE)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )
    digest.update(repr(last).encode())
    return digest.hexdigest()


def _stale() -> RowError:
    return RowError(
        0,
        "",
        _(
            "The units or people changed after the preview was made, so it no longer says "
            "what the import would do. Nothing was imported: upload the file again for a "
            "new preview."
        ),
    )


# ---------------------------------------------------------------- the whole import


def run_import(
    organisation: Organisation,
    kind: str,
    content: bytes,
    filename: str = "",
    *,
    by=None,
    progress: Progress | None = None,
    mapping: dict[str, str] | None = None,
    dry_run: bool = False,
    expected_state: str | None = None,
) -> ImportResult:
    """Read, check and – only if the whole file is right – apply it in one transaction.

    `dry_run` applies and rolls back, so a preview is computed by the very code that
    applies. `expected_state`: refuse (and change nothing) unless the organisation is as
    it was when the preview was made. An unsaved organisation is created in the same
    transaction (the command's `--org`). Progress counts each row twice: checked, applied.
    """
    mapping = mapping or {}
    try:
        table = read_table(content, filename)
    except FileErrors as error:
        return ImportResult(error.errors, {})
    file_columns = [c for c in table.columns if c]
    table = apply_mapping(table, mapping)
    if missing_columns(table, kind):
        header_errors = _check_header(table, *FIELDS[kind])
        return ImportResult(_name_file_columns(header_errors, mapping), {}, 0, file_columns)
    return import_table(
        organisation,
        kind,
        table,
        by=by,
        progress=progress,
        mapping=mapping,
        dry_run=dry_run,
        expected_state=expected_state,
    )


def import_table(
    organisation: Organisation,
    kind: str,
    table: Table,
    *,
    by=None,
    progress: Progress | None = None,
    mapping: dict[str, str] | None = None,
    dry_run: bool = False,
    expected_state: str | None = None,
) -> ImportResult:
    """Check a table (read from a file, or built from an API request) and apply it atomically;
    `run_import` says what `dry_run` and `expected_state` do."""
    mapping = mapping or {}
    total = 2 * len(table.rows)
    check = check_units if kind == ImportJob.Kind.UNITS else check_people
    plan, errors = check(organisation, table, progress, total=total)
    if errors:
        return ImportResult(_bounded(_name_file_columns(errors, mapping)), {}, len(table.rows))
    if progress is not None:
        progress(len(table.rows), total)
    apply = apply_units if kind == ImportJob.Kind.UNITS else apply_people
    with transaction.atomic():
        if organisation.pk is None:
            organisation.save()
        state = state_fingerprint(organisation) if dry_run or expected_state else ""
        if expected_state is not None and state != expected_state:
            return ImportResult([_stale()], {}, len(table.rows))
        summary = apply(
            organisation, plan, by=by, progress=progress, offset=len(table.rows), total=total
        )
        if dry_run:
            transaction.set_rollback(True)
    if progress is not None:
        progress(total, total)
    return ImportResult([], summary, len(table.rows), state=state)


def saved_mapping(organisation: Organisation, kind: str) -> dict[str, str]:
    """The columns this organisation mapped last time for this kind of file."""
    found = ColumnMapping.objects.filter(organisation=organisation, kind=kind).first()
    return dict(found.columns) if found else {}


def process_job(job: ImportJob, progress: Progress | None = None) -> ImportJob:
    """Take an uploaded import job one stage on, recording progress, errors and summary.

    Not yet confirmed: compute the preview (or ask for the columns to be mapped). Confirmed:
    apply, unless the organisation changed since the preview.
    """

    def record(done: int, total: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(processed=done, total=total)
        if progress is not None:
            progress(done, total)

    job.status = ImportJob.Status.RUNNING
    job.save(update_fields=["status"])
    mapping = job.mapping or saved_mapping(job.organisation, job.kind)
    try:
        result = run_import(
            job.organisation,
            job.kind,
            bytes(job.content or b""),
            job.filename,
            by=job.created_by,
            progress=record,
            mapping=mapping,
            dry_run=not job.confirmed,
            expected_state=job.fingerprint if job.confirmed else None,
        )
    except Exception as error:  # the user must see that it failed, and why
        result = ImportResult(
            [RowError(0, "", _("The import failed unexpectedly: %s") % error)], {}
        )
    job.refresh_from_db(fields=["processed", "total"])
    job.mapping = mapping
    job.finished_at = timezone.now()
    if result.unmapped is not None and not job.confirmed:
        # Not an error yet: the process owner says which of the file's columns is which.
        job.status = ImportJob.Status.MAPPING
        job.preview = {"columns": result.unmapped}
        job.errors = [e.as_dict() for e in result.errors]
        job.save()
        return job
    job.errors = [e.as_dict() for e in result.errors]
    if result.ok:
        job.processed = job.total = 2 * result.rows
    if result.ok and not job.confirmed:
        job.status = ImportJob.Status.PREVIEW
        job.preview = result.summary
        job.fingerprint = result.state
        job.save()  # the file is kept until it is applied or given up
        return job
    job.summary = result.summary
    job.status = ImportJob.Status.DONE if result.ok else ImportJob.Status.FAILED
    job.content = None  # personal data: kept only until applied
    job.save()
    audit.record(
        Kind.IMPORT_RUN,
        job.organisation_id,
        job.created_by,
        kind=job.kind,
        file=job.filename,
        rows=result.rows,
        errors=len(result.errors),
    )
    return job
