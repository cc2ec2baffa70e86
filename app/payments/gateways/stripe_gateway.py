"""The Stripe gateway: PaymentIntents and Refunds through the official library (StripeClient).

STRIPE_API_BASE points it at localstripe in tests. Every create carries an idempotency key
derived from our own record, so a retried call never charges or refunds twice.
"""

from __future__ import annotations

import logging

import stripe

from app.payments.gateways import GatewayError, IntentResult, RefundResult, SavedMethod

log = logging.getLogger(__name__)

STRIPE_REFUND_REASONS = frozenset({"duplicate", "fraudulent", "requested_by_customer"})


def _charge_id(intent) -> str | None:
    latest = getattr(intent, "latest_charge", None)
    if latest is None:
        return None
    return latest if isinstance(latest, str) else latest.id


def _intent(intent) -> IntentResult:
    error = getattr(intent, "last_payment_error", None)
    message = getattr(error, "message", None) if error else None
    return IntentResult(intent.id, intent.status, intent.client_secret, _charge_id(intent), message)


class StripeGateway:
    """Stripe through StripeClient; `api_base` overrides the API address (localstripe)."""

    name = "stripe"

    def __init__(self, secret_key: str, api_base: str | None = None):
        options = {"base_addresses": {"api": api_base}} if api_base else {}
        self.client = stripe.StripeClient(secret_key, max_network_retries=2, **options)
        # localstripe rejects `reason` on refunds; real Stripe gets it (ours travel in metadata too).
        self.send_refund_reason = not api_base

    def create_intent(self, amount: int, currency: str, *, idempotency_key: str, metadata: dict) -> IntentResult:
        """A PaymentIntent for card payments."""
        try:
            intent = self.client.v1.payment_intents.create(
                params={
                    "amount": amount,
                    "currency": currency.lower(),
                    "payment_method_types": ["card"],
                    "metadata": {k: str(v) for k, v in metadata.items()},
                },
                options={"idempotency_key": idempotency_key},
            )
        except stripe.StripeError as exc:
            log.warning("stripe create_intent failed: %s", exc)
            raise GatewayError("The payment provider is not available; please try again.") from exc
        return _intent(intent)

    def confirm_intent(self, intent_id: str, payment_method: str, *, idempotency_key: str) -> IntentResult:
        """Attach the payment method, then confirm; a decline comes back as a failure message."""
        try:
            self.client.v1.payment_intents.update(intent_id, params={"payment_method": payment_method})
            intent = self.client.v1.payment_intents.confirm(intent_id, options={"idempotency_key": idempotency_key})
        except stripe.CardError as exc:
            intent = self.client.v1.payment_intents.retrieve(intent_id)
            result = _intent(intent)
            result.failure_message = exc.user_message or "Your card was declined."
            return result
        except stripe.InvalidRequestError as exc:
            raise GatewayError(exc.user_message or "This payment method cannot be used.", code="invalid") from exc
        except stripe.StripeError as exc:
            log.warning("stripe confirm failed: %s", exc)
            raise GatewayError("The payment provider is not available; please try again.") from exc
        return _intent(intent)

    def retrieve_intent(self, intent_id: str) -> IntentResult:
        """The intent's current state at Stripe."""
        try:
            return _intent(self.client.v1.payment_intents.retrieve(intent_id))
        except stripe.StripeError as exc:
            raise GatewayError("The payment provider is not available; please try again.") from exc

    def create_refund(
        self, intent_id: str, amount: int, *, reason: str, idempotency_key: str, metadata: dict
    ) -> RefundResult:
        """A refund of `amount` (always explicit: without it Stripe refunds the whole charge)."""
        params = {
            "payment_intent": intent_id,
            "amount": amount,
            "metadata": {**{k: str(v) for k, v in metadata.items()}, "reason": reason},
        }
        if self.send_refund_reason and reason in STRIPE_REFUND_REASONS:
            params["reason"] = reason
        try:
            refund = self.client.v1.refunds.create(params=params, options={"idempotency_key": idempotency_key})
        except stripe.InvalidRequestError as exc:
            raise GatewayError(exc.user_message or str(exc), code=exc.code or "invalid") from exc
        except stripe.StripeError as exc:
            log.warning("stripe refund failed: %s", exc)
            raise GatewayError("The payment provider is not available; please try again.") from exc
        return RefundResult(refund.id, refund.status, getattr(refund, "failure_reason", None))

    def saved_methods(self, email: str) -> list[SavedMethod]:
        """Cards saved on the Stripe customer with this e-mail, if any."""
        try:
            customers = self.client.v1.customers.list(params={"email": email, "limit": 1}).data
            if not customers:
                return []
            methods = self.client.v1.payment_methods.list(params={"customer": customers[0].id, "type": "card"}).data
        except stripe.StripeError as exc:
            raise GatewayError("The payment provider is not available; please try again.") from exc
        return [SavedMethod(m.id, m.card.brand, m.card.last4, m.card.exp_month, m.card.exp_year) for m in methods]
