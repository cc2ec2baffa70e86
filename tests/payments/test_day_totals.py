"""The finance totals from the daily roll-up plus the live rest equal a direct SUM, after changes."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from app.accounts.models import Role
from app.extensions import db
from app.payments import day_totals, queries, refunds
from app.payments.bookkeeping import PaymentDayTotal, PaymentRollupState
from app.payments.models import Payment, PaymentStatus
from tests.clock import SUITE_NOW
from tests.factories import StaffFactory
from tests.factories.payments import PaidPaymentFactory

TODAY = SUITE_NOW.date()
ROLLED = SUITE_NOW - timedelta(hours=1)  # the last roll-up; payments since are the live tail
ZONE = ZoneInfo("America/New_York")  # the viewer's days start at 05:00 or 04:00 UTC, not midnight


def _at(days_ago: int, hour: int):
    return (SUITE_NOW - timedelta(days=days_ago)).replace(hour=hour, minute=15, second=0, microsecond=0)


def _payments() -> list[Payment]:
    """Three currencies over 12 days, some not succeeded, every hour of the day a viewer's edge can cut."""
    made = []
    for i, (days_ago, hour, currency, status) in enumerate(
        [
            (11, 3, "EUR", PaymentStatus.SUCCEEDED),
            (10, 23, "USD", PaymentStatus.SUCCEEDED),
            (9, 4, "EUR", PaymentStatus.FAILED),
            (7, 12, "JPY", PaymentStatus.SUCCEEDED),
            (5, 2, "USD", PaymentStatus.SUCCEEDED),
            (5, 20, "EUR", PaymentStatus.SUCCEEDED),
            (3, 5, "EUR", PaymentStatus.REQUIRES_PAYMENT),
            (1, 1, "USD", PaymentStatus.SUCCEEDED),
        ]
    ):
        made.append(
            PaidPaymentFactory(amount=1000 * (i + 1), currency=currency, status=status, created_at=_at(days_ago, hour))
        )
    return made


def _direct(f: queries.PaymentFilters) -> dict:
    return {r.currency: (r.count, r.paid, r.refunded) for r in queries.totals(f, ZONE) if r.count}


def _from_rollup(f: queries.PaymentFilters) -> dict:
    result = day_totals.totals(f, ZONE)
    assert not result.live_reason, result.live_reason
    return {t.currency: (t.count, t.paid, t.refunded) for t in result.rows}


FILTERS = [
    queries.PaymentFilters(),  # all time
    queries.PaymentFilters(date_from=(TODAY - timedelta(days=9)).isoformat()),
    queries.PaymentFilters(
        date_from=(TODAY - timedelta(days=10)).isoformat(), date_to=(TODAY - timedelta(days=4)).isoformat()
    ),
    queries.PaymentFilters(status="succeeded", date_from=(TODAY - timedelta(days=8)).isoformat()),
    queries.PaymentFilters(status="failed"),
    queries.PaymentFilters(date_to=(TODAY - timedelta(days=2)).isoformat()),
]


def test_totals_from_the_rollup_equal_a_direct_sum_after_payments_and_refunds(app):
    made = _payments()
    assert day_totals.roll_up(until=ROLLED) == 8
    assert db.session.get(PaymentRollupState, 1).rolled_until == ROLLED
    assert day_totals.roll_up(until=ROLLED) == 0  # nothing new since
    for f in FILTERS:
        assert _from_rollup(f) == _direct(f), f
    finance = StaffFactory(roles=[Role.FINANCE])
    # Changes after the roll-up, to rolled days and to the live tail alike.
    refunds.request_refund(finance, made[0].id, 400, "goodwill", "", "k1")  # EUR, 11 days ago
    refunds.request_refund(finance, made[4].id, 5000, "goodwill", "", "k2")  # USD, in full
    db.session.execute(
        sa.update(Payment).where(Payment.id == made[2].id).values(status=PaymentStatus.SUCCEEDED)
    )  # a late success of a rolled day, written in bulk (no ORM events)
    db.session.commit()
    PaidPaymentFactory(amount=777, currency="JPY", created_at=_at(6, 8))  # inserted late into a rolled day
    tail = PaidPaymentFactory(amount=333, currency="EUR", created_at=SUITE_NOW - timedelta(minutes=5))
    refunds.request_refund(finance, tail.id, 100, "goodwill", "", "k3")
    db.session.expire_all()
    assert db.session.get(Payment, made[0].id).amount_refunded == 400
    for f in FILTERS:
        assert _from_rollup(f) == _direct(f), f
    # The trigger kept the rolled days exactly as one roll-up from scratch writes them.
    kept = set(db.session.execute(sa.select(PaymentDayTotal.__table__).where(PaymentDayTotal.payment_count > 0)))
    db.session.execute(sa.delete(PaymentDayTotal))
    db.session.execute(sa.delete(PaymentRollupState))
    db.session.commit()
    day_totals.roll_up(until=ROLLED)
    assert set(db.session.execute(sa.select(PaymentDayTotal.__table__))) == kept


def test_filters_outside_the_rollup_are_counted_live_and_the_page_says_how_fresh(client, login_as):
    made = _payments()
    day_totals.roll_up(until=ROLLED)
    by_amount = queries.PaymentFilters(amount_min="3", date_from="")
    result = day_totals.totals(by_amount, ZONE)
    assert result.live_reason == "an amount filter"
    assert {t.currency: t.count for t in result.rows} == {k: v[0] for k, v in _direct(by_amount).items()}
    login_as(StaffFactory(roles=[Role.FINANCE], timezone="America/New_York"))
    page = client.get("/staff/finance/?date_from=").get_data(as_text=True)
    rolled = ROLLED.astimezone(ZONE).strftime("%Y-%m-%d %H:%M:%S")
    assert f"payments created before {rolled} EST from the roll-up" in page or f"{rolled} EDT from" in page
    assert f"#{made[0].id}</a>" in page
    live = client.get("/staff/finance/?date_from=&disputed=yes").get_data(as_text=True)
    assert "counted live over the whole filter (a refund or dispute filter)" in live
