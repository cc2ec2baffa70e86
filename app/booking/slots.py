"""Pure slot computation: a coach's weekly hours and dated exceptions become bookable UTC slots.

Everything here is plain data in, plain data out (no database, no clock): the caller passes `now`.
Working hours are wall-clock times in the coach's zone; they are turned into UTC instants date by
date, so daylight-saving changes are handled by zoneinfo. Slots are laid out in real (UTC) time
from the start of each working interval, every duration + buffer minutes, so a DST jump inside a
working interval never produces a slot of the wrong length or a slot in a local time that does not
exist. Slots never cross the coach's local midnight. The viewer's zone is only a presentation
concern (`in_zone`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

TIME_OFF = "time_off"
EXTRA_HOURS = "extra_hours"


@dataclass(frozen=True)
class WeeklyHours:
    """A working window on a weekday (0 = Monday), wall-clock in the coach's zone; end 00:00 = midnight."""

    weekday: int
    start: time
    end: time


@dataclass(frozen=True)
class DatedException:
    """Time off (start/end None: the whole day) or extra hours on one date in the coach's zone."""

    on_date: date
    kind: str
    start: time | None = None
    end: time | None = None


@dataclass(frozen=True)
class Busy:
    """An interval already taken (a confirmed booking or a live hold), UTC."""

    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True, order=True)
class Slot:
    """A bookable interval, UTC."""

    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class Policy:
    """The coach's booking settings that shape slots."""

    duration_minutes: int
    buffer_minutes: int = 0
    min_notice_hours: int = 0
    horizon_days: int = 60


Interval = tuple[datetime, datetime]


def _local(d: date, t: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of a wall-clock time on a date (first occurrence when ambiguous)."""
    return datetime.combine(d, t, tzinfo=zone).astimezone(UTC)


def _window(d: date, start: time | None, end: time | None, zone: ZoneInfo) -> Interval | None:
    """A wall-clock window on date d as UTC; None start/end mean the day's edges; None if empty."""
    lo = _local(d, start or time(0), zone)
    hi = _local(d + timedelta(days=1), time(0), zone) if end is None or end == time(0) else _local(d, end, zone)
    return (lo, hi) if hi > lo else None


def _union(intervals: Iterable[Interval]) -> list[Interval]:
    """Merge overlapping or touching intervals; sorted."""
    merged: list[list[datetime]] = []
    for lo, hi in sorted(intervals):
        if merged and lo <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    return [(lo, hi) for lo, hi in merged]


def _subtract(intervals: list[Interval], holes: list[Interval]) -> list[Interval]:
    """Intervals minus holes."""
    result = []
    for lo, hi in intervals:
        pieces = [(lo, hi)]
        for h_lo, h_hi in holes:
            next_pieces = []
            for p_lo, p_hi in pieces:
                if h_hi <= p_lo or h_lo >= p_hi:
                    next_pieces.append((p_lo, p_hi))
                    continue
                if p_lo < h_lo:
                    next_pieces.append((p_lo, h_lo))
                if h_hi < p_hi:
                    next_pieces.append((h_hi, p_hi))
            pieces = next_pieces
        result.extend(pieces)
    return result


def working_intervals(
    timezone: str,
    weekly: Sequence[WeeklyHours],
    exceptions: Sequence[DatedException],
    start: datetime,
    end: datetime,
    *,
    clip: bool = True,
) -> list[Interval]:
    """The coach's working time around two UTC instants, as UTC intervals, one local date at a time.

    Windows are merged within a local date but never across midnight, so each interval's start
    (the anchor of its slot grid) does not depend on the range asked for. With clip=False the
    intervals of every date touching the range are returned whole.
    """
    zone = ZoneInfo(timezone)
    first = start.astimezone(zone).date() - timedelta(days=1)
    last = end.astimezone(zone).date() + timedelta(days=1)
    by_date: dict[date, list[DatedException]] = {}
    for exc in exceptions:
        by_date.setdefault(exc.on_date, []).append(exc)
    result: list[Interval] = []
    day = first
    while day <= last:
        opened: list[Interval] = []
        closed: list[Interval] = []
        for rule in weekly:
            if rule.weekday == day.weekday() and (w := _window(day, rule.start, rule.end, zone)):
                opened.append(w)
        for exc in by_date.get(day, ()):
            if w := _window(day, exc.start, exc.end, zone):
                (closed if exc.kind == TIME_OFF else opened).append(w)
        result.extend(_subtract(_union(opened), _union(closed)))
        day += timedelta(days=1)
    if not clip:
        return result
    clipped = [(max(lo, start), min(hi, end)) for lo, hi in result]
    return [(lo, hi) for lo, hi in clipped if hi > lo]


def compute_slots(
    *,
    timezone: str,
    weekly: Sequence[WeeklyHours],
    exceptions: Sequence[DatedException],
    policy: Policy,
    busy: Sequence[Busy],
    now: datetime,
    range_start: datetime,
    range_end: datetime,
) -> list[Slot]:
    """Free slots starting in [range_start, range_end), UTC, sorted.

    A slot lies inside working time, starts at least min_notice_hours after `now` and at most
    horizon_days after it, and keeps buffer_minutes clear of every busy interval on both sides.
    """
    if now.tzinfo is None or range_start.tzinfo is None or range_end.tzinfo is None:
        raise ValueError("aware datetimes only")
    duration = timedelta(minutes=policy.duration_minutes)
    buffer = timedelta(minutes=policy.buffer_minutes)
    step = duration + buffer
    earliest = max(range_start, now + timedelta(hours=policy.min_notice_hours))
    latest = min(range_end, now + timedelta(days=policy.horizon_days))
    if latest <= earliest or duration <= timedelta(0):
        return []
    # Unclipped: the grid stays anchored to each interval's real start, whatever the range.
    intervals = working_intervals(timezone, weekly, exceptions, range_start, range_end, clip=False)
    taken = sorted((b.starts_at - buffer, b.ends_at + buffer) for b in busy)
    slots: list[Slot] = []
    for lo, hi in intervals:
        begin = lo
        if begin < earliest:
            skipped = (earliest - begin) // step
            begin += step * skipped
            if begin < earliest:
                begin += step
        while begin + duration <= hi and begin < latest:
            finish = begin + duration
            if not any(t_lo < finish and t_hi > begin for t_lo, t_hi in taken):
                slots.append(Slot(begin.astimezone(UTC), finish.astimezone(UTC)))
            begin += step
    return sorted(set(slots))


def in_zone(moment: datetime, timezone: str) -> datetime:
    """A UTC instant shown in a viewer's zone (ISO output then carries the offset)."""
    return moment.astimezone(ZoneInfo(timezone))
