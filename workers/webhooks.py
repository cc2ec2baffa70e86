"""Webhook processing job."""

from app.payments import webhooks
from workers.context import job


@job
def process_webhook_event(event_id: int) -> None:
    """Apply one stored provider event (idempotent; raises to be retried when it cannot yet)."""
    webhooks.process_event(event_id)
