"""A payment's audit entries said in words finance staff use ("Refund #3 of EUR 30.00 requested by ...")."""

from __future__ import annotations

from app.core.models import AuditLog
from app.core.money import format_money
from app.payments.forms import REASON_LABELS

REASONS = {r.value: label[0].lower() + label[1:] for r, label in REASON_LABELS.items()}

PAYMENT_WORDS = {
    "payment.intent_created": "Payment of {amount} started{by}",
    "payment.requires_action": "The card asked for an extra check (3-D Secure)",
    "payment.processing": "The provider is processing the payment",
    "payment.succeeded": "Paid: {amount}",
    "payment.failed": "Payment failed{message}",
    "payment.cancelled": "Payment cancelled{by}",
    "payment.unusable": "The payment could not be used{message}",
    "payment.disputed": "The client disputed {amount} with their bank{message}",
}
REFUND_WORDS = {
    "refund.requested": "Refund {ref} of {amount} requested{by} ({reason}){approval}",
    "refund.approved": "Refund {ref} approved{by} and sent",
    "refund.rejected": "Refund {ref} refused{by}{message}",
    "refund.retried": "Refund {ref} sent again{by}",
    "refund.succeeded": "Refund {ref} of {amount} succeeded",
    "refund.failed": "Refund {ref} failed{message}",
    "refund.unknown": "Refund {ref}: the provider did not answer{message}; it is read back before anything is sent again",
    "refund.not_found_at_provider": "Refund {ref} was not found at the provider, so it was never made",
    "refund.recorded_from_provider": "Refund {ref} of {amount} made at the provider and recorded here",
}


def describe(row: AuditLog, currency: str) -> str:
    """One sentence for an audit entry about a payment or one of its refunds; never raw field names."""
    after = row.after or {}
    words = REFUND_WORDS if row.object_type == "refunds" else PAYMENT_WORDS
    template = words.get(row.action)
    if template is None:
        return row.action.split(".", 1)[-1].replace("_", " ").capitalize()
    amount = after.get("amount")
    message = (
        "" if row.action == "refund.requested" else (after.get("message") or after.get("note") or after.get("reason"))
    )
    return template.format(
        ref=f"#{row.object_id}",
        amount=format_money(amount, currency) if isinstance(amount, int) else "the amount",
        by=f" by {row.actor.full_name}" if row.actor else "",
        reason=REASONS.get(after.get("reason"), after.get("reason") or "no reason given"),
        approval="; it awaits a second finance user's approval" if after.get("status") == "pending_approval" else "",
        message=f": {message}" if message else "",
    )
