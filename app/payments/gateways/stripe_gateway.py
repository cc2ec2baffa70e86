"""The Stripe gateway: PaymentIntents and Refunds through the official library (StripeClient).

STRIPE_API_BASE points it at localstripe in tests. Every create carries an idempotency key
derived from our own record, so a retried call never charges or refunds twice.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

import stripe

from app.core import event_counters
from app.core.money import MoneyError, from_provider, to_provider
from app.payments.gateways import GatewayError, IntentResult, OutcomeUnknown, RefundResult, SavedMethod
from app.payments.gateways.offline import TEST_METHODS

log = logging.getLogger(__name__)

STRIPE_REFUND_REASONS = frozenset({"duplicate", "fraudulent", "requested_by_customer"})
# Stripe's standard test payment methods that localstripe does not know (it answers 404 "Not
# Found"): against a stand-in they are made there from a card number that behaves the same way
# (localstripe declines charges only on 4000 0000 0000 0341), and a decline shows Stripe's own
# message for that test card (the offline gateway's table).
STAND_IN_CARDS = {
    "pm_card_mastercard": "5555555555554444",
    "pm_card_chargeDeclined": "4000000000000341",
    "pm_card_chargeDeclinedInsufficientFunds": "4000000000000341",
    "pm_card_chargeDeclinedExpiredCard": "4000000000000341",
    "pm_card_authenticationRequired": "4000002500003155",
}
UNUSABLE_METHOD = "This card cannot be used. Please try another card."


def _charge_id(intent) -> str | None:
    latest = getattr(intent, "latest_charge", None)
    if latest is None:
        return None
    return latest if isinstance(latest, str) else latest.id


def _intent(intent) -> IntentResult:
    error = getattr(intent, "last_payment_error", None)
    message = getattr(error, "message", None) if error else None
    currency = (getattr(intent, "currency", None) or "").upper() or None
    amount = getattr(intent, "amount", None)
    amount = from_provider(amount, currency) if amount is not None and currency else None
    return IntentResult(intent.id, intent.status, intent.client_secret, _charge_id(intent), message, amount, currency)


def _metadata(obj) -> dict:
    meta = getattr(obj, "metadata", None)
    return meta.to_dict() if hasattr(meta, "to_dict") else dict(meta or {})


def _provider_amount(amount: int, currency: str) -> int:
    """Our ISO 4217 minor units in Stripe's units; an amount Stripe cannot take is refused here."""
    try:
        return to_provider(amount, currency)
    except MoneyError as exc:
        raise GatewayError(str(exc), code="invalid_amount") from exc


def _refund(refund) -> RefundResult:
    currency = (getattr(refund, "currency", None) or "").upper()
    amount = getattr(refund, "amount", None)
    ours = _metadata(refund).get("refund_id")
    return RefundResult(
        refund.id,
        refund.status,
        getattr(refund, "failure_reason", None),
        from_provider(amount, currency) if amount is not None and currency else None,
        int(ours) if ours and str(ours).isdigit() else None,
    )


@contextlib.contextmanager
def _counted(operation: str, expected: tuple[type[Exception], ...] = ()) -> Iterator[None]:
    """Count a Stripe error leaving the block on /metrics (not card declines, not `expected` answers)."""
    try:
        yield
    except stripe.StripeError as exc:
        if not isinstance(exc, (stripe.CardError, *expected)):
            event_counters.count("stripe_api_errors", operation=operation, error=type(exc).__name__)
        raise


