"""Sending refunds to the provider, outside the payment's row lock, and settling what came back.

A send is three steps: (1) under the lock, a `pending` refund becomes `sending` (attempts + 1) and
is committed; (2) the provider is called with no lock held, always under the refund's own
idempotency key; (3) under the lock again, the answer is applied if the refund is still `sending`.
No answer (timeout, dropped connection, 5xx) makes it `unknown`; an unknown refund is read back
from the provider (the intent's refunds, matched by our refund id) before it is ever sent again.

On PostgreSQL the sender holds an advisory lock (on a connection of its own) from before
`sending` is committed until the answer is applied; the lock goes when the sender's process dies.
A job that finds a `sending` refund nobody holds knows its sender was killed mid-call and has it
read back at once (a worker SIGKILLed mid-refund, issue 16, 6); elsewhere only age tells.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from app.core import audit
from app.core.db import utcnow
from app.core.effects import commit, rollback
from app.core.errors import NotFound
from app.core.jobs import enqueue_after_commit
from app.core.mail import queue_mail
from app.core.money import format_money
from app.core.row_locks import lock_row
from app.extensions import db
from app.payments.gateways import GatewayError, OutcomeUnknown, RefundResult, gateway_for
from app.payments.models import Payment, Refund, RefundStatus
from app.payments.services import lock_payment
from app.payments.signals import refund_succeeded

log = logging.getLogger(__name__)

# Statuses in which money may have left (or may still leave) for this refund.
IN_FLIGHT = (RefundStatus.PENDING, RefundStatus.SENDING, RefundStatus.UNKNOWN)


def snapshot(refund: Refund) -> dict:
    """What the audit log records about a refund."""
    return {"status": refund.status.value, "amount": refund.amount, "reason": refund.reason.value}


def locked_refund(refund_id: int) -> tuple[Payment, Refund]:
    """Lock the payment, then the refund (always in that order)."""
    refund = db.session.get(Refund, refund_id)
    if refund is None:
        raise NotFound("No such refund.")
    payment = lock_payment(refund.payment_id)
    refund = lock_row(Refund, refund_id)
    return payment, refund


SENDER_LOCK_CLASS = 16_006  # pg_advisory_lock(class, refund id): the refund's sender is alive


def _on_postgresql() -> bool:
    return db.engine.dialect.name == "postgresql"


@contextlib.contextmanager
def _sender_lock(refund_id: int) -> Iterator[None]:
    """Hold the refund's sender lock on a connection of its own (PostgreSQL; elsewhere nothing)."""
    if not _on_postgresql():
        yield
        return
    conn = db.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    try:
        conn.execute(sa.text("SELECT pg_advisory_lock(:c, :r)"), {"c": SENDER_LOCK_CLASS, "r": refund_id})
        yield
    finally:
        try:
            conn.execute(sa.text("SELECT pg_advisory_unlock(:c, :r)"), {"c": SENDER_LOCK_CLASS, "r": refund_id})
        except Exception:  # noqa: BLE001 - a broken connection: drop it, the lock goes with it
            conn.invalidate()
        conn.close()


def _sender_gone(refund: Refund) -> bool:
    """Nobody holds the refund's sender lock (taken in this transaction, released at its end)."""
    if not _on_postgresql():
        return False
    taken = db.session.execute(
        sa.text("SELECT pg_try_advisory_xact_lock(:c, :r)"), {"c": SENDER_LOCK_CLASS, "r": refund.id}
    ).scalar_one()
    return bool(taken)


def _stale_sending(refund: Refund) -> bool:
    """A `sending` refund whose sender died mid-call: its lock is free, or it is older than any answer."""
    if refund.status != RefundStatus.SENDING:
        return False
    limit = timedelta(seconds=2 * current_app.config.get("STRIPE_TIMEOUT_SECONDS", 30) + 5)
    return _sender_gone(refund) or refund.updated_at < utcnow() - limit


def submit_refund(refund_id: int) -> None:
    """Send a pending refund to the gateway (job; idempotent: anything but pending is left alone)."""
    with contextlib.ExitStack() as held:
        _submit_refund(refund_id, held)


