"""/metrics counts Stripe API errors by operation and error class, from web and job processes alike."""

from __future__ import annotations

import pytest

from app.payments.gateways import GatewayError, OutcomeUnknown
from app.payments.gateways.stripe_gateway import StripeGateway
from tests.ops.test_metrics import _samples
from tests.services import free_port

SERIES = "coach_connect_stripe_api_errors_total"


def _errors(client) -> dict[tuple, float]:
    return {labels: value for (name, labels), value in _samples(client).items() if name == SERIES}


def _unreachable() -> StripeGateway:
    """A gateway whose API address has nothing listening (every call: APIConnectionError)."""
    return StripeGateway("sk_test_metrics", api_base=f"http://127.0.0.1:{free_port()}", timeout=1)


def test_a_refund_stripe_did_not_answer_is_counted_in_redis(client, rq_jobs):
    assert _errors(client) == {}
    with pytest.raises(OutcomeUnknown):
        _unreachable().create_refund(
            "pi_x", 500, currency="EUR", reason="requested_by_customer", idempotency_key="k", metadata={}
        )
    assert _errors(client) == {(("error", "APIConnectionError"), ("operation", "create_refund")): 1.0}
    # kept in Redis: a refund job's work horse and every web worker add to the same count
    assert rq_jobs.connection.hgetall("coach_connect:metrics:counter:stripe_api_errors") == {
        b"create_refund\x1fAPIConnectionError": b"1"
    }


def test_without_redis_the_process_counts_them(client):
    key = (("error", "APIConnectionError"), ("operation", "retrieve_intent"))
    before = _errors(client).get(key, 0.0)
    with pytest.raises(GatewayError):
        _unreachable().retrieve_intent("pi_x")
    assert _errors(client)[key] == before + 1


def test_expected_answers_and_card_declines_are_not_errors(client, rq_jobs, localstripe_url):
    gateway = StripeGateway("sk_test_metrics", api_base=localstripe_url, timeout=5)
    assert gateway.retrieve_refund("re_does_not_exist") is None  # Stripe's 404 is an answer
    intent = gateway.create_intent(5000, "EUR", idempotency_key="metrics-decline", metadata={})
    declined = gateway.confirm_intent(intent.id, "pm_card_chargeCustomerFail", idempotency_key="metrics-confirm")
    assert declined.failure_message  # a failed payment, counted as such in coach_connect_payments
    assert _errors(client) == {}
