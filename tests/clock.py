"""The suite's clock, decided in one place.

`TEST_NOW` (ISO 8601 with an offset, e.g. `2027-03-14T01:30:00-05:00`) moves the whole test process
to that instant with time-machine, ticking from there; unset, the suite runs on the real clock.
Every test, fixture and factory reads time through the usual `utcnow()`/`datetime.now()`, so they
all see the same clock; `SUITE_NOW` is the instant the run started at, for data anchored in time.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path


def _from_env() -> datetime | None:
    raw = os.environ.get("TEST_NOW", "").strip()
    if not raw:
        return None
    value = datetime.fromisoformat(raw)
    if value.tzinfo is None:
        raise ValueError(f"TEST_NOW={raw!r} needs an offset, e.g. 2027-03-14T01:30:00-05:00")
    return value


SHIFTED_TO = _from_env()
SUITE_NOW = (SHIFTED_TO or datetime.now(UTC)).astimezone(UTC)


def start_travel():
    """Move the process clock to TEST_NOW (ticking), and that of every Python subprocess the tests
    start (tests/timeshift/sitecustomize.py on PYTHONPATH); returns the traveller to stop, or None."""
    if SHIFTED_TO is None:
        return None
    import time_machine

    hook = str(Path(__file__).parent / "timeshift")
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (hook, os.environ.get("PYTHONPATH")) if p)

    traveller = time_machine.travel(SHIFTED_TO, tick=True)
    traveller.start()
    return traveller


def describe() -> str:
    """One line for the test report header."""
    if SHIFTED_TO is None:
        return f"clock: real, suite now {SUITE_NOW.isoformat(timespec='seconds')}"
    return f"clock: moved by TEST_NOW to {SHIFTED_TO.isoformat()} ({SUITE_NOW.isoformat(timespec='seconds')})"


def first_of_month(day: date, months_back: int = 0) -> date:
    """The first day of the month `months_back` months before the month of `day`."""
    year, month = divmod(day.year * 12 + day.month - 1 - months_back, 12)
    return date(year, month + 1, 1)


def last_of_month(day: date) -> date:
    """The last day of the month of `day`."""
    return first_of_month(first_of_month(day) + timedelta(days=32)) - timedelta(days=1)


def month_label(day: date) -> str:
    """'YYYY-MM' of the day's month (the reports' period format)."""
    return f"{day.year:04d}-{day.month:02d}"


def last_month() -> str:
    """The previous month (UTC) of the suite's now, as 'YYYY-MM'."""
    return month_label(first_of_month(SUITE_NOW.date(), 1))
