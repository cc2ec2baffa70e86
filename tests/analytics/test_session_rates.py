"""No-show and technical-failure rates from decided session outcomes, per day, filtered by currency,
and on the staff analytics page's Sessions group."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from app.accounts.models import Role
from app.analytics.metrics import Filters, compute
from app.analytics.periods import Window
from app.extensions import db
from app.video.models import Outcome, OutcomeStatus, SessionOutcome
from tests.factories import StaffFactory
from tests.factories.booking import BookingFactory

DAY = date(2026, 3, 2)
WINDOW = Window(DAY, DAY + timedelta(days=1), "day", "UTC")


def _outcome(outcome: Outcome, day: date, currency: str = "EUR") -> None:
    booking = BookingFactory(currency=currency)
    db.session.add(
        SessionOutcome(
            booking_id=booking.id,
            outcome=outcome,
            status=OutcomeStatus.FINAL,
            decided_at=datetime.combine(day, time(12), tzinfo=UTC),
            client_seconds=0,
            coach_seconds=0,
            media_seconds=0,
        )
    )
    db.session.commit()


def _points(name: str, filters: Filters | None = None) -> dict[str, tuple]:
    _, _, result = compute(name, WINDOW, filters)
    return {p["period"]: (p["value"], p["numerator"], p["denominator"]) for p in result.series}


def test_rates_are_shares_of_the_outcomes_decided_each_day():
    first, second = DAY.isoformat(), (DAY + timedelta(days=1)).isoformat()
    assert compute("no_show_rate", WINDOW)[2].has_data is False
    for outcome in (Outcome.COMPLETED, Outcome.COACH_NO_SHOW, Outcome.CLIENT_NO_SHOW, Outcome.TECHNICAL_FAILURE):
        _outcome(outcome, DAY)
    _outcome(Outcome.BOTH_NO_SHOW, DAY, currency="USD")
    assert _points("no_show_rate") == {first: (60.0, 3, 5), second: (None, 0, 0)}
    assert _points("coach_no_show_rate")[first] == (20.0, 1, 5)
    assert _points("technical_failure_rate")[first] == (20.0, 1, 5)
    assert _points("no_show_rate", Filters(currency="USD"))[first] == (100.0, 1, 1)


def test_the_analytics_page_has_a_sessions_group(client, login_as):
    _outcome(Outcome.TECHNICAL_FAILURE, DAY)
    login_as(StaffFactory(roles=[Role.FINANCE]))
    html = client.get(f"/staff/analytics/?group=Sessions&from={DAY}&to={DAY}").get_data(as_text=True)
    assert "No-show rate (client, coach or both)" in html and "Technical failure rate" in html
