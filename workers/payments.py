"""Payment jobs: close the intents a booking can no longer take."""

from app.payments import stray_payments
from workers.context import job


@job
def cancel_open_intents(booking_id: int, keep_payment_id: int | None = None) -> None:
    """Cancel the booking's open or declined intents at the provider (all but keep_payment_id)."""
    stray_payments.cancel_open_intents(booking_id, keep_payment_id)


@job
def reconcile_payments(days: int) -> int:
    """Compare the Stripe payments touched in the last `days` days with Stripe; returns new differences."""
    from app.payments.reconciliation import reconcile_payments as reconcile

    return reconcile(days)
