"""JSON API: create-intent, confirm, refund (finance) and saved payment methods."""

from __future__ import annotations

from flask import jsonify, request
from flask_login import current_user

from app.api.spec import body, operation
from app.core.errors import ValidationFailed
from app.core.roles import FINANCE_ROLES
from app.core.security import login_required, roles_required
from app.extensions import db
from app.payments import api_bp, refunds, services
from app.payments.gateways import GatewayError, gateway, is_test_mode
from app.payments.models import Refund, RefundStatus
from app.payments.schemas import (
    ConfirmRequest,
    IntentOut,
    IntentRequest,
    MethodsOut,
    PaymentStatusOut,
    RefundAnswer,
    RefundRequest,
)

IDEMPOTENCY_KEY = {"name": "Idempotency-Key", "in": "header", "required": False, "schema": {"type": "string"}}


def refund_json(refund: Refund) -> dict:
    """A refund as the API shows it."""
    return {
        "id": refund.id,
        "payment_id": refund.payment_id,
        "amount": refund.amount,
        "currency": refund.currency,
        "reason": refund.reason.value,
        "status": refund.status.value,
        "failure_message": refund.failure_message,
    }


@api_bp.post("/payments/create-intent")
@login_required
@operation("Start paying for your own held booking (amount from the server)", json=IntentRequest, resp={200: IntentOut})
def create_intent():
    """Create (or resume) the payment attempt for a held booking."""
    intent = services.create_intent(current_user, body().booking_id)
    p = intent.payment
    test_mode = is_test_mode()
    return jsonify(
        payment_id=p.id, client_secret=intent.client_secret, amount=p.amount, currency=p.currency, test_mode=test_mode
    )


@api_bp.post("/payments/confirm")
@login_required
@operation(
    "Confirm your payment with a payment method (offline: Stripe's test methods such as pm_card_visa)",
    json=ConfirmRequest,
    resp={200: PaymentStatusOut},
)
def confirm():
    """Confirm; a decline answers 200 with status failed and the card's message."""
    data = body()
    p = services.confirm_payment(current_user, data.payment_id, data.payment_method)
    return jsonify(
        payment_id=p.id,
        booking_id=p.booking_id,
        status=p.status.value,
        amount=p.amount,
        currency=p.currency,
        failure_message=p.failure_message,
    )


@api_bp.post("/payments/refund")
@roles_required(*FINANCE_ROLES)
@operation(
    "Refund all or part of a payment (finance); Idempotency-Key header makes retries one refund",
    json=RefundRequest,
    parameters=[IDEMPOTENCY_KEY],
    resp={201: RefundAnswer, 202: RefundAnswer, 409: None},
)
def refund():
    """201 with the refund; 202 when it awaits a second approval; 409 over-refund."""
    data = body()
    key = request.headers.get("Idempotency-Key") or None
    if key is not None and len(key) > 255:
        raise ValidationFailed("Idempotency-Key is too long.")
    r = refunds.request_refund(current_user, data.payment_id, data.amount, data.reason, data.note or "", key)
    db.session.refresh(r)
    return jsonify(refund=refund_json(r)), 202 if r.status == RefundStatus.PENDING_APPROVAL else 201


@api_bp.get("/payments/methods")
@login_required
@operation("Your saved cards", resp={200: MethodsOut})
def methods():
    """Cards saved with the gateway for the current user (test cards in test mode)."""
    try:
        saved = gateway().saved_methods(current_user.email)
    except GatewayError as exc:
        raise services.GatewayUnavailable(exc.message) from exc
    test_mode = is_test_mode()
    return jsonify(
        methods=[
            {"id": m.id, "brand": m.brand, "last4": m.last4, "exp_month": m.exp_month, "exp_year": m.exp_year}
            for m in saved
        ],
        test_mode=test_mode,
    )
