"""Video session jobs: decide the sessions whose room closed; the refund an outcome owes the client."""

from __future__ import annotations

from app.video import outcomes
from workers.context import job


@job
def decide_due() -> int:
    """Decide every due session (idempotent: one outcome per booking)."""
    return outcomes.decide_due()


@job
def refund_outcome(booking_id: int) -> None:
    """Request the refund a coach no-show (or staff's decision) owes the client, once (its key)."""
    outcomes.refund_outcome(booking_id)
