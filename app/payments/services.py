"""Paying for a booking: create the intent, confirm it, and record success or failure.

Amounts always come from the booking (copied from the session type when booked). Every
gateway call that creates something carries an idempotency key derived from our own rows.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import sqlalchemy as sa

from app.analytics import tracking
from app.booking.models import Booking, BookingStatus
from app.core import audit
from app.core.db import utcnow
from app.core.effects import rollback, transaction
from app.core.errors import InvalidState, NotFound, ServiceError, ValidationFailed
from app.core.jobs import enqueue_after_commit
from app.core.mail import queue_mail
from app.core.money import format_money
from app.core.row_locks import lock_row
from app.extensions import db
from app.payments.gateways import GatewayError, IntentResult, gateway, gateway_for
from app.payments.models import Payment, PaymentStatus
from app.payments.signals import payment_succeeded

log = logging.getLogger(__name__)

OPEN_STATUSES = (PaymentStatus.REQUIRES_PAYMENT, PaymentStatus.REQUIRES_ACTION, PaymentStatus.PROCESSING)


class GatewayUnavailable(ServiceError):
    """The payment provider refused or could not be reached."""

    status = 502
    code = "gateway_error"


@dataclass
class CheckoutIntent:
    """A payment attempt and the secret the browser needs to confirm it."""

    payment: Payment
    client_secret: str | None


def lock_payment(payment_id: int) -> Payment | None:
    """The payment row, locked (SELECT ... FOR UPDATE) until the transaction ends."""
    return lock_row(Payment, payment_id)


def _snapshot(payment: Payment) -> dict:
    return {"status": payment.status.value, "amount": payment.amount, "amount_refunded": payment.amount_refunded}


def create_intent(actor, booking_id: int) -> CheckoutIntent:
    """Start (or resume) the payment of the actor's own held booking; one open attempt at a time."""
    try:
        with transaction():
            booking = lock_row(Booking, booking_id)
            if booking is None or booking.client_id != getattr(actor, "id", None):
                raise NotFound("No such booking.")
            _check_payable(booking)
            attempts = list(
                db.session.scalars(sa.select(Payment).where(Payment.booking_id == booking.id).order_by(Payment.id))
            )
            if any(p.status == PaymentStatus.SUCCEEDED for p in attempts):
                raise InvalidState("This booking is already paid.")
            open_attempts = [p for p in attempts if p.status in OPEN_STATUSES]
            gw = gateway()
            if open_attempts:
                payment = open_attempts[-1]
                secret = _client_secret(payment)
                rollback()  # nothing changed; release the lock
                return CheckoutIntent(payment, secret)
            payment = Payment(
                booking_id=booking.id,
                client_id=booking.client_id,
                coach_id=booking.coach_id,
                amount=booking.amount,
                currency=booking.currency.upper(),
                gateway=gw.name,
                status=PaymentStatus.REQUIRES_PAYMENT,
                idempotency_key=f"booking-{booking.id}-attempt-{len(attempts) + 1}",
            )
            db.session.add(payment)
            db.session.flush()
            result = gw.create_intent(
                payment.amount,
                payment.currency,
                idempotency_key=payment.idempotency_key,
                metadata={"payment_id": payment.id, "booking_id": booking.id},
            )
            payment.provider_intent_id = result.id
            audit.record(actor, "payment.intent_created", payment, after={**_snapshot(payment), "intent": result.id})
            if attempts:  # an earlier declined attempt is still confirmable at Stripe: close it
                enqueue_after_commit("workers.payments.cancel_open_intents", booking.id, payment.id, queue="payments")
            return CheckoutIntent(payment, result.client_secret)
    except GatewayError as exc:
        raise GatewayUnavailable(exc.message) from exc


def _check_payable(booking: Booking) -> None:
    """Raise the booking's reason it cannot be paid now (Booking.payment_refusal)."""
    refusal = booking.payment_refusal(utcnow())
    if refusal is not None:
        raise refusal


def _client_secret(payment: Payment) -> str | None:
    if payment.gateway == "offline":
        return f"{payment.provider_intent_id}_secret_offline"
    return gateway_for(payment.gateway).retrieve_intent(payment.provider_intent_id).client_secret


def confirm_payment(actor, payment_id: int, payment_method: str | None) -> Payment:
    """Confirm the actor's own payment with a payment method (or sync it after Stripe.js confirmed it)."""
    try:
        with transaction():
            payment = lock_payment(payment_id)
            if payment is None or payment.client_id != getattr(actor, "id", None):
                raise NotFound("No such payment.")
            if payment.status == PaymentStatus.SUCCEEDED:
                rollback()
                return payment
            if payment.status not in OPEN_STATUSES:
                raise InvalidState("This payment attempt is over; start a new one from the booking.")
            _check_payable(payment.booking)
            gw = gateway_for(payment.gateway)
            if payment_method:
                result = gw.confirm_intent(
                    payment.provider_intent_id,
                    payment_method,
                    idempotency_key=f"{payment.idempotency_key}-confirm-{payment_method}"[:255],
                )
            elif payment.gateway == "offline":
                raise ValidationFailed("Choose a test card.", fields={"payment_method": "Choose a test card."})
            else:
                result = gw.retrieve_intent(payment.provider_intent_id)
            apply_intent_result(payment, result, actor)
            return payment
    except GatewayError as exc:
        raise ValidationFailed(exc.message, fields={"payment_method": exc.message}) from exc


