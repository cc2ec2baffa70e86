"""Claims on queue items (verification, moderation): one reviewer at a time, enforced by a
conditional UPDATE whose WHERE clause says the row is free, expired or already the actor's."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from app.core.db import utcnow

RELEASED = {"claimed_by_id": None, "claimed_at": None, "claim_expires_at": None}


class ClaimMixin:
    """What a claimable queue row answers about its claim (the columns are the model's own)."""

    claimed_by_id: int | None
    claim_expires_at: datetime | None

    def is_claimed(self, now: datetime | None = None) -> bool:
        """True while a reviewer's claim has not expired."""
        return self.claimed_by_id is not None and (self.claim_expires_at or utcnow()) > (now or utcnow())

    def is_claimed_by(self, user, now: datetime | None = None) -> bool:
        """True while `user` holds a live claim on it."""
        return self.is_claimed(now) and self.claimed_by_id == getattr(user, "id", None)

    def is_held_by_other_than(self, user, now: datetime | None = None) -> bool:
        """True while someone other than `user` holds a live claim on it."""
        return self.is_claimed(now) and self.claimed_by_id != getattr(user, "id", None)


def claim_minutes() -> int:
    """How long a claim lasts (CLAIM_MINUTES)."""
    return int(current_app.config["CLAIM_MINUTES"])


def claimable_by(model, actor, now: datetime):
    """SQL condition: nobody holds the row, the claim expired, or the actor holds it."""
    return sa.or_(model.claimed_by_id.is_(None), model.claim_expires_at < now, model.claimed_by_id == actor.id)


def claim_values(actor, now: datetime) -> dict:
    """Column values that give the row to the actor for claim_minutes()."""
    return {"claimed_by_id": actor.id, "claimed_at": now, "claim_expires_at": now + timedelta(minutes=claim_minutes())}
