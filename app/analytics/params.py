"""Reading a chart request (metric, from, to, granularity, tz, filters) from query arguments."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from app.analytics.metrics import FILTER_NAMES, Filters
from app.analytics.periods import Window, valid_timezone
from app.coaches.models import CertificationLevel
from app.core.errors import ValidationFailed
from app.core.inputs import parse_date

DEFAULT_DAYS = 30


def window_from_args(args, default_tz: str) -> Window:
    """The window asked for; defaults: the last 30 days to today, by day, in the viewer's zone."""
    tz = valid_timezone(args.get("tz") or default_tz or "UTC")
    today = datetime.now(Window(date.today(), date.today(), "day", tz).zone).date()
    end = parse_date(args.get("to"), "to") or today
    start = parse_date(args.get("from"), "from") or end - timedelta(days=DEFAULT_DAYS - 1)
    return Window(start, end, args.get("granularity") or "day", tz)


def filters_from_args(args) -> Filters:
    """Level, specialization and currency filters (empty values ignored; currency upper-cased)."""
    values = {name: (args.get(name) or "").strip() or None for name in FILTER_NAMES}
    if values["level"] and values["level"] not in {lv.value for lv in CertificationLevel}:
        raise ValidationFailed("level must be a certification level.", fields={"level": "Unknown level."})
    if values["currency"]:
        values["currency"] = values["currency"].upper()[:3]
    return Filters(**values)


def applicable(filters: Filters, allowed: tuple[str, ...]) -> Filters:
    """Only the filters a metric supports (the page applies the others to the metrics that can)."""
    return Filters(**{k: (v if k in allowed else None) for k, v in vars(filters).items()})
