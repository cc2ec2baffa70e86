"""Claims on queue items (verification, moderation): one reviewer at a time, enforced by a
conditional UPDATE whose WHERE clause says the row is free, expired or already the actor's."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

RELEASED = {"claimed_by_id": None, "claimed_at": None, "claim_expires_at": None}


def claim_minutes() -> int:
    """How long a claim lasts (CLAIM_MINUTES)."""
    return int(current_app.config["CLAIM_MINUTES"])


def claimable_by(model, actor, now: datetime):
    """SQL condition: nobody holds the row, the claim expired, or the actor holds it."""
    return sa.or_(model.claimed_by_id.is_(None), model.claim_expires_at < now, model.claimed_by_id == actor.id)


def claim_values(actor, now: datetime) -> dict:
    """Column values that give the row to the actor for claim_minutes()."""
    return {"claimed_by_id": actor.id, "claimed_at": now, "claim_expires_at": now + timedelta(minutes=claim_minutes())}
