"""A hold never expires while its payment has succeeded at Stripe (issue 16, 7): the event may be
stuck behind a backlog or a dead worker; the expiry (the clock's, or another client's booking of
the slot) reads the hold's open intents from Stripe first and keeps a paid slot."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.booking import services as booking_services
from app.booking.models import Booking, BookingStatus
from app.core.db import utcnow
from app.core.errors import Conflict
from app.core.models import AuditLog
from app.extensions import db
from app.payments import services
from app.payments.gateways import gateway_for
from app.payments.models import Payment, PaymentStatus, Refund
from tests.booking.helpers import first_slot
from tests.factories import UserFactory
from tests.factories.booking import bookable_coach


def _paid_at_stripe_only():
    """A held booking whose intent succeeded at localstripe, our books not yet told; its hold ran out."""
    coach, session_type = bookable_coach()
    slot = first_slot(coach, session_type, after_hours=48)
    booking = booking_services.create_booking(UserFactory(), coach.id, session_type.id, slot.starts_at)
    intent = services.create_intent(booking.client, booking.id)
    result = gateway_for("stripe").confirm_intent(
        intent.payment.provider_intent_id, "pm_card_visa", idempotency_key=f"outside-{booking.id}"
    )
    assert result.status == "succeeded"
    booking = db.session.get(Booking, booking.id)
    booking.hold_expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    return booking, intent.payment.id


def _actions(booking_id):
    return db.session.scalars(
        sa.select(AuditLog.action)
        .where(AuditLog.object_type == "bookings", AuditLog.object_id == str(booking_id))
        .order_by(AuditLog.id)
    ).all()


def test_the_clock_keeps_a_hold_paid_at_stripe_and_the_booking_is_confirmed(stripe_app):
    booking, payment_id = _paid_at_stripe_only()
    assert booking_services.expire_holds() == 0
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status == BookingStatus.CONFIRMED
    assert db.session.get(Payment, payment_id).status == PaymentStatus.SUCCEEDED
    assert "booking.expire" not in _actions(booking.id)
    assert "booking.hold_kept" in _actions(booking.id)
    assert db.session.scalar(sa.select(sa.func.count(Refund.id))) == 0


def test_another_client_cannot_take_a_slot_paid_at_stripe(stripe_app):
    booking, payment_id = _paid_at_stripe_only()
    with pytest.raises(Conflict):
        booking_services.create_booking(UserFactory(), booking.coach_id, booking.session_type_id, booking.starts_at)
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status == BookingStatus.CONFIRMED
    assert db.session.scalar(sa.select(sa.func.count(Booking.id))) == 1
    assert db.session.scalar(sa.select(sa.func.count(Refund.id))) == 0


def test_an_unpaid_run_out_hold_still_expires(stripe_app):
    coach, session_type = bookable_coach()
    slot = first_slot(coach, session_type, after_hours=48)
    booking = booking_services.create_booking(UserFactory(), coach.id, session_type.id, slot.starts_at)
    services.create_intent(booking.client, booking.id)
    booking = db.session.get(Booking, booking.id)
    booking.hold_expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert booking_services.expire_holds() == 1
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status == BookingStatus.EXPIRED
