"""CSV a spreadsheet will not run: a text cell starting with =, +, -, @, tab or CR gets a leading quote.

OWASP's rule for CSV injection. Plain numbers ("-12", "-3.50") stay numbers; every CSV the product
writes (finance export, analytics series, reports) goes through `csv_writer`. No Flask imports:
reports/ uses it too.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def safe_cell(value: Any) -> Any:
    """The value, or a text value that would start a formula with a ' in front of it."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


class SafeCsvWriter:
    """csv.writer whose rows are passed through `safe_cell`."""

    def __init__(self, stream, **kwargs) -> None:
        self._writer = csv.writer(stream, **kwargs)

    def writerow(self, row: Iterable[Any]) -> None:
        """Write one row, escaped."""
        self._writer.writerow([safe_cell(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        """Write many rows, escaped."""
        for row in rows:
            self.writerow(row)


def csv_writer(stream, **kwargs) -> SafeCsvWriter:
    """A CSV writer for anything the product hands out (same arguments as csv.writer)."""
    return SafeCsvWriter(stream, **kwargs)
