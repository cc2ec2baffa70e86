"""Message threads (a pre-booking enquiry, or one per booking), their participants' watermarks and
their messages.

The database is the source of truth: message ids only grow, a retried send carries the same
`client_msg_id` (unique per sender) and finds its row, and what is unread, delivered or seen is
derived from each participant's watermarks, never from a separate counter.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import UTCDateTime, utcnow
from app.extensions import db


class MessageThread(db.Model):
    """A conversation between one client and one coach; `booking_id` ties it to a session."""

    __tablename__ = "message_threads"
    __table_args__ = (
        # One enquiry thread per pair; booking threads are one per booking.
        sa.Index(
            "uq_message_threads_enquiry_pair",
            "client_id",
            "coach_user_id",
            unique=True,
            sqlite_where=sa.text("booking_id IS NULL"),
            postgresql_where=sa.text("booking_id IS NULL"),
        ),
        sa.Index("ix_message_threads_coach_last", "coach_user_id", "last_message_at"),
        sa.Index("ix_message_threads_client_last", "client_id", "last_message_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    coach_user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    booking_id: Mapped[int | None] = mapped_column(sa.ForeignKey("bookings.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    last_message_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    client = relationship("User", foreign_keys=[client_id])
    coach_user = relationship("User", foreign_keys=[coach_user_id])
    booking = relationship("Booking")

    def has_participant(self, user) -> bool:
        """The client and the coach are the thread's only readers and writers."""
        return user is not None and user.id in (self.client_id, self.coach_user_id)

    def other_id(self, user_id: int) -> int:
        """The id of the participant who is not `user_id`."""
        return self.coach_user_id if user_id == self.client_id else self.client_id

    def writes_close_at(self, days_after_session: int) -> datetime | None:
        """When writing ends: `days_after_session` after a booking's session; an enquiry never closes."""
        if self.booking is None:
            return None
        return self.booking.ends_at + timedelta(days=days_after_session)

    def is_open_for_writing(self, days_after_session: int, now: datetime | None = None) -> bool:
        """Whether a participant may still write (reading stays open)."""
        closes = self.writes_close_at(days_after_session)
        return closes is None or (now or utcnow()) < closes


class ThreadParticipant(db.Model):
    """One participant of a thread and their watermarks: every message up to the id is read/delivered."""

    __tablename__ = "message_participants"
    __table_args__ = (sa.Index("ix_message_participants_user", "user_id"),)

    thread_id: Mapped[int] = mapped_column(sa.ForeignKey("message_threads.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), primary_key=True)
    last_read_message_id: Mapped[int] = mapped_column(sa.BigInteger, default=0, nullable=False)
    last_delivered_message_id: Mapped[int] = mapped_column(sa.BigInteger, default=0, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class Message(db.Model):
    """One message in a thread; `is_hidden` by moderation or held for review by a watched word."""

    __tablename__ = "messages"
    __table_args__ = (
        sa.Index("ix_messages_thread_id", "thread_id", "id"),
        sa.Index("ix_messages_recipient_id", "recipient_id", "id"),
        sa.UniqueConstraint("sender_id", "client_msg_id", name="uq_messages_sender_client_msg_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(sa.ForeignKey("message_threads.id"), nullable=False)
    sender_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    recipient_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    client_msg_id: Mapped[str | None] = mapped_column(sa.String(64))
    body: Mapped[str] = mapped_column(sa.Text, nullable=False)
    is_hidden: Mapped[bool] = mapped_column(default=False, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    sender = relationship("User", foreign_keys=[sender_id])
    attachments = relationship("MessageAttachment", order_by="MessageAttachment.id", lazy="selectin")


class MessageAttachment(db.Model):
    """A PDF, PNG or JPEG uploaded to a thread (type sniffed from its bytes, kept in storage).

    Until a message carries it (`message_id`) only its uploader can fetch it; then both participants.
    """

    __tablename__ = "message_attachments"
    __table_args__ = (
        sa.Index("ix_message_attachments_message_id", "message_id"),
        sa.Index("ix_message_attachments_thread_id", "thread_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(sa.ForeignKey("message_threads.id"), nullable=False)
    uploader_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    message_id: Mapped[int | None] = mapped_column(sa.ForeignKey("messages.id"))
    storage_key: Mapped[str] = mapped_column(sa.String(255), nullable=False, unique=True)
    filename: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    content_type: Mapped[str] = mapped_column(sa.String(64), nullable=False)  # sniffed
    size_bytes: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    thread = relationship("MessageThread")

    @property
    def preview_key(self) -> str | None:
        """Where an image's re-encoded preview is kept (made at upload); None for a PDF."""
        if not self.content_type.startswith("image/"):
            return None
        return f"{self.storage_key.rsplit('.', 1)[0]}-preview.jpg"

    def can_be_read_by(self, user) -> bool:
        """The uploader always; the other participant once a message carries it."""
        if user is None or not getattr(user, "is_authenticated", False):
            return False
        if user.id == self.uploader_id:
            return True
        return self.message_id is not None and self.thread.has_participant(user)
