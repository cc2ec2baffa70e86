"""Refunds: requested by finance (or by the cancellation policy), approved above a threshold,
submitted to the gateway in a job, and kept in step with the provider's answers and webhooks.

What remains refundable is computed from OUR rows under a lock on the payment, so neither a
double submit nor a provider that accepts over-refunds (localstripe) can refund too much.
"""

from __future__ import annotations

import hashlib
import logging

import sqlalchemy as sa
from flask import current_app

from app.accounts.models import Role
from app.core import audit
from app.core.db import format_money, utcnow
from app.core.effects import commit, rollback
from app.core.errors import Conflict, InvalidState, NotFound, PermissionDenied, ValidationFailed
from app.core.jobs import enqueue_after_commit
from app.core.mail import queue_mail
from app.core.models import AuditLog
from app.extensions import db
from app.payments.gateways import GatewayError, gateway_for
from app.payments.models import Payment, PaymentStatus, Refund, RefundReason, RefundStatus
from app.payments.services import lock_payment

log = logging.getLogger(__name__)

RESERVED = (RefundStatus.PENDING, RefundStatus.PENDING_APPROVAL)
FINANCE_ROLES = (Role.FINANCE, Role.ADMIN)


def reserved_amount(payment_id: int) -> int:
    """Sum of refunds requested but not yet succeeded or failed."""
    stmt = sa.select(sa.func.coalesce(sa.func.sum(Refund.amount), 0)).where(
        Refund.payment_id == payment_id, Refund.status.in_(RESERVED)
    )
    return int(db.session.scalar(stmt))


def refundable_now(payment: Payment) -> int:
    """Paid minus refunded minus refunds in flight."""
    return payment.amount - payment.amount_refunded - reserved_amount(payment.id)


def refund_key(payment_id: int, client_key: str | None, amount: int, reason: str) -> str:
    """The idempotency key: from the client's Idempotency-Key, else from the request and the payment's state."""
    if client_key:
        return f"refund-{payment_id}-k-{hashlib.sha256(client_key.encode()).hexdigest()[:32]}"
    count = db.session.scalar(sa.select(sa.func.count()).select_from(Refund).where(Refund.payment_id == payment_id))
    return f"refund-{payment_id}-n{count}-{amount}-{reason}"


def _require_finance(actor) -> None:
    if actor is None or not actor.has_role(*FINANCE_ROLES):
        raise PermissionDenied("Only finance staff and admins handle refunds.")


def _snapshot(refund: Refund) -> dict:
    return {"status": refund.status.value, "amount": refund.amount, "reason": refund.reason.value}


