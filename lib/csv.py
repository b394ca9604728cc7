"""CSV that a spreadsheet opens as text: no cell of it can run as a formula.

A CSV of user-typed text (a purpose given for an access, a path, a username) is opened in Excel or
LibreOffice by whoever asked for it, and a cell starting with `=`, `+`, `-` or `@` (or a tab or carriage
return before one) is run as a formula there: `=HYPERLINK(...)` can send data away. Following OWASP's
CSV injection guidance, such a cell is written with a leading `'`, which spreadsheets read as "this is
text"; the csv module quotes separators and quotes within a cell, so no cell can start inside another.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

# What a spreadsheet takes as the start of a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    """A value as the text of one cell: None is empty, and a would-be formula is neutralised with `'`."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """A header row and the rows, every cell made safe, as UTF-8 with a byte order mark (without it,
    spreadsheet programs read the file in the machine's legacy encoding)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_cell(name) for name in header])
    writer.writerows([safe_cell(value) for value in row] for row in rows)
    return out.getvalue().encode("utf-8-sig")
