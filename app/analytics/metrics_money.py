"""Booking, money and funnel metrics (bookings, payments, refunds, analytics events)."""

from __future__ import annotations

import sqlalchemy as sa

from app.analytics.metrics import (
    Filters,
    MetricResult,
    coach_filters,
    count_series,
    count_when,
    grouped,
    has_rows,
    metric,
    money_series,
    rate_series,
    ratio_rows,
)
from app.analytics.models import AnalyticsEvent
from app.analytics.periods import Window
from app.analytics.tracking import BOOKING_CONFIRMED, COACH_SEARCH, PROFILE_VIEW
from app.booking.models import Booking
from app.payments.models import Payment, PaymentStatus, Refund, RefundStatus

BOOKING_FILTERS = ("level", "specialization", "currency")


def _booking_where(filters: Filters) -> list:
    where = coach_filters(Booking.coach_id, filters)
    if filters.currency:
        where.append(Booking.currency == filters.currency)
    return where


def _payment_where(filters: Filters) -> list:
    where = coach_filters(Payment.coach_id, filters)
    if filters.currency:
        where.append(Payment.currency == filters.currency)
    return where


def _booking_count(window: Window, filters: Filters, ts_col) -> MetricResult:
    if not has_rows(Booking):
        return MetricResult([], has_data=False)
    rows = grouped(window, ts_col, [sa.func.count(Booking.id).label("value")], *_booking_where(filters))
    return MetricResult(count_series(window, rows))


@metric("bookings_made", "Bookings made", "count", "bookings", filters=BOOKING_FILTERS, group="Bookings")
def bookings_made(window: Window, filters: Filters) -> MetricResult:
    """Bookings created (any outcome), by creation time."""
    return _booking_count(window, filters, Booking.created_at)


@metric("bookings_completed", "Bookings completed", "count", "bookings", filters=BOOKING_FILTERS, group="Bookings")
def bookings_completed(window: Window, filters: Filters) -> MetricResult:
    """Sessions completed, by completion time."""
    return _booking_count(window, filters, Booking.completed_at)


@metric("bookings_cancelled", "Bookings cancelled", "count", "bookings", filters=BOOKING_FILTERS, group="Bookings")
def bookings_cancelled(window: Window, filters: Filters) -> MetricResult:
    """Bookings cancelled, by cancellation time."""
    return _booking_count(window, filters, Booking.cancelled_at)


def _gross_rows(window: Window, filters: Filters):
    return grouped(
        window,
        Payment.succeeded_at,
        [sa.func.sum(Payment.amount).label("value")],
        Payment.succeeded_at.is_not(None),
        *_payment_where(filters),
        by=Payment.currency,
    )


def _refund_rows(window: Window, filters: Filters):
    where = [Refund.status == RefundStatus.SUCCEEDED, *coach_filters(Payment.coach_id, filters)]
    if filters.currency:
        where.append(Refund.currency == filters.currency)
    return grouped(
        window,
        Refund.succeeded_at,
        [sa.func.sum(Refund.amount).label("value")],
        *where,
        select_from=sa.join(Refund, Payment, Payment.id == Refund.payment_id),
        by=Refund.currency,
    )


@metric(
    "gross_volume", "Gross volume", "money", "payments", filters=BOOKING_FILTERS, group="Money", extra=("currency",)
)
def gross_volume(window: Window, filters: Filters) -> MetricResult:
    """Succeeded payments (minor units) per currency, by success time."""
    if not has_rows(Payment):
        return MetricResult([], has_data=False)
    return MetricResult(money_series(window, _gross_rows(window, filters), filters.currency))


@metric("refunds", "Refunds", "money", "refunds", filters=BOOKING_FILTERS, group="Money", extra=("currency",))
def refunds(window: Window, filters: Filters) -> MetricResult:
    """Succeeded refunds (minor units) per currency, by refund time."""
    if not has_rows(Refund):
        return MetricResult([], has_data=False)
    return MetricResult(money_series(window, _refund_rows(window, filters), filters.currency))


@metric("net_revenue", "Net revenue", "money", "payments", filters=BOOKING_FILTERS, group="Money", extra=("currency",))
def net_revenue(window: Window, filters: Filters) -> MetricResult:
    """Gross volume minus refunds per currency and period (each grouped in SQL)."""
    if not has_rows(Payment):
        return MetricResult([], has_data=False)
    gross = money_series(window, _gross_rows(window, filters), filters.currency)
    refunded = money_series(window, _refund_rows(window, filters), filters.currency)
    return MetricResult(net_series(window, gross, refunded))