def _submit_refund(refund_id: int, held: contextlib.ExitStack) -> None:
    try:
        payment, refund = locked_refund(refund_id)
        if _stale_sending(refund):
            _mark_unknown(refund, "The refund's sender stopped before the provider answered.")
            enqueue_after_commit("workers.refunds.reconcile_refund", refund.id, queue="payments")
            commit()
            return
        if refund.status != RefundStatus.PENDING or refund.provider_refund_id:
            rollback()
            return
        held.enter_context(_sender_lock(refund.id))  # before `sending` is visible to anyone
        refund.transition_to(RefundStatus.SENDING)
        refund.attempts += 1
        gateway_name, intent_id = payment.gateway, payment.provider_intent_id
        request = dict(
            amount=refund.amount,
            currency=refund.currency,
            reason=refund.reason.value,
            idempotency_key=refund.idempotency_key,
            metadata={"refund_id": refund.id, "payment_id": payment.id},
        )
        commit()  # the lock is released before the provider is called
    except Exception:
        rollback()
        raise
    result: RefundResult | None = None
    failure: str | None = None
    try:
        result = gateway_for(gateway_name).create_refund(intent_id, **request)
    except OutcomeUnknown:
        pass
    except GatewayError as exc:
        failure = exc.message
    try:
        _, refund = locked_refund(refund_id)
        if refund.status != RefundStatus.SENDING:
            # A webhook or a read-back settled it while we waited; keep the provider's id.
            if result is not None and refund.provider_refund_id is None:
                refund.provider_refund_id = result.id
            held.close()
            commit()
            return
        if result is not None:
            refund.provider_refund_id = result.id
            apply_refund_status(refund, result.status, result.failure_message, None)
        elif failure is not None:
            apply_refund_status(refund, "failed", failure, None)
        else:
            _mark_unknown(refund, "The payment provider did not answer; the refund will be read back.")
            enqueue_after_commit("workers.refunds.reconcile_refund", refund.id, queue="payments")
        # Released under the row lock, before the commit: whoever looks next sees the new status,
        # and an inline read-back that sends again (after the commit) can take the lock.
        held.close()
        commit()
    except Exception:
        rollback()
        raise


def _mark_unknown(refund: Refund, message: str) -> None:
    before = snapshot(refund)
    refund.transition_to(RefundStatus.UNKNOWN)
    refund.failure_message = message
    audit.record(None, "refund.unknown", refund, before=before, after={**snapshot(refund), "message": message})
    db.session.flush()


def reconcile_refund(refund_id: int) -> None:
    """Settle an unknown refund by reading it back from the provider; send it again only if it is not there."""
    refund = db.session.get(Refund, refund_id)
    if refund is None or refund.status != RefundStatus.UNKNOWN:
        rollback()
        return
    gateway_name, intent_id = refund.payment.gateway, refund.payment.provider_intent_id
    rollback()
    found = gateway_for(gateway_name).find_refund(intent_id, refund_id)  # OutcomeUnknown: the job retries
    resend = False
    try:
        _, refund = locked_refund(refund_id)
        if refund.status != RefundStatus.UNKNOWN:
            rollback()
            return
        if found is not None:
            refund.provider_refund_id = found.id
            apply_refund_status(refund, found.status, found.failure_message, None)
        else:
            before = snapshot(refund)
            refund.transition_to(RefundStatus.PENDING)
            audit.record(None, "refund.not_found_at_provider", refund, before=before, after=snapshot(refund))
            resend = True
        commit()
    except Exception:
        rollback()
        raise
    if resend:
        submit_refund(refund_id)


def apply_refund_status(refund: Refund, status: str, message: str | None, actor) -> None:
    """Follow the provider's refund status; the payment's lock must be held (flushes only)."""
    payment = refund.payment
    if status == "succeeded" and refund.status != RefundStatus.SUCCEEDED:
        before = snapshot(refund)
        refund.transition_to(RefundStatus.SUCCEEDED)
        refund.succeeded_at = utcnow()
        refund.failure_message = None
        payment.amount_refunded += refund.amount
        audit.record(actor, "refund.succeeded", refund, before=before, after=snapshot(refund))
        queue_mail(
            payment.client.email,
            "payment_refunded",
            f"Refund of {format_money(refund.amount, refund.currency)}",
            {"payment": payment, "refund": refund, "client": payment.client},
        )
        refund_succeeded.send(refund)  # the notification center lists it
    elif status in ("failed", "canceled") and refund.status in (*IN_FLIGHT, RefundStatus.SUCCEEDED):
        before = snapshot(refund)
        if refund.status == RefundStatus.SUCCEEDED:
            payment.amount_refunded -= refund.amount
        refund.transition_to(RefundStatus.FAILED)
        refund.failure_message = message or f"The provider reports the refund {status}."
        audit.record(actor, "refund.failed", refund, before=before, after={**snapshot(refund), "message": message})
    elif status == "pending" and refund.status in (RefundStatus.SENDING, RefundStatus.UNKNOWN):
        refund.transition_to(RefundStatus.PENDING)  # at the provider; its webhook settles it
        refund.failure_message = None
    db.session.flush()
