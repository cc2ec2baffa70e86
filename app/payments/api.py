"""JSON API: create-intent, confirm, refund (finance) and saved payment methods."""

from __future__ import annotations

from flask import jsonify, request
from flask_login import current_user

from app.accounts.models import Role
from app.api.bodies import json_object
from app.api.openapi import document
from app.core.errors import ValidationFailed
from app.core.security import login_required, roles_required
from app.extensions import db
from app.payments import api_bp, refunds, services
from app.payments.gateways import GatewayError, gateway, is_test_mode
from app.payments.models import Refund, RefundReason, RefundStatus

REFUND_SCHEMA = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "payment_id": {"type": "integer"},
        "amount": {"type": "integer"},
        "currency": {"type": "string"},
        "reason": {"type": "string", "enum": [r.value for r in RefundReason]},
        "status": {"type": "string", "enum": [s.value for s in RefundStatus]},
        "failure_message": {"type": ["string", "null"]},
    },
}
PAYMENT_STATUS_SCHEMA = {
    "type": "object",
    "properties": {
        "payment_id": {"type": "integer"},
        "booking_id": {"type": "integer"},
        "status": {"type": "string"},
        "amount": {"type": "integer"},
        "currency": {"type": "string"},
        "failure_message": {"type": ["string", "null"]},
    },
}


def _int_field(data: dict, name: str) -> int:
    value = data.get(name)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationFailed(f"{name} must be an integer.", fields={name: "Must be an integer."})
    return value


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
@document(
    "Start paying for your own held booking (amount from the server)",
    request={"type": "object", "required": ["booking_id"], "properties": {"booking_id": {"type": "integer"}}},
    responses={
        "200": {
            "type": "object",
            "properties": {
                "payment_id": {"type": "integer"},
                "client_secret": {"type": "string"},
                "amount": {"type": "integer"},
                "currency": {"type": "string"},
                "test_mode": {"type": "boolean"},
            },
        }
    },
)
@login_required
def create_intent():
    """Create (or resume) the payment attempt for a held booking."""
    intent = services.create_intent(current_user, _int_field(json_object(), "booking_id"))
    p = intent.payment
    test_mode = is_test_mode()
    return jsonify(
        payment_id=p.id, client_secret=intent.client_secret, amount=p.amount, currency=p.currency, test_mode=test_mode
    )


@api_bp.post("/payments/confirm")
@document(
    "Confirm your payment with a payment method (offline: Stripe's test methods such as pm_card_visa)",
    request={
        "type": "object",
        "required": ["payment_id"],
        "properties": {"payment_id": {"type": "integer"}, "payment_method": {"type": "string"}},
    },
    responses={"200": PAYMENT_STATUS_SCHEMA},
)
@login_required
def confirm():
    """Confirm; a decline answers 200 with status failed and the card's message."""
    data = json_object()
    method = data.get("payment_method")
    if method is not None and not isinstance(method, str):
        raise ValidationFailed("payment_method must be a string.", fields={"payment_method": "Must be a string."})
    p = services.confirm_payment(current_user, _int_field(data, "payment_id"), method)
    return jsonify(
        payment_id=p.id,
        booking_id=p.booking_id,
        status=p.status.value,
        amount=p.amount,
        currency=p.currency,
        failure_message=p.failure_message,
    )


@api_bp.post("/payments/refund")
@document(
    "Refund all or part of a payment (finance); Idempotency-Key header makes retries one refund",
    request={
        "type": "object",
        "required": ["payment_id", "amount", "reason"],
        "properties": {
            "payment_id": {"type": "integer"},
            "amount": {"type": "integer", "description": "minor units"},
            "reason": {"type": "string", "enum": [r.value for r in RefundReason]},
            "note": {"type": "string"},
        },
    },
    parameters=[{"name": "Idempotency-Key", "in": "header", "required": False, "schema": {"type": "string"}}],
    responses={"201": REFUND_SCHEMA, "202": REFUND_SCHEMA, "409": None},
)
@roles_required(Role.FINANCE, Role.ADMIN)
def refund():
    """201 with the refund; 202 when it awaits a second approval; 409 over-refund."""
    data = json_object()
    note = data.get("note") or ""
    if not isinstance(note, str):
        raise ValidationFailed("note must be a string.", fields={"note": "Must be a string."})
    key = request.headers.get("Idempotency-Key") or None
    if key is not None and len(key) > 255:
        raise ValidationFailed("Idempotency-Key is too long.")
    r = refunds.request_refund(
        current_user, _int_field(data, "payment_id"), _int_field(data, "amount"), data.get("reason"), note, key
    )
    db.session.refresh(r)
    return jsonify(refund=refund_json(r)), 202 if r.status == RefundStatus.PENDING_APPROVAL else 201


@api_bp.get("/payments/methods")
@document(
    "Your saved cards",
    responses={
        "200": {
            "type": "object",
            "properties": {
                "methods": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "id": {"type": "string"},
                            "brand": {"type": "string"},
                            "last4": {"type": "string"},
                            "exp_month": {"type": ["integer", "null"]},
                            "exp_year": {"type": ["integer", "null"]},
                        },
                    },
                },
                "test_mode": {"type": "boolean"},
            },
        }
    },
)
@login_required
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