def complete_test_authentication(actor, payment_id: int, approve: bool) -> Payment:
    """Test mode's 3-D Secure step: the client completes (paid) or fails (declined) the authentication."""
    with transaction():
        payment = lock_payment(payment_id)
        if payment is None or payment.client_id != getattr(actor, "id", None):
            raise NotFound("No such payment.")
        if payment.gateway != "offline" or payment.status != PaymentStatus.REQUIRES_ACTION:
            raise InvalidState("This payment is not waiting for authentication.")
        _check_payable(payment.booking)
        result = gateway_for("offline").complete_test_authentication(payment.provider_intent_id, approve)
        audit.record(actor, "payment.test_authentication", payment, after={"approved": approve})
        apply_intent_result(payment, result, actor)
    return payment


def apply_intent_result(payment: Payment, result: IntentResult, actor) -> None:
    """Bring the payment in step with the provider's intent (flushes, never commits)."""
    if result.status == "succeeded":
        mark_succeeded(payment, result.charge_id, actor)
    elif result.status == "canceled":
        mark_cancelled(payment, actor)
    elif result.failure_message:
        mark_failed(payment, result.failure_message, actor)
    elif result.status == "requires_action" and payment.status == PaymentStatus.REQUIRES_PAYMENT:
        payment.transition_to(PaymentStatus.REQUIRES_ACTION)
        payment.failure_message = "Your bank asks you to authenticate this payment."
        audit.record(actor, "payment.requires_action", payment, after=_snapshot(payment))
    elif result.status == "processing" and payment.status in (
        PaymentStatus.REQUIRES_PAYMENT,
        PaymentStatus.REQUIRES_ACTION,
    ):
        payment.transition_to(PaymentStatus.PROCESSING)
        audit.record(actor, "payment.processing", payment, after=_snapshot(payment))


def _lock_booking(booking_id: int) -> Booking:
    return lock_row(Booking, booking_id)


def unusable_reason(payment: Payment, booking: Booking) -> str | None:
    """Why a succeeded payment cannot pay for its booking (already paid by another attempt, or closed)."""
    other = db.session.scalar(
        sa.select(Payment.id).where(
            Payment.booking_id == booking.id, Payment.status == PaymentStatus.SUCCEEDED, Payment.id != payment.id
        )
    )
    if other is not None:
        return f"The booking was already paid by payment #{other}."
    if booking.status in (BookingStatus.CANCELLED, BookingStatus.COMPLETED):
        return f"The booking is {booking.status.value}."
    return None


def mark_succeeded(payment: Payment, charge_id: str | None, actor) -> bool:
    """Record a success once: audit, mail the client, signal `payment_succeeded` (Booking confirms).

    The booking is locked first, so two successes (or a success and a cancellation) are decided one
    after the other; a success the booking cannot take is refunded in full at once, automatically.
    """
    if payment.status == PaymentStatus.SUCCEEDED:
        if charge_id and not payment.provider_charge_id:
            payment.provider_charge_id = charge_id
        return False
    booking = _lock_booking(payment.booking_id)
    before = _snapshot(payment)
    payment.transition_to(PaymentStatus.SUCCEEDED)
    payment.succeeded_at = utcnow()
    payment.provider_charge_id = charge_id or payment.provider_charge_id
    payment.failure_message = None
    audit.record(actor, "payment.succeeded", payment, before=before, after=_snapshot(payment))
    reason = unusable_reason(payment, booking)
    if reason is not None:
        log.warning("payment %s succeeded for booking %s that cannot take it: %s", payment.id, booking.id, reason)
        audit.record(None, "payment.unusable", payment, after={**_snapshot(payment), "reason": reason})
        enqueue_after_commit("workers.refunds.refund_unusable_payment", payment.id, queue="payments")
        return True
    tracking.track(
        tracking.PAYMENT_SUCCEEDED,
        payment.client_id,
        payment.coach_id,
        currency=payment.currency,
        amount=payment.amount,
    )
    queue_mail(
        payment.client.email,
        "payment_succeeded",
        f"Payment received: {format_money(payment.amount, payment.currency)}",
        {"payment": payment, "client": payment.client},
    )
    payment_succeeded.send(payment)
    enqueue_after_commit("workers.payments.cancel_open_intents", payment.booking_id, payment.id, queue="payments")
    return True


def mark_failed(payment: Payment, message: str, actor) -> bool:
    """Record a failure with the provider's message; a succeeded payment is never marked failed."""
    if payment.status in (PaymentStatus.SUCCEEDED, PaymentStatus.FAILED, PaymentStatus.CANCELLED):
        return False
    before = _snapshot(payment)
    payment.transition_to(PaymentStatus.FAILED)
    payment.failure_message = message
    audit.record(actor, "payment.failed", payment, before=before, after={**_snapshot(payment), "message": message})
    queue_mail(
        payment.client.email,
        "payment_failed",
        "Your payment did not go through",
        {"payment": payment, "client": payment.client, "message": message},
    )
    return True


def mark_cancelled(payment: Payment, actor) -> bool:
    """The provider cancelled the intent (ours, for a booking that closed): nothing can be paid on it."""
    if payment.status not in (PaymentStatus.REQUIRES_PAYMENT, PaymentStatus.REQUIRES_ACTION, PaymentStatus.FAILED):
        return False
    before = _snapshot(payment)
    payment.transition_to(PaymentStatus.CANCELLED)
    payment.failure_message = "The payment was cancelled."
    audit.record(actor, "payment.cancelled", payment, before=before, after=_snapshot(payment))
    return True


def payment_for_client(actor, payment_id: int) -> Payment:
    """The actor's own payment, else NotFound."""
    payment = db.session.get(Payment, payment_id)
    if payment is None or payment.client_id != getattr(actor, "id", None):
        raise NotFound("No such payment.")
    return payment
