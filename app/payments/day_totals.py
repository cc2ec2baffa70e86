"""The finance list's totals from payment_day_totals (UTC days) plus the live tail.

`roll_up()` (every 10 minutes from the clock, `flask payments roll-up`) adds the payments created
since the previous roll-up to their days' rows; the trigger of migration 20261203_1900 keeps them
current as those payments change. `totals()` reads the rolled-up days a filter covers whole and
counts only the rest live: the part days at either end (a viewer's day need not start at UTC
midnight) and the payments created since the last roll-up. Filters the table has no dimension
for (coach, client, amount, refund state, dispute, search) are counted live over the whole filter.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from app.core.db import utcnow
from app.core.effects import transaction
from app.core.money import major_or_none
from app.extensions import db
from app.payments.bookkeeping import PaymentDayTotal, PaymentRollupState
from app.payments.models import Payment, PaymentStatus
from app.payments.queries import PaymentFilters, local_day_start
from app.payments.queries import totals as live_totals

log = logging.getLogger(__name__)
LOCK_KEY = 7020301  # the trigger takes it shared; a roll-up exclusively (see the migration)


@dataclass
class CurrencyTotal:
    """Count, paid (succeeded) and refunded of one currency, in minor units."""

    currency: str
    count: int = 0
    paid: int = 0
    refunded: int = 0


@dataclass
class Totals:
    """The totals of a filter and where they came from, for the page to say."""

    rows: list[CurrencyTotal]
    as_of: datetime
    rolled_until: datetime | None = None  # payments created before it came from the roll-up
    live_reason: str = ""  # why the roll-up was not used, if it was not


def _utc_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, UTC)


def roll_up(until: datetime | None = None) -> int:
    """Add the payments created since the last roll-up (and before `until`, default now); returns how many.

    PostgreSQL only (the trigger that keeps rolled-up payments current is); elsewhere totals stay live.
    """
    if db.engine.dialect.name != "postgresql":
        return 0
    until = until or utcnow()
    with transaction():
        # Exclusive: waits for every transaction whose payment changes the trigger has not applied.
        db.session.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
        state = db.session.get(PaymentRollupState, 1, with_for_update=True)
        if state is None:
            state = PaymentRollupState(id=1)
            db.session.add(state)
        since = state.rolled_until
        if since is not None and since >= until:
            return 0
        window = Payment.created_at < until
        if since is not None:
            window = sa.and_(Payment.created_at >= since, window)
        day = sa.cast(sa.func.timezone("UTC", Payment.created_at), sa.Date)
        source = (
            sa.select(
                day,
                Payment.currency,
                Payment.status,
                sa.func.count(),
                sa.func.sum(Payment.amount),
                sa.func.sum(Payment.amount_refunded),
            )
            .where(window)
            .group_by(day, Payment.currency, Payment.status)
        )
        columns = ["day", "currency", "status", "payment_count", "amount_total", "refunded_total"]
        insert = postgresql.insert(PaymentDayTotal).from_select(columns, source)
        added = insert.excluded
        table = PaymentDayTotal.__table__.c
        db.session.execute(
            insert.on_conflict_do_update(
                index_elements=["day", "currency", "status"],
                set_={
                    "payment_count": table.payment_count + added.payment_count,
                    "amount_total": table.amount_total + added.amount_total,
                    "refunded_total": table.refunded_total + added.refunded_total,
                },
            )
        )
        count = db.session.scalar(sa.select(sa.func.count()).where(window))
        state.rolled_until = until
    log.info("rolled up %s payment(s), to %s", count, until.isoformat())
    return count


def _outside_rollup(f: PaymentFilters) -> str:
    """Why the roll-up cannot answer the filter ('' when it can: only status and dates are set)."""
    if f.coach or f.client or f.q:
        return "a person or search filter"
    if major_or_none(f.amount_min) is not None or major_or_none(f.amount_max) is not None:
        return "an amount filter"
    if f.refunded or f.disputed:
        return "a refund or dispute filter"
    return ""


def _as_totals(rows) -> list[CurrencyTotal]:
    return [CurrencyTotal(r.currency, r.count, r.paid, r.refunded) for r in rows if r.count]


def totals(f: PaymentFilters, zone) -> Totals:
    """Count, paid, refunded per currency for the filter: rolled-up whole days plus the live rest."""
    now = utcnow()
    reason = _outside_rollup(f)
    until = db.session.scalar(sa.select(PaymentRollupState.rolled_until))
    if reason or until is None:
        return Totals(_as_totals(live_totals(f, zone)), now, live_reason=reason or "nothing is rolled up yet")
    start = local_day_start(f.date_from, zone) if f.date_from else None
    end = local_day_start(f.date_to, zone) if f.date_to else None
    end = end + timedelta(days=1) if end else None
    first = None  # the first whole UTC day inside the filter (None: from the beginning)
    if start is not None:
        utc = start.astimezone(UTC)
        first = utc.date() if utc.time() == time.min else utc.date() + timedelta(days=1)
    if end is None or end >= until:
        # Every rolled-up day up to the roll-up's own (partial) one; live from the roll-up on.
        last, live_from = until.astimezone(UTC).date() + timedelta(days=1), until
    else:
        last = end.astimezone(UTC).date()  # days before the one the filter ends in
        live_from = _utc_midnight(last)
    if first is not None and first >= last:
        return Totals(_as_totals(live_totals(f, zone)), now, until, "the filter covers no whole rolled-up day")
    rolled = sa.select(
        PaymentDayTotal.currency,
        sa.func.sum(PaymentDayTotal.payment_count).label("count"),
        sa.func.sum(
            sa.case((PaymentDayTotal.status == PaymentStatus.SUCCEEDED, PaymentDayTotal.amount_total), else_=0)
        ).label("paid"),
        sa.func.sum(PaymentDayTotal.refunded_total).label("refunded"),
    ).where(PaymentDayTotal.day < last)
    if first is not None:
        rolled = rolled.where(PaymentDayTotal.day >= first)
    if f.status in {s.value for s in PaymentStatus}:
        rolled = rolled.where(PaymentDayTotal.status == PaymentStatus(f.status))
    by_currency = {t.currency: t for t in _as_totals(db.session.execute(rolled.group_by(PaymentDayTotal.currency)))}
    rest = Payment.created_at >= live_from
    if first is not None:
        rest = sa.or_(Payment.created_at < _utc_midnight(first), rest)
    for row in live_totals(f, zone, rest):
        total = by_currency.setdefault(row.currency, CurrencyTotal(row.currency))
        total.count += row.count
        total.paid += row.paid
        total.refunded += row.refunded
    rows = sorted((t for t in by_currency.values() if t.count), key=lambda t: t.currency)
    return Totals([CurrencyTotal(t.currency, int(t.count), int(t.paid), int(t.refunded)) for t in rows], now, until)
