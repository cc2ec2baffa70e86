"""Ids from URLs and JSON beyond PostgreSQL's integer range cannot exist (and would overflow binds)."""

from __future__ import annotations

MAX_ID = 2**31 - 1


def fits(value: int | None) -> bool:
    """True when the value can be a primary key of an INTEGER column."""
    return value is not None and 0 < value <= MAX_ID


def clamp(value: int) -> int:
    """An 'after id' cursor kept within the column's range."""
    return max(0, min(value, MAX_ID))
