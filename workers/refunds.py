"""Refund jobs: submit a refund to the gateway; the cancellation policy's refund (Booking contract)."""

from app.payments import refund_sending, refunds, stray_payments
from workers.context import job


@job
def submit_refund(refund_id: int) -> None:
    """Send a pending refund to the gateway (idempotent)."""
    refund_sending.submit_refund(refund_id)


@job
def reconcile_refund(refund_id: int) -> None:
    """Read an unknown refund back from the gateway; send it again only if it is not there."""
    refund_sending.reconcile_refund(refund_id)


@job
def refund_cancelled_booking(booking_id: int, amount: int) -> None:
    """Refund `amount` of a cancelled booking's payment as the system (reason session_cancelled), once."""
    refunds.refund_for_cancellation(booking_id, amount)


@job
def refund_unusable_payment(payment_id: int) -> None:
    """Refund in full a payment its booking could not take (already paid, cancelled), once."""
    stray_payments.refund_unusable_payment(payment_id)