class StripeGateway:
    """Stripe through StripeClient; `api_base` overrides the API address (localstripe)."""

    name = "stripe"

    def __init__(self, secret_key: str, api_base: str | None = None, timeout: float = 30):
        options = {"base_addresses": {"api": api_base}} if api_base else {}
        self.client = stripe.StripeClient(
            secret_key, max_network_retries=2, http_client=stripe.RequestsClient(timeout=timeout), **options
        )
        # Refunds are never re-sent blindly: a lost answer is read back first (find_refund), so the
        # library does not retry them (localstripe, unlike Stripe, ignores the idempotency key).
        self.refund_client = stripe.StripeClient(
            secret_key, max_network_retries=0, http_client=stripe.RequestsClient(timeout=timeout), **options
        )
        # localstripe rejects `reason` on refunds; real Stripe gets it (ours travel in metadata too).
        self.send_refund_reason = not api_base
        self.stand_in = bool(api_base) and secret_key.startswith("sk_test_")

    def _method_at_provider(self, payment_method: str) -> str:
        """The payment method id to send: a stand-in's own copy of a standard test method it lacks."""
        number = STAND_IN_CARDS.get(payment_method) if self.stand_in else None
        if number is None:
            return payment_method
        card = {"number": number, "exp_month": 12, "exp_year": 2034, "cvc": "123"}
        return self.client.v1.payment_methods.create(params={"type": "card", "card": card}).id

    def create_intent(self, amount: int, currency: str, *, idempotency_key: str, metadata: dict) -> IntentResult:
        """A PaymentIntent for card payments (our minor units converted to Stripe's)."""
        try:
            with _counted("create_intent"):
                intent = self.client.v1.payment_intents.create(
                    params={
                        "amount": _provider_amount(amount, currency),
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
            with _counted("confirm_intent"):
                method = self._method_at_provider(payment_method)
                self.client.v1.payment_intents.update(intent_id, params={"payment_method": method})
                intent = self.client.v1.payment_intents.confirm(intent_id, options={"idempotency_key": idempotency_key})
        except stripe.CardError as exc:
            intent = self.client.v1.payment_intents.retrieve(intent_id)
            result = _intent(intent)
            stand_in_message = TEST_METHODS.get(payment_method, (None, None))[1] if self.stand_in else None
            result.failure_message = stand_in_message or exc.user_message or "Your card was declined."
            return result
        except stripe.InvalidRequestError as exc:
            # An unknown payment method is Stripe's 404 ("No such PaymentMethod", localstripe's "Not
            # Found"): words for the client, not the API's.
            message = UNUSABLE_METHOD if exc.http_status == 404 else exc.user_message or UNUSABLE_METHOD
            raise GatewayError(message, code="invalid") from exc
        except stripe.StripeError as exc:
            log.warning("stripe confirm failed: %s", exc)
            raise GatewayError("The payment provider is not available; please try again.") from exc
        return _intent(intent)

    def retrieve_intent(self, intent_id: str) -> IntentResult:
        """The intent's current state at Stripe."""
        try:
            with _counted("retrieve_intent"):
                return _intent(self.client.v1.payment_intents.retrieve(intent_id))
        except stripe.StripeError as exc:
            raise GatewayError("The payment provider is not available; please try again.") from exc

    def cancel_intent(self, intent_id: str) -> IntentResult:
        """Cancel an open intent; one that already succeeded (or cannot be cancelled) is read back instead."""
        try:
            with _counted("cancel_intent", expected=(stripe.InvalidRequestError,)):
                return _intent(self.client.v1.payment_intents.cancel(intent_id))
        except stripe.InvalidRequestError:
            return self.retrieve_intent(intent_id)
        except stripe.StripeError as exc:
            raise GatewayError("The payment provider is not available; please try again.") from exc

    def create_refund(
        self, intent_id: str, amount: int, *, currency: str, reason: str, idempotency_key: str, metadata: dict
    ) -> RefundResult:
        """A refund of `amount` (always explicit: without it Stripe refunds the whole charge)."""
        params = {
            "payment_intent": intent_id,
            "amount": _provider_amount(amount, currency),
            "metadata": {**{k: str(v) for k, v in metadata.items()}, "reason": reason},
        }
        if self.send_refund_reason and reason in STRIPE_REFUND_REASONS:
            params["reason"] = reason
        try:
            with _counted("create_refund"):
                refund = self.refund_client.v1.refunds.create(
                    params=params, options={"idempotency_key": idempotency_key}
                )
        except (stripe.APIConnectionError, stripe.APIError, stripe.RateLimitError) as exc:
            log.warning("stripe refund outcome unknown: %s", exc)
            raise OutcomeUnknown() from exc
        except stripe.InvalidRequestError as exc:
            raise GatewayError(exc.user_message or str(exc), code=exc.code or "invalid") from exc
        except stripe.StripeError as exc:
            log.warning("stripe refund failed: %s", exc)
            raise GatewayError("The payment provider is not available; please try again.") from exc
        return _refund(refund)

    def find_refund(self, intent_id: str, refund_id: int) -> RefundResult | None:
        """The provider's refund made for our refund row (metadata refund_id), read back from the intent's refunds."""
        try:
            with _counted("find_refund"):
                page = self.refund_client.v1.refunds.list(params={"payment_intent": intent_id, "limit": 100})
        except stripe.StripeError as exc:
            raise OutcomeUnknown("The payment provider could not be read back; trying again later.") from exc
        mine = [r for r in page.data if _metadata(r).get("refund_id") == str(refund_id)]
        if len(mine) > 1:
            log.error("refund %s exists %d times at the provider: %s", refund_id, len(mine), [r.id for r in mine])
        return _refund(mine[0]) if mine else None

    def list_refunds(self, intent_id: str) -> list[RefundResult]:
        """Every refund Stripe holds for the intent (reconciliation)."""
        try:
            with _counted("list_refunds"):
                page = self.refund_client.v1.refunds.list(params={"payment_intent": intent_id, "limit": 100})
        except stripe.StripeError as exc:
            raise OutcomeUnknown("The payment provider could not be read; trying again later.") from exc
        return [_refund(r) for r in page.data]

    def retrieve_refund(self, provider_refund_id: str) -> RefundResult | None:
        """The refund's current state at Stripe (None when Stripe does not know the id)."""
        try:
            with _counted("retrieve_refund", expected=(stripe.InvalidRequestError,)):
                return _refund(self.refund_client.v1.refunds.retrieve(provider_refund_id))
        except stripe.InvalidRequestError:
            return None
        except stripe.StripeError as exc:
            raise OutcomeUnknown("The payment provider could not be read back; trying again later.") from exc

    def saved_methods(self, email: str) -> list[SavedMethod]:
        """Cards saved on the Stripe customer with this e-mail, if any."""
        try:
            with _counted("saved_methods"):
                customers = self.client.v1.customers.list(params={"email": email, "limit": 1}).data
                if not customers:
                    return []
                methods = self.client.v1.payment_methods.list(params={"customer": customers[0].id, "type": "card"}).data
        except stripe.StripeError as exc:
            raise GatewayError("The payment provider is not available; please try again.") from exc
        return [SavedMethod(m.id, m.card.brand, m.card.last4, m.card.exp_month, m.card.exp_year) for m in methods]
