"""Stripe webhook events: stored once by event id, processed in a job, safe in any order.

Statuses only move forward (a late payment_failed never undoes a success; a refund that
already succeeded is not counted twice), so redeliveries and out-of-order events are harmless.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from app.core import audit
from app.core.db import utcnow
from app.core.effects import commit, rollback
from app.core.errors import InvalidState, NotFound, PermissionDenied
from app.core.jobs import enqueue_after_commit
from app.core.money import from_provider
from app.core.roles import FINANCE_ROLES
from app.core.row_locks import lock_row
from app.extensions import db
from app.payments.bookkeeping import WebhookEvent, WebhookStatus
from app.payments.gateways import gateway_for
from app.payments.models import Payment, Refund, RefundReason, RefundStatus
from app.payments.refund_sending import apply_refund_status
from app.payments.services import lock_payment, mark_failed, mark_succeeded

log = logging.getLogger(__name__)


class PaymentNotYetKnown(Exception):
    """The event names a payment we have not stored (yet): processing fails and is retried."""


def _id_of(value) -> str | None:
    if isinstance(value, dict):
        return value.get("id")
    return value


def find_payment_id(obj: dict) -> int | None:
    """Our payment for an event's object (intent, charge, refund or dispute), by ids or metadata."""
    meta = obj.get("metadata") or {}
    if str(meta.get("payment_id", "")).isdigit():
        found = db.session.get(Payment, int(meta["payment_id"]))
        if found is not None:
            return found.id
    intent = obj.get("id") if obj.get("object") == "payment_intent" else _id_of(obj.get("payment_intent"))
    if intent:
        found = db.session.scalar(sa.select(Payment.id).where(Payment.provider_intent_id == intent))
        if found:
            return found
    charge = obj.get("id") if obj.get("object") == "charge" else _id_of(obj.get("charge"))
    if charge:
        return db.session.scalar(sa.select(Payment.id).where(Payment.provider_charge_id == charge).limit(1))
    return None


def record_event(event: dict, provider: str = "stripe") -> bool:
    """Store a verified event once; True when it is new (and its processing job was queued)."""
    obj = (event.get("data") or {}).get("object") or {}
    created = event.get("created")
    stmt = (
        pg_insert(WebhookEvent)
        .values(
            provider=provider,
            provider_event_id=event["id"],
            type=event.get("type", "unknown"),
            payload=event,
            provider_created_at=datetime.fromtimestamp(created, UTC) if isinstance(created, int) else None,
            status=WebhookStatus.PENDING,
            payment_id=find_payment_id(obj),
            received_at=utcnow(),
        )
        .on_conflict_do_nothing(constraint="uq_webhook_events_provider_event")
        .returning(WebhookEvent.id)
    )
    new_id = db.session.execute(stmt).scalar()
    if new_id is None:
        rollback()
        return False
    enqueue_after_commit("workers.webhooks.process_webhook_event", new_id, queue="webhooks")
    commit()
    return True


def process_event(event_id: int) -> None:
    """Apply one stored event (job); a failure is recorded on the event and raised for a retry."""
    event = lock_row(WebhookEvent, event_id)
    if event is None or event.status in (WebhookStatus.PROCESSED, WebhookStatus.IGNORED):
        rollback()
        return
    handler = HANDLERS.get(event.type)
    try:
        if handler is None:
            event.status = WebhookStatus.IGNORED
        else:
            obj = event.payload["data"]["object"]
            payment_id = find_payment_id(obj)
            if payment_id is None:
                raise PaymentNotYetKnown(f"No payment matches this {obj.get('object', 'object')} (yet).")
            payment = lock_payment(payment_id)
            event.payment_id = payment.id
            handler(payment, obj, event.provider_created_at)
            event.status = WebhookStatus.PROCESSED
        event.processed_at = utcnow()
        event.error = None
        commit()
    except Exception as exc:
        rollback()
        log.warning("webhook event %s failed: %s", event_id, exc)
        failed = db.session.get(WebhookEvent, event_id)
        failed.status = WebhookStatus.FAILED
        failed.error = f"{type(exc).__name__}: {exc}"[:4000]
        commit()
        raise


def _on_intent_succeeded(payment: Payment, obj: dict, at: datetime | None) -> None:
    mark_succeeded(payment, _id_of(obj.get("latest_charge")), None)


def _on_intent_failed(payment: Payment, obj: dict, at: datetime | None) -> None:
    error = obj.get("last_payment_error") or {}
    mark_failed(payment, error.get("message") or "The payment failed.", None)


