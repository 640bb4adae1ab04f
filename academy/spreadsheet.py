"""CSV that is safe to open in a spreadsheet, streamed row by row.

Imports no app, so any app may use it (reports has its own exporter for report files).
"""

import csv
from collections.abc import Iterable, Iterator

# A cell starting with one of these would run as a formula in a spreadsheet (CSV injection).
FORMULA_START = tuple("=+-@\t\r")


def formula_safe(value) -> str:
    """The cell's text, with a leading quote when a spreadsheet would read it as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_START):
        return "'" + text
    return text


class _Echo:
    """A file-like object whose write returns what it was given (for streaming csv.writer)."""

    def write(self, value):
        return value


def csv_lines(header: Iterable, rows: Iterable[Iterable]) -> Iterator[str]:
    """The CSV lines of `header` and `rows`, every cell made formula-safe; a byte-order mark
    first, so spreadsheets read the file as UTF-8."""
    writer = csv.writer(_Echo())
    yield "\ufeff"
    yield writer.writerow([formula_safe(cell) for cell in header])
    for row in rows:
        yield writer.writerow([formula_safe(cell) for cell in row])
