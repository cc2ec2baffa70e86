"""Untrusted text read as numbers, dates and JSON: ASCII digits only, values Python and PostgreSQL hold."""

from __future__ import annotations

import json
import math
import re
from datetime import UTC, date, datetime
from typing import Any

from flask.json.provider import DefaultJSONProvider

from app.core.errors import ValidationFailed
from app.core.ids import MAX_ID

EARLIEST = date(1900, 1, 1)  # the dates the app accepts: far from datetime's and the zones' edges
LATEST = date(2999, 12, 31)
MAX_JSON_DEPTH = 32
_DIGITS = re.compile(r"[0-9]{1,19}")  # str.isdigit() also says yes to "²", which int() refuses
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def ascii_int(text: Any, *, maximum: int = MAX_ID) -> int | None:
    """The integer 0..maximum written in ASCII digits, else None."""
    text = str(text).strip() if text is not None else ""
    if not _DIGITS.fullmatch(text):
        return None
    value = int(text)
    return value if value <= maximum else None


def parse_int(text: Any, field: str, *, maximum: int = MAX_ID) -> int | None:
    """An optional ASCII integer 0..maximum; ValidationFailed naming the field otherwise."""
    if text is None or str(text).strip() == "":
        return None
    value = ascii_int(text, maximum=maximum)
    if value is None:
        raise ValidationFailed(
            f"{field} must be a whole number from 0 to {maximum}.", fields={field: f"A number from 0 to {maximum}."}
        )
    return value


def supported(day: date) -> bool:
    """True for dates the app can compute with (EARLIEST..LATEST)."""
    return EARLIEST <= day <= LATEST


def date_or_none(text: str | None) -> date | None:
    """A YYYY-MM-DD date within EARLIEST..LATEST, else None (for lenient filters)."""
    try:
        day = date.fromisoformat((text or "").strip())
    except ValueError:
        return None
    return day if supported(day) else None


def parse_date(text: str | None, field: str) -> date | None:
    """An optional YYYY-MM-DD date within EARLIEST..LATEST; ValidationFailed naming the field otherwise."""
    if not text:
        return None
    day = date_or_none(text)
    if day is None:
        raise ValidationFailed(
            f"{field} must be a date like 2026-10-31 between {EARLIEST} and {LATEST}.",
            fields={field: f"A date (YYYY-MM-DD) between {EARLIEST} and {LATEST}."},
        )
    return day


def check_moment(value: datetime, field: str) -> datetime:
    """An aware datetime whose UTC date lies within EARLIEST..LATEST; ValidationFailed otherwise."""
    if not (EARLIEST.year <= value.year <= LATEST.year) or not supported(value.astimezone(UTC).date()):
        raise ValidationFailed(
            f"{field} must lie between {EARLIEST} and {LATEST}.", fields={field: f"Between {EARLIEST} and {LATEST}."}
        )
    return value


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number {text[:20]} is out of range")
    return value


def _constant(name: str):
    raise ValueError(f"{name} is not JSON")


def _check_shape(value: Any) -> None:
    """Depth and text of a decoded document, walked without recursion."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise ValueError(f"nested deeper than {MAX_JSON_DEPTH} levels")
        if isinstance(item, str):
            if _SURROGATE.search(item):
                raise ValueError("a string holds a lone surrogate (\\ud800-\\udfff), which is not text")
        elif isinstance(item, dict):
            stack.extend((k, depth) for k in item)
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)


class SafeJSONProvider(DefaultJSONProvider):
    """Flask's JSON, but decoding refuses what the app cannot hold: NaN/Infinity, 1e999, deep nesting, surrogates.

    A refusal is a ValueError, so `request.get_json()` answers 400 (or None with silent=True)
    instead of a RecursionError or an OverflowError further in.
    """

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        """Decode, then check the document's depth and text."""
        try:
            value = json.loads(s, parse_float=_finite, parse_constant=_constant, **kwargs)
        except RecursionError:
            raise ValueError(f"nested deeper than {MAX_JSON_DEPTH} levels") from None
        _check_shape(value)
        return value
