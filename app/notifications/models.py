"""Notifications: what a user is told about (a new message, a booking change, a refund...), one
unread row per subject, and whether a mail followed it or why not."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import UTCDateTime, enum_column, utcnow
from app.extensions import db


class MailState(enum.Enum):
    """What became of the mail that may follow a notification.

    PENDING -> SENT | SUPPRESSED (read in time, preferences, no address...), decided once.
    """

    PENDING = "pending"
    SENT = "sent"
    SUPPRESSED = "suppressed"


class Notification(db.Model):
    """One thing to tell a user; `subject_key` ("thread:12") keeps one unread row per subject,
    so ten messages in a thread are one notification whose `count` is 10."""

    __tablename__ = "notifications"
    __table_args__ = (
        sa.Index(
            "uq_notifications_unread_subject",
            "user_id",
            "subject_key",
            unique=True,
            postgresql_where=sa.text("read_at IS NULL"),
            sqlite_where=sa.text("read_at IS NULL"),
        ),
        sa.Index("ix_notifications_user_updated", "user_id", "updated_at"),
        sa.Index(
            "ix_notifications_mail_due",
            "mail_due_at",
            postgresql_where=sa.text("mail_state = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    kind: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    subject_key: Mapped[str] = mapped_column(sa.String(80), nullable=False)
    title: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    body: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)
    link: Mapped[str] = mapped_column(sa.String(300), nullable=False)
    count: Mapped[int] = mapped_column(default=1, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    mail_state: Mapped[MailState] = mapped_column(enum_column(MailState), nullable=False)
    mail_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    mail_note: Mapped[str] = mapped_column(sa.String(200), default="", nullable=False)

    @property
    def is_unread(self) -> bool:
        """Not read yet."""
        return self.read_at is None


class PushSubscription(db.Model):
    """One browser's Web Push subscription (the user turned push on on that device).

    Removed when its push service answers 404 or 410 (the browser dropped it), or by its user.
    """

    __tablename__ = "push_subscriptions"
    __table_args__ = (sa.Index("ix_push_subscriptions_user_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    endpoint: Mapped[str] = mapped_column(sa.String(1000), nullable=False, unique=True)
    p256dh: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    auth: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    last_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(sa.String(300), default="", nullable=False)
