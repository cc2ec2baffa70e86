"""The offline gateway for `make run` and tests: behaves like Stripe's test mode, moves no money.

Stripe's test payment methods (and their card numbers) decide the outcome; ids are derived
from the idempotency key, so a retried call answers the same object, as Stripe does.
"""

from __future__ import annotations

import hashlib

from app.payments.gateways import GatewayError, IntentResult, RefundResult, SavedMethod

# payment method -> (outcome, message shown to the client)
TEST_METHODS: dict[str, tuple[str, str | None]] = {
    "pm_card_visa": ("succeeded", None),
    "pm_card_mastercard": ("succeeded", None),
    "pm_card_chargeDeclined": ("declined", "Your card was declined."),
    "pm_card_chargeCustomerFail": ("declined", "Your card was declined."),
    "pm_card_chargeDeclinedInsufficientFunds": ("declined", "Your card has insufficient funds."),
    "pm_card_chargeDeclinedExpiredCard": ("declined", "Your card has expired."),
    "pm_card_authenticationRequired": ("requires_action", None),
}
# Stripe's message when the cardholder fails 3-D Secure.
AUTHENTICATION_FAILED = (
    "We are unable to authenticate your payment method. Please choose a different payment method and try again."
)
# Stripe's test card numbers map onto the same methods.
TEST_CARD_NUMBERS = {
    "4242424242424242": "pm_card_visa",
    "5555555555554444": "pm_card_mastercard",
    "4000000000000002": "pm_card_chargeDeclined",
    "4000000000009995": "pm_card_chargeDeclinedInsufficientFunds",
    "4000000000000069": "pm_card_chargeDeclinedExpiredCard",
    "4000002500003155": "pm_card_authenticationRequired",
}
# What the checkout page offers in test mode.
TEST_CARD_CHOICES = [
    ("pm_card_visa", "Visa 4242 4242 4242 4242 — succeeds"),
    ("pm_card_chargeDeclined", "4000 0000 0000 0002 — declined"),
    ("pm_card_chargeDeclinedInsufficientFunds", "4000 0000 0000 9995 — insufficient funds"),
    ("pm_card_authenticationRequired", "4000 0025 0000 3155 — needs authentication"),
]


def _id(prefix: str, key: str) -> str:
    return f"{prefix}_offline_{hashlib.sha256(key.encode()).hexdigest()[:20]}"


class OfflineGateway:
    """Stripe test mode without the network; labelled as test mode wherever it is used."""

    name = "offline"

    def create_intent(self, amount: int, currency: str, *, idempotency_key: str, metadata: dict) -> IntentResult:
        """A new intent awaiting a payment method."""
        intent_id = _id("pi", idempotency_key)
        return IntentResult(intent_id, "requires_payment_method", client_secret=f"{intent_id}_secret_offline")

    def confirm_intent(self, intent_id: str, payment_method: str, *, idempotency_key: str) -> IntentResult:
        """Succeed, decline or ask for authentication, as Stripe's test method would."""
        method = TEST_CARD_NUMBERS.get(payment_method.replace(" ", ""), payment_method)
        if method not in TEST_METHODS:
            raise GatewayError(
                "Unknown test payment method; use one of Stripe's test cards such as pm_card_visa.",
                code="unknown_payment_method",
            )
        outcome, message = TEST_METHODS[method]
        if outcome == "succeeded":
            return IntentResult(intent_id, "succeeded", charge_id=_id("ch", intent_id))
        if outcome == "requires_action":
            return IntentResult(intent_id, "requires_action")
        return IntentResult(intent_id, "requires_payment_method", failure_message=message)

    def complete_test_authentication(self, intent_id: str, approve: bool) -> IntentResult:
        """The answer of Stripe's test 3-D Secure page: Complete succeeds, Fail declines."""
        if approve:
            return IntentResult(intent_id, "succeeded", charge_id=_id("ch", intent_id))
        return IntentResult(intent_id, "requires_payment_method", failure_message=AUTHENTICATION_FAILED)

    def retrieve_intent(self, intent_id: str) -> IntentResult:
        """Offline intents keep no state of their own; our Payment row is the record."""
        return IntentResult(intent_id, "requires_payment_method")

    def cancel_intent(self, intent_id: str) -> IntentResult:
        """An offline intent can always be cancelled."""
        return IntentResult(intent_id, "canceled")

    def create_refund(
        self, intent_id: str, amount: int, *, currency: str, reason: str, idempotency_key: str, metadata: dict
    ) -> RefundResult:
        """Refunds always succeed at once in test mode."""
        return RefundResult(_id("re", idempotency_key), "succeeded")

    def find_refund(self, intent_id: str, refund_id: int) -> RefundResult | None:
        """Offline refunds keep no state: none is found, and a resend answers the same id."""
        return None

    def retrieve_refund(self, provider_refund_id: str) -> RefundResult | None:
        """Offline refunds keep no state to read back."""
        return None

    def saved_methods(self, email: str) -> list[SavedMethod]:
        """The test cards, as if saved."""
        return [
            SavedMethod("pm_card_visa", "visa", "4242", 12, 2034, {"test_mode": True}),
            SavedMethod("pm_card_mastercard", "mastercard", "4444", 12, 2034, {"test_mode": True}),
        ]
