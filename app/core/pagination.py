"""Keyset pagination: pages by the last row's sort key, never OFFSET, so deep pages stay fast."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from app.extensions import db


@dataclass
class Page:
    """One page of rows and the cursor for the next, if any."""

    items: list
    next_cursor: str | None


def encode_cursor(values: list[Any]) -> str:
    """An opaque URL-safe cursor for a row's sort key."""
    return base64.urlsafe_b64encode(json.dumps(values, default=str).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> list[Any] | None:
    """The sort key inside a cursor; None for a missing or malformed one."""
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, json.JSONDecodeError):
        return None
    return values if isinstance(values, list) else None


def _coerce(value: Any, column) -> Any:
    """Turn a cursor's JSON value back into the column's Python type."""
    column_type = getattr(column.type, "impl", column.type)  # a TypeDecorator reports `object`
    try:
        python_type = column_type.python_type
    except (AttributeError, NotImplementedError):
        python_type = None
    is_datetime = python_type is datetime or isinstance(getattr(column.type, "impl", None), sa.DateTime)
    if is_datetime and isinstance(value, str):
        return datetime.fromisoformat(value)
    return value


def keyset_page(stmt: sa.Select, columns: list, descending: bool, cursor: str | None, limit: int, key_of=None) -> Page:
    """Rows of `stmt` ordered by `columns` (all in one direction) after `cursor`, `limit` per page.

    key_of(row) gives the row's values for `columns`; by default the attributes of the same name.
    Cursor values travel as JSON; timestamps as ISO text, turned back into datetimes.
    """
    after = decode_cursor(cursor)
    if after is not None and len(after) == len(columns):
        key = sa.tuple_(*columns)
        values = sa.tuple_(*[sa.literal(_coerce(v, c), type_=c.type) for v, c in zip(after, columns, strict=True)])
        stmt = stmt.where(key < values if descending else key > values)
    order = [c.desc() if descending else c.asc() for c in columns]
    rows = list(db.session.scalars(stmt.order_by(*order).limit(limit + 1)))
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        if key_of is None:
            values = [getattr(last, c.key) for c in columns]
        else:
            values = key_of(last)
        next_cursor = encode_cursor([v.isoformat() if hasattr(v, "isoformat") else v for v in values])
    return Page(rows, next_cursor)