def _settled_against(refund: Refund, status: str) -> bool:
    """The event contradicts a settled refund (succeeded reported failed, or failed reported succeeded)."""
    return (refund.status == RefundStatus.SUCCEEDED and status in ("failed", "canceled")) or (
        refund.status == RefundStatus.FAILED and status == "succeeded"
    )


def _sync_refund(payment: Payment, data: dict, at: datetime | None) -> None:
    """Follow one provider refund; one we never asked for (dashboard) is recorded as it happened.

    An event older than the one that last set the refund's status is ignored; an event that
    contradicts a settled refund is checked against the provider's current state first.
    """
    refund = db.session.scalar(sa.select(Refund).where(Refund.provider_refund_id == data["id"]))
    ours = str((data.get("metadata") or {}).get("refund_id", ""))
    if refund is None and ours.isdigit():
        refund = db.session.scalar(sa.select(Refund).where(Refund.id == int(ours), Refund.payment_id == payment.id))
        if refund is not None and refund.provider_refund_id is None:
            refund.provider_refund_id = data["id"]
    if refund is None:
        if data.get("status") != "succeeded":
            return
        reason = (
            data.get("reason") if data.get("reason") in {r.value for r in RefundReason} else "requested_by_customer"
        )
        refund = Refund(
            payment_id=payment.id,
            amount=from_provider(int(data["amount"]), payment.currency),
            currency=payment.currency,
            reason=RefundReason(reason),
            note="Refunded outside Coach Connect (Stripe dashboard).",
            status=RefundStatus.PENDING,
            idempotency_key=f"stripe-{data['id']}",
            provider_refund_id=data["id"],
        )
        db.session.add(refund)
        db.session.flush()
        audit.record(None, "refund.recorded_from_provider", refund, after={"amount": refund.amount})
    if refund.status in (RefundStatus.PENDING_APPROVAL, RefundStatus.REJECTED):
        raise InvalidState(f"The provider reports refund {data['id']} but ours is {refund.status.value}.")
    if at is not None and refund.provider_status_at is not None and at < refund.provider_status_at:
        log.info(
            "refund %s: event from %s is older than its status (%s); ignored", refund.id, at, refund.provider_status_at
        )
        return
    status, message = data.get("status") or "pending", data.get("failure_reason")
    if _settled_against(refund, status):
        current = gateway_for(payment.gateway).retrieve_refund(data["id"])
        if current is not None:
            status, message = current.status, current.failure_message
    apply_refund_status(refund, status, message, None)
    if at is not None:
        refund.provider_status_at = at


def _on_charge_refunded(payment: Payment, obj: dict, at: datetime | None) -> None:
    for data in (obj.get("refunds") or {}).get("data", []):
        _sync_refund(payment, data, at)


def _on_refund_updated(payment: Payment, obj: dict, at: datetime | None) -> None:
    _sync_refund(payment, obj, at)


def _on_dispute(payment: Payment, obj: dict, at: datetime | None) -> None:
    if payment.is_disputed:
        return
    payment.is_disputed = True
    audit.record(
        None,
        "payment.disputed",
        payment,
        after={"dispute": obj.get("id"), "reason": obj.get("reason"), "amount": obj.get("amount")},
    )


HANDLERS = {
    "payment_intent.succeeded": _on_intent_succeeded,
    "payment_intent.payment_failed": _on_intent_failed,
    "charge.refunded": _on_charge_refunded,
    "refund.created": _on_refund_updated,
    "refund.updated": _on_refund_updated,
    "charge.refund.updated": _on_refund_updated,
    "charge.dispute.created": _on_dispute,
}


def retry_event(actor, event_id: int) -> WebhookEvent:
    """Process a failed event again (finance console)."""
    if actor is None or not actor.has_role(*FINANCE_ROLES):
        raise PermissionDenied("Only finance staff and admins retry webhook events.")
    event = db.session.get(WebhookEvent, event_id)
    if event is None:
        raise NotFound("No such webhook event.")
    if event.status != WebhookStatus.FAILED:
        raise InvalidState(f"Only a failed event can be retried; this one is {event.status.value}.")
    event.status = WebhookStatus.PENDING
    audit.record(actor, "webhook.retried", event, after={"type": event.type, "event": event.provider_event_id})
    enqueue_after_commit("workers.webhooks.process_webhook_event", event.id, queue="webhooks")
    commit()
    return event
