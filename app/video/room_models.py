"""Rooms at a hosted video provider (Daily, Jitsi) and the provider events already applied."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import UTCDateTime, utcnow
from app.extensions import db


class VideoRoom(db.Model):
    """A booking's room at a provider: a random name (never derived from ids) and the provider's URL."""

    __tablename__ = "video_rooms"
    __table_args__ = (sa.UniqueConstraint("booking_id", "provider", name="uq_video_rooms_booking_provider"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(sa.ForeignKey("bookings.id", ondelete="CASCADE"), nullable=False)
    provider: Mapped[str] = mapped_column(sa.String(16), nullable=False)  # daily | jitsi
    name: Mapped[str] = mapped_column(sa.String(64), unique=True, nullable=False)
    url: Mapped[str | None] = mapped_column(sa.String(500))  # set once the provider has the room
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class VideoProviderEvent(db.Model):
    """A provider webhook already applied, by the provider's id for it (or one built from its fields)."""

    __tablename__ = "video_provider_events"
    __table_args__ = (sa.UniqueConstraint("provider", "event_key", name="uq_video_provider_events_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    event_key: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    event_type: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
