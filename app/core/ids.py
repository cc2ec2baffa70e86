"""Ids: what an INTEGER primary key can hold, for URLs (a bounded `int` converter) and JSON input."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # PostgreSQL INTEGER


def fits(value: int | None) -> bool:
    """True when the value can be a primary key of an INTEGER column."""
    return value is not None and 0 < value <= MAX_ID


def clamp(value: int) -> int:
    """An 'after id' cursor kept within the column's range."""
    return max(0, min(value, MAX_ID))


class BoundedIntConverter(IntegerConverter):
    """`<int:id>` that answers 404 for values no row can have, instead of a database error."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002 - werkzeug's signature
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)
