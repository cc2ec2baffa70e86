"""Video session metrics: no-show and technical-failure rates among decided session outcomes."""

from __future__ import annotations

import sqlalchemy as sa

from app.analytics.metrics import Filters, MetricResult, count_when, grouped, has_rows, metric, rate_series
from app.analytics.metrics_money import BOOKING_FILTERS, _booking_where
from app.analytics.periods import Window
from app.booking.models import Booking
from app.video.models import Outcome, SessionOutcome

NO_SHOWS = (Outcome.CLIENT_NO_SHOW, Outcome.COACH_NO_SHOW, Outcome.BOTH_NO_SHOW)


def _outcome_rate(window: Window, filters: Filters, condition) -> MetricResult:
    """Share of the outcomes decided in each period that meet `condition`."""
    if not has_rows(SessionOutcome):
        return MetricResult([], has_data=False)
    rows = grouped(
        window,
        SessionOutcome.decided_at,
        [count_when(condition).label("num"), sa.func.count(SessionOutcome.id).label("den")],
        *_booking_where(filters),
        select_from=sa.join(SessionOutcome, Booking, Booking.id == SessionOutcome.booking_id),
    )
    return MetricResult(rate_series(window, rows))


@metric("no_show_rate", "No-show rate (client, coach or both)", "percent", "session outcomes",
        filters=BOOKING_FILTERS, group="Sessions", extra=("numerator", "denominator"))  # fmt: skip
def no_show_rate(window: Window, filters: Filters) -> MetricResult:
    """Client, coach and double no-shows / all outcomes, by decision time."""
    return _outcome_rate(window, filters, SessionOutcome.outcome.in_(NO_SHOWS))


@metric("coach_no_show_rate", "Coach no-show rate (refunded in full)", "percent", "session outcomes",
        filters=BOOKING_FILTERS, group="Sessions", extra=("numerator", "denominator"))  # fmt: skip
def coach_no_show_rate(window: Window, filters: Filters) -> MetricResult:
    """Coach no-shows / all outcomes, by decision time."""
    return _outcome_rate(window, filters, SessionOutcome.outcome == Outcome.COACH_NO_SHOW)


@metric("technical_failure_rate", "Technical failure rate", "percent", "session outcomes",
        filters=BOOKING_FILTERS, group="Sessions", extra=("numerator", "denominator"))  # fmt: skip
def technical_failure_rate(window: Window, filters: Filters) -> MetricResult:
    """Technical failures (both joined, media under a minute) / all outcomes, by decision time."""
    return _outcome_rate(window, filters, SessionOutcome.outcome == Outcome.TECHNICAL_FAILURE)