def request_refund(
    actor,
    payment_id: int,
    amount,
    reason,
    note: str = "",
    idempotency_key: str | None = None,
    *,
    system: bool = False,
    key: str | None = None,
) -> Refund:
    """Refund all or part of a payment; the same request twice gives the same refund.

    actor None with system=True is the cancellation policy (no approval step).
    """
    if not system:
        _require_finance(actor)
    try:
        reason = RefundReason(reason)
    except ValueError as exc:
        raise ValidationFailed("Choose a refund reason.", fields={"reason": "Unknown reason."}) from exc
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise ValidationFailed(
            "The amount must be a positive whole number of minor units.", fields={"amount": "Invalid."}
        )
    key = key or refund_key(payment_id, idempotency_key, amount, reason.value)
    try:
        payment = lock_payment(payment_id)
        if payment is None:
            raise NotFound("No such payment.")
        existing = db.session.scalar(sa.select(Refund).where(Refund.idempotency_key == key))
        if existing is not None:
            if existing.payment_id != payment.id or existing.amount != amount:
                raise Conflict(
                    "This Idempotency-Key was already used for a different refund.", code="idempotency_mismatch"
                )
            rollback()
            return existing
        if payment.status != PaymentStatus.SUCCEEDED:
            raise InvalidState("Only a succeeded payment can be refunded.")
        remaining = refundable_now(payment)
        if amount > remaining:
            money = lambda v: format_money(v, payment.currency)  # noqa: E731
            raise Conflict(
                f"A refund of {money(amount)} would exceed what remains refundable on payment #{payment.id}: "
                f"{money(remaining)} ({money(payment.amount)} paid, {money(payment.amount_refunded)} refunded, "
                f"{money(payment.amount - payment.amount_refunded - remaining)} in progress).",
                code="over_refund",
                fields={"amount": f"At most {money(remaining)}."},
            )
        needs_approval = not system and amount > current_app.config["REFUND_APPROVAL_THRESHOLD"]
        refund = Refund(
            payment_id=payment.id,
            amount=amount,
            currency=payment.currency,
            reason=reason,
            note=(note or "").strip(),
            status=RefundStatus.PENDING_APPROVAL if needs_approval else RefundStatus.PENDING,
            idempotency_key=key,
            requested_by_id=getattr(actor, "id", None),
        )
        db.session.add(refund)
        db.session.flush()
        audit.record(actor, "refund.requested", refund, after={**_snapshot(refund), "payment_id": payment.id})
        if not needs_approval:
            enqueue_after_commit("workers.refunds.submit_refund", refund.id, queue="payments")
        commit()
        return refund
    except Exception:
        rollback()
        raise


def _locked_refund(refund_id: int) -> tuple[Payment, Refund]:
    """Lock the payment, then the refund (always in that order)."""
    refund = db.session.get(Refund, refund_id)
    if refund is None:
        raise NotFound("No such refund.")
    payment = lock_payment(refund.payment_id)
    refund = db.session.scalar(
        sa.select(Refund).where(Refund.id == refund_id).with_for_update().execution_options(populate_existing=True)
    )
    return payment, refund


def approve_refund(actor, refund_id: int) -> Refund:
    """A second finance/admin user approves a refund above the threshold."""
    _require_finance(actor)
    try:
        payment, refund = _locked_refund(refund_id)
        if refund.status != RefundStatus.PENDING_APPROVAL:
            raise InvalidState(f"This refund is {refund.status.value}, not awaiting approval.")
        if refund.requested_by_id == actor.id:
            raise PermissionDenied("A different finance user must approve a refund you requested.")
        before = _snapshot(refund)
        refund.transition_to(RefundStatus.PENDING)
        refund.approved_by_id = actor.id
        audit.record(actor, "refund.approved", refund, before=before, after=_snapshot(refund))
        enqueue_after_commit("workers.refunds.submit_refund", refund.id, queue="payments")
        commit()
        return refund
    except Exception:
        rollback()
        raise


def reject_refund(actor, refund_id: int, note: str = "") -> Refund:
    """Refuse a refund awaiting approval; nothing is paid back."""
    _require_finance(actor)
    try:
        _, refund = _locked_refund(refund_id)
        if refund.status != RefundStatus.PENDING_APPROVAL:
            raise InvalidState(f"This refund is {refund.status.value}, not awaiting approval.")
        before = _snapshot(refund)
        refund.transition_to(RefundStatus.REJECTED)
        refund.approved_by_id = actor.id
        audit.record(actor, "refund.rejected", refund, before=before, after={**_snapshot(refund), "note": note})
        commit()
        return refund
    except Exception:
        rollback()
        raise


def retry_refund(actor, refund_id: int) -> Refund:
    """Submit a failed refund again, if the payment still has room for it."""
    _require_finance(actor)
    try:
        payment, refund = _locked_refund(refund_id)
        if refund.status != RefundStatus.FAILED:
            raise InvalidState(f"Only a failed refund can be retried; this one is {refund.status.value}.")
        if refund.amount > refundable_now(payment):
            raise Conflict("Not enough remains refundable on this payment to retry this refund.", code="over_refund")
        before = _snapshot(refund)
        refund.transition_to(RefundStatus.PENDING)
        refund.failure_message = None
        audit.record(actor, "refund.retried", refund, before=before, after=_snapshot(refund))
        enqueue_after_commit("workers.refunds.submit_refund", refund.id, queue="payments")
        commit()
        return refund
    except Exception:
        rollback()
        raise


