"""Payment gateways: one interface, two adapters (Stripe and the offline test-mode gateway)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from flask import current_app


class GatewayError(Exception):
    """The provider refused or failed a call; `message` is safe to show to the user."""

    def __init__(self, message: str, *, code: str = "gateway_error"):
        super().__init__(message)
        self.message = message
        self.code = code


class OutcomeUnknown(GatewayError):
    """No answer (timeout, dropped connection, provider 5xx): the call may or may not have taken effect."""

    def __init__(self, message: str = "The payment provider did not answer; the outcome is not known yet."):
        super().__init__(message, code="outcome_unknown")


@dataclass
class IntentResult:
    """A PaymentIntent as our services need it; status uses Stripe's names."""

    id: str
    status: str  # requires_payment_method | requires_confirmation | requires_action | processing | succeeded | canceled
    client_secret: str | None = None
    charge_id: str | None = None
    failure_message: str | None = None
    amount: int | None = None  # our minor units, when the provider said
    currency: str | None = None


@dataclass
class RefundResult:
    """A provider refund; status pending | succeeded | failed | canceled."""

    id: str
    status: str
    failure_message: str | None = None
    amount: int | None = None  # our minor units, when the provider said
    refund_id: int | None = None  # our refund row, from the refund's metadata


@dataclass
class SavedMethod:
    """A saved card, for GET /api/payments/methods."""

    id: str
    brand: str
    last4: str
    exp_month: int | None = None
    exp_year: int | None = None
    extra: dict = field(default_factory=dict)


class PaymentGateway(Protocol):
    """What every gateway offers; each call that creates something takes an idempotency key."""

    name: str

    def create_intent(self, amount: int, currency: str, *, idempotency_key: str, metadata: dict) -> IntentResult: ...
    def confirm_intent(self, intent_id: str, payment_method: str, *, idempotency_key: str) -> IntentResult: ...
    def retrieve_intent(self, intent_id: str) -> IntentResult: ...
    def cancel_intent(self, intent_id: str) -> IntentResult: ...
    def create_refund(
        self, intent_id: str, amount: int, *, currency: str, reason: str, idempotency_key: str, metadata: dict
    ) -> RefundResult: ...
    def find_refund(self, intent_id: str, refund_id: int) -> RefundResult | None: ...
    def retrieve_refund(self, provider_refund_id: str) -> RefundResult | None: ...
    def saved_methods(self, email: str) -> list[SavedMethod]: ...


def build_gateway(config) -> PaymentGateway:
    """StripeGateway when PAYMENT_GATEWAY=stripe, else the offline gateway."""
    if config.get("PAYMENT_GATEWAY") == "stripe":
        from app.payments.gateways.stripe_gateway import StripeGateway

        return StripeGateway(
            config["STRIPE_SECRET_KEY"] or "",
            api_base=config.get("STRIPE_API_BASE"),
            timeout=config.get("STRIPE_TIMEOUT_SECONDS", 30),
        )
    from app.payments.gateways.offline import OfflineGateway

    return OfflineGateway()


def gateway() -> PaymentGateway:
    """The current app's gateway (built once per app, rebuilt when the config changes)."""
    config = current_app.config
    key = (config.get("PAYMENT_GATEWAY"), config.get("STRIPE_API_BASE"), config.get("STRIPE_TIMEOUT_SECONDS"))
    cached = current_app.extensions.get("payment_gateway")
    if cached is None or cached[0] != key:
        cached = (key, build_gateway(current_app.config))
        current_app.extensions["payment_gateway"] = cached
    return cached[1]


def gateway_for(name: str) -> PaymentGateway:
    """The adapter that made a payment (a test-mode payment is never refunded at Stripe)."""
    current = gateway()
    if current.name == name:
        return current
    return build_gateway({**current_app.config, "PAYMENT_GATEWAY": name})


def is_test_mode() -> bool:
    """True unless money really moves: the offline gateway, or Stripe with a test key."""
    config = current_app.config
    return config["PAYMENT_GATEWAY"] != "stripe" or (config.get("STRIPE_SECRET_KEY") or "").startswith("sk_test")
