"""Before a run-out hold expires, ask the provider about its open intents (issue 16, 7).

A payment that succeeded at Stripe whose event is still on its way (a webhook backlog, a worker
down) must not lose its slot to the hold expiry: the success is recorded now, the usual way
(`services.apply_intent_result`: audit, mail, `payment_succeeded`, so Booking confirms), and the
hold is kept. A provider that cannot be asked keeps the hold until the next try.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa

from app.booking.signals import HOLD_PAID, HOLD_UNKNOWN
from app.extensions import db
from app.payments.gateways import GatewayError, gateway_for
from app.payments.models import Payment, PaymentStatus
from app.payments.services import apply_intent_result, lock_payment
from app.payments.stray_payments import CANCELLABLE

log = logging.getLogger(__name__)


def check_hold_before_expiry(booking) -> str | None:
    """HOLD_PAID when one of the booking's open intents succeeded (recorded now), HOLD_UNKNOWN when
    the provider did not answer, None when the hold may expire (receiver of `hold_expiring`)."""
    rows = db.session.execute(
        sa.select(Payment.id, Payment.gateway, Payment.provider_intent_id).where(
            Payment.booking_id == booking.id,
            Payment.status.in_(CANCELLABLE),
            Payment.provider_intent_id.is_not(None),
        )
    ).all()
    for payment_id, gateway_name, intent_id in rows:
        try:
            result = gateway_for(gateway_name).retrieve_intent(intent_id)
        except GatewayError:
            log.warning("hold of booking %s kept: intent %s could not be read", booking.id, intent_id)
            return HOLD_UNKNOWN
        if result.status == "succeeded":
            log.info("hold of booking %s kept: intent %s succeeded at the provider", booking.id, intent_id)
            apply_intent_result(lock_payment(payment_id), result, None)
            if db.session.get(Payment, payment_id).status == PaymentStatus.SUCCEEDED:
                return HOLD_PAID
    return None
