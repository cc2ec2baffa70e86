"""The per-user durable event log: what a user receives live (messages, receipts, notifications,
later video signalling), each row's id the Server-Sent Events `id:`."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import UTCDateTime, utcnow
from app.extensions import db


class UserEvent(db.Model):
    """One event for one user: a type ("message.new", "receipt", ...) and a JSON payload.

    Ids grow in commit order per user (the writer holds the user's lock until it commits), so a
    reader that has seen id N never later finds a smaller id of that user appearing.
    """

    __tablename__ = "user_events"
    __table_args__ = (sa.Index("ix_user_events_user_id", "user_id", "id"),)

    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    type: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    payload: Mapped[dict] = mapped_column(sa.JSON, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
