"""Date windows in the viewer's time zone and the SQL that truncates timestamps into periods.

PostgreSQL groups by `date_trunc(granularity, ts AT TIME ZONE tz)`; SQLite (local development)
falls back to strftime on the timestamp shifted by the zone's current UTC offset.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa

from app.core.errors import ValidationFailed

GRANULARITIES = ("day", "week", "month")
MAX_PERIODS = 1200
_TZ_NAME = re.compile(r"^[A-Za-z0-9_+\-/]{1,64}$")


def valid_timezone(name: str) -> str:
    """The zone name if it is a known IANA zone, else ValidationFailed."""
    try:
        if not _TZ_NAME.match(name or ""):
            raise ZoneInfoNotFoundError(name)
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationFailed(f"Unknown time zone {name!r}.", fields={"tz": "Unknown time zone."}) from None
    return name


def truncate(day: date, granularity: str) -> date:
    """The first day of the period holding `day` (weeks start on Monday)."""
    if granularity == "week":
        return day - timedelta(days=day.weekday())
    if granularity == "month":
        return day.replace(day=1)
    return day


def next_period(start: date, granularity: str) -> date:
    """The first day of the period after the one starting at `start`."""
    if granularity == "week":
        return start + timedelta(days=7)
    if granularity == "month":
        return (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return start + timedelta(days=1)


@dataclass(frozen=True)
class Window:
    """An inclusive range of local dates, a granularity and the zone the dates are in."""

    start: date
    end: date
    granularity: str = "day"
    tz: str = "UTC"

    def __post_init__(self):
        if self.granularity not in GRANULARITIES:
            raise ValidationFailed(
                "granularity must be day, week or month.", fields={"granularity": "Use day, week or month."}
            )
        valid_timezone(self.tz)
        if self.end < self.start:
            raise ValidationFailed("The range ends before it starts.", fields={"to": "Must not be before from."})
        if len(self.periods()) > MAX_PERIODS:
            raise ValidationFailed("The range is too long for this granularity.", fields={"from": "Too long."})

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)

    def local_midnight_utc(self, day: date) -> datetime:
        """Midnight starting `day` in the window's zone, as an aware UTC datetime."""
        return datetime.combine(day, time(0), tzinfo=self.zone).astimezone(UTC)

    @property
    def start_utc(self) -> datetime:
        return self.local_midnight_utc(self.start)

    @property
    def end_utc(self) -> datetime:
        """Exclusive end: midnight after the last day."""
        return self.local_midnight_utc(self.end + timedelta(days=1))

    def periods(self) -> list[date]:
        """Start dates of every period touching the window, in order."""
        out, current = [], truncate(self.start, self.granularity)
        while current <= self.end:
            out.append(current)
            current = next_period(current, self.granularity)
        return out

    def period_end_utc(self, start: date) -> datetime:
        """Exclusive end of the period starting at `start`, capped at the window's end."""
        return min(self.local_midnight_utc(next_period(start, self.granularity)), self.end_utc)

    def with_granularity(self, granularity: str) -> Window:
        return Window(self.start, self.end, granularity, self.tz)


def period_sql(column, window: Window, dialect: str) -> sa.ColumnElement:
    """SQL for the local period start of `column`; values are inlined (validated) so GROUP BY matches."""
    g, tz = window.granularity, window.tz
    if dialect == "postgresql":
        return sa.cast(
            sa.func.date_trunc(sa.literal_column(f"'{g}'"), sa.func.timezone(sa.literal_column(f"'{tz}'"), column)),
            sa.Date,
        )
    offset = datetime.now(window.zone).utcoffset() or timedelta(0)
    local = sa.func.datetime(column, sa.literal_column(f"'{int(offset.total_seconds() // 60):+d} minutes'"))
    if g == "month":
        return sa.func.strftime(sa.literal_column("'%Y-%m-01'"), local)
    if g == "week":
        return sa.func.date(local, sa.literal_column("'weekday 0'"), sa.literal_column("'-6 days'"))
    return sa.func.date(local)


def as_date(value) -> date:
    """A period value from either database as a date."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])
