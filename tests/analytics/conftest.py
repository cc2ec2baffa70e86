"""A small world for metric tests: two coaches (two currencies, levels, specializations), bookings,
payments, refunds, cancellations, applications, flags and events on both sides of a Berlin midnight."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.analytics.periods import Window
from app.booking.models import BookingStatus
from app.coaches.models import CertificationLevel
from app.moderation.models import FlagStatus, ItemStatus
from app.payments.models import PaymentStatus, RefundStatus
from app.verification.models import ApplicationStatus
from tests.clock import SUITE_NOW, first_of_month
from tests.factories import UserFactory
from tests.factories.analytics import (
    ApplicationFactory,
    BookingFactory,
    CoachProfileFactory,
    EventFactory,
    FlagFactory,
    ModerationItemFactory,
    PaymentFactory,
    RefundFactory,
    SpecializationFactory,
)
from tests.factories.booking import AvailabilityRuleFactory

TZ = "Europe/Berlin"
BERLIN = ZoneInfo(TZ)


def berlin(day: date, hour: int, minute: int = 0) -> datetime:
    """A Berlin wall-clock time on `day`, as the UTC instant it is."""
    return datetime.combine(day, time(hour, minute), BERLIN).astimezone(UTC)


# The world lives on the first three days of last month (Berlin), so that a month view splits it from
# the month before and every stamp is in the past, whatever the suite's clock says.
FIRST = first_of_month(SUITE_NOW.astimezone(BERLIN).date(), 1)
SECOND, THIRD_DAY = FIRST + timedelta(days=1), FIRST + timedelta(days=2)
MONTH_BEFORE = first_of_month(FIRST, 1)
# Berlin is ahead of UTC all year: 23:30 Berlin is still the same UTC day, 00:30 the next Berlin day is not.
BEFORE_MIDNIGHT = berlin(FIRST, 23, 30)
AFTER_MIDNIGHT = berlin(SECOND, 0, 30)  # Berlin day 2, UTC still day 1
EARLY_FIRST = berlin(FIRST, 0, 10)  # Berlin day 1, UTC the last day of the month before (outside a UTC window)
MIDDAY = berlin(SECOND, 13, 0)
LATE_LAST = berlin(FIRST + timedelta(days=3), 0, 30)  # Berlin day 4: outside the window
THIRD = berlin(THIRD_DAY, 10, 0)

WINDOW = Window(FIRST, THIRD_DAY, "day", TZ)
STAMPS = [BEFORE_MIDNIGHT, AFTER_MIDNIGHT, EARLY_FIRST, MIDDAY, LATE_LAST, THIRD]


def local_day(ts: datetime) -> date:
    return ts.astimezone(BERLIN).date()


def expected_counts(stamps, window: Window = WINDOW) -> dict[str, int]:
    """Count timestamps per local day of the window, computed in Python."""
    out = {p.isoformat(): 0 for p in window.periods()}
    for ts in stamps:
        if ts is not None and window.start <= local_day(ts) <= window.end:
            out[local_day(ts).isoformat()] += 1
    return out


def series_dict(series, key="value") -> dict:
    return {p["period"]: p[key] for p in series}


@pytest.fixture
def world(app):
    """Build the data set; returns a namespace of the created rows."""
    career, leadership = SpecializationFactory(slug="career"), SpecializationFactory(slug="leadership")
    eur_coach = CoachProfileFactory(certification_level=CertificationLevel.MASTER, currency="EUR")
    eur_coach.specializations = [career]
    usd_coach = CoachProfileFactory(certification_level=CertificationLevel.ASSOCIATE, currency="USD")
    usd_coach.specializations = [leadership]
    AvailabilityRuleFactory(coach_id=eur_coach.id)
    clients = [UserFactory() for _ in range(4)]
    bookings, payments, refunds = [], [], []
    for i, ts in enumerate(STAMPS):
        coach = eur_coach if i % 2 == 0 else usd_coach
        cur = coach.currency
        b = BookingFactory(coach=coach, client=clients[i % 4], created_at=ts, currency=cur, amount=10000 + i * 1000,
                           confirmed_at=ts)  # fmt: skip
        bookings.append(b)
        p = PaymentFactory(booking=b, created_at=ts)
        payments.append(p)
        if i in (1, 2, 4):
            refunds.append(RefundFactory(payment=p, amount=1500 + i, created_at=ts + timedelta(minutes=5)))
    # Cancelled and completed bookings, a failed payment and a still pending refund.
    cancelled = BookingFactory(coach=eur_coach, client=clients[0], created_at=EARLY_FIRST,
                               status=BookingStatus.CANCELLED, cancelled_at=AFTER_MIDNIGHT)  # fmt: skip
    completed = BookingFactory(coach=usd_coach, client=clients[1], created_at=EARLY_FIRST - timedelta(days=5),
                               currency="USD", status=BookingStatus.COMPLETED, completed_at=BEFORE_MIDNIGHT,
                               confirmed_at=EARLY_FIRST - timedelta(days=5))  # fmt: skip
    bookings += [cancelled, completed]
    failed = PaymentFactory(booking=cancelled, created_at=AFTER_MIDNIGHT, status=PaymentStatus.FAILED)
    payments.append(failed)
    RefundFactory(payment=payments[0], amount=700, status=RefundStatus.PENDING, created_at=MIDDAY)

    # Applications: decided and waiting, around midnight.
    apps = [
        ApplicationFactory(submitted_at=EARLY_FIRST - timedelta(hours=10), status=ApplicationStatus.APPROVED,
                           decided_at=BEFORE_MIDNIGHT, user=eur_coach.user,
                           certification_level=CertificationLevel.MASTER),
        ApplicationFactory(submitted_at=EARLY_FIRST, status=ApplicationStatus.REJECTED, decided_at=AFTER_MIDNIGHT),
        ApplicationFactory(submitted_at=BEFORE_MIDNIGHT, status=ApplicationStatus.APPROVED, decided_at=MIDDAY,
                           user=usd_coach.user),
        ApplicationFactory(submitted_at=AFTER_MIDNIGHT, status=ApplicationStatus.APPROVED, decided_at=THIRD),
        ApplicationFactory(submitted_at=MIDDAY, status=ApplicationStatus.SUBMITTED),
        ApplicationFactory(submitted_at=None, status=ApplicationStatus.DRAFT),
    ]  # fmt: skip

    items = [
        ModerationItemFactory(first_flagged_at=EARLY_FIRST, status=ItemStatus.REMOVED, decided_at=AFTER_MIDNIGHT),
        ModerationItemFactory(first_flagged_at=BEFORE_MIDNIGHT, status=ItemStatus.KEPT, decided_at=MIDDAY),
        ModerationItemFactory(first_flagged_at=MIDDAY),
    ]
    flags = [
        FlagFactory(item=items[0], created_at=EARLY_FIRST, status=FlagStatus.UPHELD, resolved_at=AFTER_MIDNIGHT),
        FlagFactory(item=items[0], created_at=BEFORE_MIDNIGHT, status=FlagStatus.UPHELD, resolved_at=AFTER_MIDNIGHT),
        FlagFactory(item=items[1], created_at=AFTER_MIDNIGHT, status=FlagStatus.DISMISSED, resolved_at=MIDDAY),
        FlagFactory(item=items[2], created_at=LATE_LAST),
    ]
    events = []
    for ts in STAMPS:
        events.append(EventFactory(name="profile_view", coach_id=eur_coach.id, occurred_at=ts))
        events.append(EventFactory(name="coach_search", occurred_at=ts))
        events.append(EventFactory(name="coach_search", occurred_at=ts + timedelta(minutes=1)))
    for ts in (BEFORE_MIDNIGHT, AFTER_MIDNIGHT):
        events.append(EventFactory(name="booking_confirmed", coach_id=eur_coach.id, occurred_at=ts))
    events.append(EventFactory(name="booking_confirmed", coach_id=usd_coach.id, occurred_at=MIDDAY))
    from types import SimpleNamespace

    return SimpleNamespace(
        eur_coach=eur_coach, usd_coach=usd_coach, clients=clients, bookings=bookings, payments=payments,
        refunds=refunds, applications=apps, items=items, flags=flags, events=events,
    )  # fmt: skip
