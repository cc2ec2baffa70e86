"""Reading a chart request (metric, from, to, granularity, tz, filters) from query arguments."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from app.analytics.metrics import FILTER_NAMES, Filters
from app.analytics.periods import Window, valid_timezone
from app.core.errors import ValidationFailed

DEFAULT_DAYS = 30


def _date(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(f"{name} must be a date like 2026-10-31.", fields={name: "Use YYYY-MM-DD."}) from None


def window_from_args(args, default_tz: str) -> Window:
    """The window asked for; defaults: the last 30 days to today, by day, in the viewer's zone."""
    tz = valid_timezone(args.get("tz") or default_tz or "UTC")
    today = datetime.now(Window(date.today(), date.today(), "day", tz).zone).date()
    end = _date(args.get("to"), "to") or today
    start = _date(args.get("from"), "from") or end - timedelta(days=DEFAULT_DAYS - 1)
    return Window(start, end, args.get("granularity") or "day", tz)


def filters_from_args(args) -> Filters:
    """Level, specialization and currency filters (empty values ignored; currency upper-cased)."""
    values = {name: (args.get(name) or "").strip() or None for name in FILTER_NAMES}
    if values["currency"]:
        values["currency"] = values["currency"].upper()[:3]
    return Filters(**values)


def applicable(filters: Filters, allowed: tuple[str, ...]) -> Filters:
    """Only the filters a metric supports (the page applies the others to the metrics that can)."""
    return Filters(**{k: (v if k in allowed else None) for k, v in vars(filters).items()})
