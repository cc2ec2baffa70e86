"""Demo bookings in several states, their offline payments, a few refunds and reviews."""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from app.accounts.models import User
from app.booking.models import Booking, BookingStatus, SessionType
from app.coaches.models import CoachProfile, Review
from app.core import audit
from app.extensions import db
from app.payments.models import Payment, PaymentStatus, Refund, RefundReason, RefundStatus
from app.payments.refund_sending import snapshot

BOOKING_COUNT = 40
# k % 10 -> booking status; cancelled bookings were paid, then refunded.
PLAN = {
    0: BookingStatus.COMPLETED,
    1: BookingStatus.COMPLETED,
    2: BookingStatus.COMPLETED,
    3: BookingStatus.COMPLETED,
    4: BookingStatus.CONFIRMED,
    5: BookingStatus.COMPLETED,
    6: BookingStatus.CANCELLED,
    7: BookingStatus.CONFIRMED,
    8: BookingStatus.HELD,
    9: BookingStatus.CONFIRMED,
}
PAYMENT_STATUS = {
    BookingStatus.COMPLETED: PaymentStatus.SUCCEEDED,
    BookingStatus.CONFIRMED: PaymentStatus.SUCCEEDED,
    BookingStatus.CANCELLED: PaymentStatus.SUCCEEDED,
    BookingStatus.HELD: PaymentStatus.REQUIRES_PAYMENT,
    BookingStatus.EXPIRED: PaymentStatus.CANCELLED,
}
REVIEWS = [
    "Clear, kind and practical.",
    "Exactly what I needed this month.",
    "Good session, a bit rushed.",
    "Insightful questions.",
]


def _status(k: int) -> BookingStatus:
    status = PLAN[k % 10]
    return BookingStatus.EXPIRED if status == BookingStatus.HELD and k >= 20 else status


def _starts_at(k: int, status: BookingStatus, coach: CoachProfile, today: datetime) -> datetime:
    future = status in (BookingStatus.CONFIRMED, BookingStatus.HELD)
    days = 2 + k // 2 if future else -(3 + k)
    local_day = (today + timedelta(days=days)).date()
    return datetime.combine(local_day, time(10 + k % 4), tzinfo=ZoneInfo(coach.timezone)).astimezone(UTC)


def _pay(k: int, booking: Booking, status: PaymentStatus, finance: User) -> Payment:
    payment = Payment(
        booking_id=booking.id,
        client_id=booking.client_id,
        coach_id=booking.coach_id,
        amount=booking.amount,
        currency=booking.currency,
        amount_refunded=0,
        status=status,
        gateway="offline",
        provider_intent_id=f"offline_pi_demo_{k:03d}",
        idempotency_key=f"demo-payment-{k:03d}",
        created_at=booking.created_at,
    )
    if status == PaymentStatus.SUCCEEDED:
        payment.provider_charge_id = f"offline_ch_demo_{k:03d}"
        payment.fee_amount = round(booking.amount * 0.029) + 30
        payment.succeeded_at = booking.confirmed_at
    db.session.add(payment)
    db.session.flush()
    if booking.status == BookingStatus.CANCELLED:
        full = (k // 10) % 2 == 0
        amount = booking.amount if full else booking.amount // 2
        refund = Refund(
            payment_id=payment.id,
            amount=amount,
            currency=payment.currency,
            reason=RefundReason.SESSION_CANCELLED if full else RefundReason.GOODWILL,
            note="Cancelled within the policy." if full else "Half refunded as a goodwill gesture.",
            status=RefundStatus.SUCCEEDED,
            idempotency_key=f"demo-refund-{k:03d}",
            provider_refund_id=f"offline_re_demo_{k:03d}",
            requested_by_id=finance.id,
            succeeded_at=booking.cancelled_at,
            created_at=booking.cancelled_at,
        )
        db.session.add(refund)
        payment.amount_refunded = amount  # kept in step with the succeeded refund
        _audit_refund(refund, payment, finance)
    return payment


def _audit_refund(refund: Refund, payment: Payment, finance: User) -> None:
    """The audit rows a refund made through the service has: requested by finance, then succeeded."""
    after = {**snapshot(refund), "payment_id": payment.id}
    at = refund.created_at
    audit.record(finance, "refund.requested", refund, after={**after, "status": "pending"}, at=at)
    audit.record(finance, "refund.succeeded", refund, before={"status": "sending"}, after=after, at=at)


def seed_bookings(coaches: list[CoachProfile], clients: list[User], finance: User) -> None:
    """Create the missing demo bookings with payments, refunds and reviews; refresh coach ratings."""
    rng = random.Random(42)
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    now = datetime.now(UTC)
    rated: set[int] = set()
    for k in range(BOOKING_COUNT):
        coach, client = coaches[k % 20], clients[k % len(clients)]
        review_text, stars = rng.choice(REVIEWS), rng.choice([4, 5, 5, 3])
        if db.session.scalar(sa.select(Payment.id).where(Payment.idempotency_key == f"demo-payment-{k:03d}")):
            continue
        session_type = db.session.scalars(
            sa.select(SessionType).where(SessionType.coach_id == coach.id).order_by(SessionType.duration_minutes.desc())
        ).first()
        status = _status(k)
        starts = _starts_at(k, status, coach, today)
        created = min(starts - timedelta(days=7), now - timedelta(days=1))
        booking = Booking(
            client_id=client.id,
            coach_id=coach.id,
            session_type_id=session_type.id,
            starts_at=starts,
            ends_at=starts + timedelta(minutes=session_type.duration_minutes),
            status=status,
            amount=session_type.price_amount,
            currency=session_type.currency,
            created_at=created,
        )
        if status == BookingStatus.HELD:
            booking.created_at = now - timedelta(minutes=2)
            booking.hold_expires_at = now + timedelta(minutes=13)
        elif status == BookingStatus.EXPIRED:
            booking.hold_expires_at = created + timedelta(minutes=15)
        else:
            booking.confirmed_at = created + timedelta(minutes=4)
        if status == BookingStatus.COMPLETED:
            booking.completed_at = booking.ends_at + timedelta(minutes=30)
        if status == BookingStatus.CANCELLED:
            booking.cancelled_at, booking.cancelled_by_id = created + timedelta(days=2), client.id
            booking.cancel_reason = "Something came up at work."
        db.session.add(booking)
        db.session.flush()
        _pay(k, booking, PAYMENT_STATUS[status], finance)
        if status == BookingStatus.COMPLETED and k % 3 == 0:
            db.session.add(Review(booking_id=booking.id, coach_id=coach.id, client_id=client.id, rating=stars,
                                  body=review_text, created_at=booking.completed_at + timedelta(hours=5)))  # fmt: skip
            rated.add(coach.id)
    db.session.flush()
    for coach in coaches:
        if coach.id in rated:
            avg, count = db.session.execute(
                sa.select(sa.func.avg(Review.rating), sa.func.count()).where(Review.coach_id == coach.id)
            ).one()
            coach.rating_avg, coach.rating_count = round(avg, 2), count
