"""Every metric against numbers computed here in Python from the factory-built world."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.analytics.metrics import METRICS, Filters, compute
from app.analytics.periods import Window
from app.booking.models import AvailabilityRule
from app.coaches.models import CoachProfile
from app.core.errors import ValidationFailed
from app.extensions import db
from app.moderation.models import FlagStatus
from app.payments.models import PaymentStatus, RefundStatus
from app.verification.models import ApplicationStatus
from tests.analytics.conftest import FIRST, MONTH_BEFORE, TZ, WINDOW, expected_counts, local_day, series_dict
from tests.clock import last_of_month


def in_window(ts) -> bool:
    return ts is not None and WINDOW.start <= local_day(ts) <= WINDOW.end


def values(name, window=WINDOW, filters=None, key="value"):
    _, _, result = compute(name, window, filters)
    assert result.has_data
    return series_dict(result.series, key)


def money(name, filters=None):
    _, _, result = compute(name, WINDOW, filters)
    return {(p["period"], p["currency"]): p["value"] for p in result.series}


def expected_money(pairs):
    out = {}
    for ts, cur, amount in pairs:
        if in_window(ts):
            key = (local_day(ts).isoformat(), cur)
            out[key] = out.get(key, 0) + amount
    return out


def nonzero(d):
    return {k: v for k, v in d.items() if v}


def rate(num, den):
    return round(100.0 * num / den, 1) if den else None


def expected_rate(rows):
    """rows: (ts, is_numerator) -> {day: percent} over the window."""
    out = {}
    for p in WINDOW.periods():
        day = [n for ts, n in rows if ts is not None and local_day(ts) == p]
        out[p.isoformat()] = rate(sum(day), len(day))
    return out


def percentile(values, q):
    """Linear interpolation, as PostgreSQL's percentile_cont."""
    values = sorted(values)
    pos = (len(values) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (pos - lo)


def test_every_metric_says_no_data_yet_on_an_empty_database(app):
    for name in METRICS:
        _, _, result = compute(name, WINDOW)
        assert result.has_data is False and result.series == [], name


def test_booking_counts_follow_the_berlin_day(world):
    assert values("bookings_made") == expected_counts([b.created_at for b in world.bookings])
    assert values("bookings_completed") == expected_counts([b.completed_at for b in world.bookings])
    assert values("bookings_cancelled") == expected_counts([b.cancelled_at for b in world.bookings])
    # The booking made at 00:10 Berlin on the 1st (23:10 or 22:10 UTC the day before) counts on the 1st
    # here, not in UTC.
    utc_window = Window(WINDOW.start, WINDOW.end, "day", "UTC")
    assert values("bookings_made")[FIRST.isoformat()] != values("bookings_made", utc_window)[FIRST.isoformat()]


def test_booking_filters(world):
    eur = [b.created_at for b in world.bookings if b.coach_id == world.eur_coach.id]
    assert values("bookings_made", filters=Filters(level="master")) == expected_counts(eur)
    assert values("bookings_made", filters=Filters(specialization="career")) == expected_counts(eur)
    usd = [b.created_at for b in world.bookings if b.currency == "USD"]
    assert values("bookings_made", filters=Filters(currency="USD")) == expected_counts(usd)


def test_gross_refunds_and_net_per_currency(world):
    gross = expected_money(
        (p.succeeded_at, p.currency, p.amount) for p in world.payments if p.status == PaymentStatus.SUCCEEDED
    )
    refunded = expected_money(
        (r.succeeded_at, r.currency, r.amount) for r in world.refunds if r.status == RefundStatus.SUCCEEDED
    )
    assert {"EUR", "USD"} <= {c for _, c in gross}
    assert nonzero(money("gross_volume")) == gross
    assert nonzero(money("refunds")) == refunded
    net = dict(gross)
    for key, amount in refunded.items():
        net[key] = net.get(key, 0) - amount
    assert nonzero(money("net_revenue")) == nonzero(net)
    assert nonzero(money("gross_volume", Filters(currency="EUR"))) == {k: v for k, v in gross.items() if k[1] == "EUR"}
    # Every period carries every currency (zero-filled), so charts have a point per period.
    assert len(compute("gross_volume", WINDOW)[2].series) == len(WINDOW.periods()) * 2


def test_payment_success_and_refund_rates(world):
    finished = [p for p in world.payments if p.status in (PaymentStatus.SUCCEEDED, PaymentStatus.FAILED)]
    assert values("payment_success_rate") == expected_rate(
        [(p.created_at, p.status == PaymentStatus.SUCCEEDED) for p in finished]
    )
    db.session.expire_all()
    succeeded = [p for p in world.payments if p.status == PaymentStatus.SUCCEEDED]
    assert values("refund_rate") == expected_rate([(p.succeeded_at, p.amount_refunded > 0) for p in succeeded])


def test_conversions_from_events(world):
    def ratio(num_name, den_name, coach_id=None):
        evs = [e for e in world.events if coach_id is None or e.coach_id == coach_id]
        nums = expected_counts([e.occurred_at for e in evs if e.name == num_name])
        dens = expected_counts([e.occurred_at for e in evs if e.name == den_name])
        return {p: rate(nums[p], dens[p]) for p in nums}

    assert values("conversion_from_profile_views") == ratio("booking_confirmed", "profile_view")
    assert values("conversion_from_searches") == ratio("booking_confirmed", "coach_search")
    assert values("conversion_from_profile_views", filters=Filters(level="master")) == ratio(
        "booking_confirmed", "profile_view", world.eur_coach.id
    )
    assert values("profile_views") == expected_counts([e.occurred_at for e in world.events if e.name == "profile_view"])


def test_application_metrics(world):
    apps = world.applications
    assert values("applications_received") == expected_counts([a.submitted_at for a in apps])
    decided = [a for a in apps if a.status in (ApplicationStatus.APPROVED, ApplicationStatus.REJECTED)]
    assert values("approval_rate") == expected_rate(
        [(a.decided_at, a.status == ApplicationStatus.APPROVED) for a in decided]
    )
    medians, p90s = values("time_to_decision"), values("time_to_decision", key="p90")
    for p in WINDOW.periods():
        hours = [
            (a.decided_at - a.submitted_at).total_seconds() / 3600 for a in decided if local_day(a.decided_at) == p
        ]
        assert medians[p.isoformat()] == (round(percentile(hours, 0.5), 2) if hours else None)
        assert p90s[p.isoformat()] == (round(percentile(hours, 0.9), 2) if hours else None)
    assert values("approval_rate", filters=Filters(level="master")) == expected_rate(
        [(a.decided_at, True) for a in decided if a.certification_level == "master"]
    )


def test_queue_size_at_each_period_end(world):
    expected = {}
    for p in WINDOW.periods():
        end = WINDOW.period_end_utc(p)
        expected[p.isoformat()] = sum(
            1
            for a in world.applications
            if a.submitted_at is not None and a.submitted_at < end and (a.decided_at is None or a.decided_at >= end)
        )
    assert values("application_queue_size") == expected


def test_coach_activation(world):
    approved = [a for a in world.applications if a.status == ApplicationStatus.APPROVED]

    def live(app_row):
        coach = db.session.query(CoachProfile).filter_by(user_id=app_row.user_id, is_active=True).one_or_none()
        return coach is not None and db.session.query(AvailabilityRule).filter_by(coach_id=coach.id).count() > 0

    assert values("coach_activation") == expected_rate([(a.decided_at, live(a)) for a in approved])
    assert values("coach_activation")[FIRST.isoformat()] == 100.0  # the EUR coach is live with hours


def test_client_retention_by_monthly_cohort(world):
    window = Window(MONTH_BEFORE, last_of_month(FIRST), "day", TZ)
    metric, used, result = compute("client_retention", window)
    assert used.granularity == "month"
    paid = [b for b in world.bookings if b.confirmed_at is not None]
    expected = {}
    for client_id in {b.client_id for b in paid}:
        times = sorted(b.confirmed_at for b in paid if b.client_id == client_id)
        cohort = local_day(times[0]).replace(day=1).isoformat()
        returned = any(times[0] < t <= times[0] + timedelta(days=30) for t in times[1:])
        num, den = expected.get(cohort, (0, 0))
        expected[cohort] = (num + returned, den + 1)
    got = {p["period"]: (p["numerator"], p["denominator"]) for p in result.series if p["denominator"]}
    assert got == expected
    assert [p["period"] for p in result.series] == [MONTH_BEFORE.isoformat(), FIRST.isoformat()]


def test_moderation_metrics(world):
    assert values("flags_received") == expected_counts([f.created_at for f in world.flags])
    resolved = [f for f in world.flags if f.status in (FlagStatus.UPHELD, FlagStatus.DISMISSED)]
    assert values("flags_upheld_share") == expected_rate(
        [(f.resolved_at, f.status == FlagStatus.UPHELD) for f in resolved]
    )
    medians = values("moderation_time_to_action")
    for p in WINDOW.periods():
        hours = [
            (i.decided_at - i.first_flagged_at).total_seconds() / 3600
            for i in world.items
            if i.decided_at is not None and local_day(i.decided_at) == p
        ]
        assert medians[p.isoformat()] == (round(percentile(hours, 0.5), 2) if hours else None)


def test_week_and_month_granularity(world):
    monday = FIRST - timedelta(days=FIRST.weekday())  # weeks start on Monday
    next_monday = monday + timedelta(days=7)
    week = Window(monday, next_monday + timedelta(days=6), "week", TZ)
    got = values("bookings_made", week)
    assert list(got) == [monday.isoformat(), next_monday.isoformat()]
    stamps = [b.created_at for b in world.bookings]
    for start in (monday, next_monday):
        in_week = sum(1 for t in stamps if start <= local_day(t) <= start + timedelta(days=6))
        assert got[start.isoformat()] == in_week, start
    month = Window(MONTH_BEFORE, last_of_month(FIRST), "month", TZ)
    got = values("bookings_made", month)

    def in_month(t, first):
        return (local_day(t).year, local_day(t).month) == (first.year, first.month)

    assert got == {first.isoformat(): sum(1 for t in stamps if in_month(t, first)) for first in (MONTH_BEFORE, FIRST)}


def test_bad_input_is_refused(app):
    with pytest.raises(ValidationFailed):
        Window(date(2026, 1, 1), date(2026, 1, 2), "hour", TZ)
    with pytest.raises(ValidationFailed):
        Window(date(2026, 1, 1), date(2026, 1, 2), "day", "Mars/Olympus'--")
    with pytest.raises(ValidationFailed):
        compute("nope", WINDOW)
    with pytest.raises(ValidationFailed):
        compute("flags_received", WINDOW, Filters(currency="EUR"))