def net_series(window: Window, gross: list[dict], refunded: list[dict]) -> list[dict]:
    """Gross minus refunds per period and currency, from two money series."""
    net: dict[tuple[str, str], int] = {}
    for point in gross:
        net[(point["period"], point["currency"])] = point["value"]
    for point in refunded:
        key = (point["period"], point["currency"])
        net[key] = net.get(key, 0) - point["value"]
    currencies = sorted({c for _, c in net})
    return [
        {"period": p.isoformat(), "currency": c, "value": net.get((p.isoformat(), c), 0)}
        for p in window.periods()
        for c in currencies
    ]


def success_rows(window: Window, filters: Filters, by=None):
    """(period, num = succeeded, den = succeeded + failed) by payment creation time."""
    finished = Payment.status.in_([PaymentStatus.SUCCEEDED, PaymentStatus.FAILED])
    return grouped(
        window,
        Payment.created_at,
        [count_when(Payment.status == PaymentStatus.SUCCEEDED).label("num"), sa.func.count(Payment.id).label("den")],
        finished,
        *_payment_where(filters),
        by=by,
    )


def refunded_rows(window: Window, filters: Filters, by=None):
    """(period, num = refunded payments, den = succeeded payments) by success time."""
    return grouped(
        window,
        Payment.succeeded_at,
        [count_when(Payment.amount_refunded > 0).label("num"), sa.func.count(Payment.id).label("den")],
        Payment.succeeded_at.is_not(None),
        *_payment_where(filters),
        by=by,
    )


@metric(
    "payment_success_rate",
    "Payment success rate",
    "percent",
    "payments",
    filters=BOOKING_FILTERS,
    group="Money",
    target="above 95 %",
    extra=("numerator", "denominator"),
)
def payment_success_rate(window: Window, filters: Filters) -> MetricResult:
    """Succeeded / (succeeded + failed) payments, by payment creation time."""
    if not has_rows(Payment):
        return MetricResult([], has_data=False)
    return MetricResult(rate_series(window, success_rows(window, filters)))


@metric(
    "refund_rate",
    "Refund rate",
    "percent",
    "payments",
    filters=BOOKING_FILTERS,
    group="Money",
    extra=("numerator", "denominator"),
)
def refund_rate(window: Window, filters: Filters) -> MetricResult:
    """Share of succeeded payments that were (partly) refunded, by success time."""
    if not has_rows(Payment):
        return MetricResult([], has_data=False)
    return MetricResult(rate_series(window, refunded_rows(window, filters)))


def _event_counts(window: Window, name: str, filters: Filters):
    return grouped(
        window,
        AnalyticsEvent.occurred_at,
        [sa.func.count(AnalyticsEvent.id).label("value")],
        AnalyticsEvent.name == name,
        *coach_filters(AnalyticsEvent.coach_id, filters),
    )


def _conversion(window: Window, filters: Filters, denominator: str) -> MetricResult:
    if not has_rows(AnalyticsEvent, AnalyticsEvent.name == denominator):
        return MetricResult([], has_data=False)
    nums = _event_counts(window, BOOKING_CONFIRMED, filters)
    dens = _event_counts(window, denominator, filters)
    return MetricResult(ratio_rows(window, nums, dens))


@metric(
    "conversion_from_profile_views",
    "Booking conversion from profile views",
    "percent",
    "profile view events",
    filters=("level", "specialization"),
    group="Funnel",
    target="above 15 %",
    extra=("numerator", "denominator"),
)
def conversion_from_profile_views(window: Window, filters: Filters) -> MetricResult:
    """Confirmed bookings / profile views (analytics events), per period."""
    return _conversion(window, filters, PROFILE_VIEW)


@metric(
    "conversion_from_searches",
    "Booking conversion from searches",
    "percent",
    "search events",
    group="Funnel",
    target="above 15 %",
    extra=("numerator", "denominator"),
)
def conversion_from_searches(window: Window, filters: Filters) -> MetricResult:
    """Confirmed bookings / coach searches (analytics events), per period."""
    return _conversion(window, filters, COACH_SEARCH)


def _event_metric(event: str):
    def fn(window: Window, filters: Filters) -> MetricResult:
        if not has_rows(AnalyticsEvent, AnalyticsEvent.name == event):
            return MetricResult([], has_data=False)
        return MetricResult(count_series(window, _event_counts(window, event, filters)))

    return fn


for _name, _title, _event in (
    ("sign_ups", "Sign-ups", "sign_up"),
    ("logins", "Logins", "login"),
    ("coach_searches", "Coach searches", COACH_SEARCH),
    ("profile_views", "Profile views", PROFILE_VIEW),
):
    metric(_name, _title, "count", f"{_event} events", group="Funnel")(_event_metric(_event))