def _provider_key(refund: Refund) -> str:
    """Our key, plus the retry number: a retried refund is a new request at the provider."""
    retries = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(AuditLog)
        .where(
            AuditLog.object_type == "refunds", AuditLog.object_id == str(refund.id), AuditLog.action == "refund.retried"
        )
    )
    return refund.idempotency_key + (f"-retry-{retries}" if retries else "")


def submit_refund(refund_id: int) -> None:
    """Send a pending refund to the gateway (job; idempotent: anything but pending is left alone)."""
    try:
        payment, refund = _locked_refund(refund_id)
        if refund.status != RefundStatus.PENDING:
            rollback()
            return
        try:
            result = gateway_for(payment.gateway).create_refund(
                payment.provider_intent_id,
                refund.amount,
                reason=refund.reason.value,
                idempotency_key=_provider_key(refund),
                metadata={"refund_id": refund.id, "payment_id": payment.id},
            )
        except GatewayError as exc:
            apply_refund_status(refund, "failed", exc.message, None)
            commit()
            return
        refund.provider_refund_id = result.id
        apply_refund_status(refund, result.status, result.failure_message, None)
        commit()
    except Exception:
        rollback()
        raise


def apply_refund_status(refund: Refund, status: str, message: str | None, actor) -> None:
    """Follow the provider's refund status; the payment's lock must be held (flushes only)."""
    payment = refund.payment
    if status == "succeeded" and refund.status != RefundStatus.SUCCEEDED:
        before = _snapshot(refund)
        refund.transition_to(RefundStatus.SUCCEEDED)
        refund.succeeded_at = utcnow()
        refund.failure_message = None
        payment.amount_refunded += refund.amount
        audit.record(actor, "refund.succeeded", refund, before=before, after=_snapshot(refund))
        queue_mail(
            payment.client.email,
            "payment_refunded",
            f"Refund of {format_money(refund.amount, refund.currency)}",
            {"payment": payment, "refund": refund, "client": payment.client},
        )
    elif status in ("failed", "canceled") and refund.status in (RefundStatus.PENDING, RefundStatus.SUCCEEDED):
        before = _snapshot(refund)
        if refund.status == RefundStatus.SUCCEEDED:
            payment.amount_refunded -= refund.amount
        refund.transition_to(RefundStatus.FAILED)
        refund.failure_message = message or f"The provider reports the refund {status}."
        audit.record(actor, "refund.failed", refund, before=before, after={**_snapshot(refund), "message": message})
    db.session.flush()


def refund_for_cancellation(booking_id: int, amount: int) -> Refund | None:
    """The cancellation policy's refund for a booking (system actor, no approval, once per booking)."""
    payment = db.session.scalar(
        sa.select(Payment)
        .where(Payment.booking_id == booking_id, Payment.status == PaymentStatus.SUCCEEDED)
        .order_by(Payment.id.desc())
    )
    if payment is None or amount <= 0:
        log.info("no refund for booking %s (amount %s, paid: %s)", booking_id, amount, payment is not None)
        return None
    key = f"refund-booking-{booking_id}-cancelled"
    existing = db.session.scalar(sa.select(Refund).where(Refund.idempotency_key == key))
    if existing is not None:
        return existing
    amount = min(amount, refundable_now(payment))
    if amount <= 0:
        log.warning("booking %s: nothing left to refund on payment %s", booking_id, payment.id)
        return None
    return request_refund(
        None,
        payment.id,
        amount,
        RefundReason.SESSION_CANCELLED,
        f"Cancellation policy refund for booking #{booking_id}",
        system=True,
        key=key,
    )
