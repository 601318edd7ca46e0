"""Writing CSV files that a spreadsheet opens as data, never as formulas.

Excel and LibreOffice run a cell that starts with = + - @ (or a tab or carriage return before
one) as a formula, so a value from an uploaded file such as `=HYPERLINK("http://…")` would
become a live link in the error report a process owner opens. Such text gets a leading
apostrophe, which the spreadsheet shows as plain text (OWASP's advice for CSV injection);
numbers are left as they are.
"""

import csv
import io
from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """A cell value that no spreadsheet will take for a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(rows: Iterable[Iterable[object]]) -> str:
    """Rows as CSV text, every text cell guarded against formula injection."""
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    return out.getvalue()
