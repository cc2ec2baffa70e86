"""Message threads between a client and a coach, and their messages."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import UTCDateTime, utcnow
from app.extensions import db


class MessageThread(db.Model):
    """The one conversation between a client and a coach."""

    __tablename__ = "message_threads"
    __table_args__ = (
        sa.UniqueConstraint("client_id", "coach_user_id", name="uq_message_threads_pair"),
        sa.Index("ix_message_threads_coach_last", "coach_user_id", "last_message_at"),
        sa.Index("ix_message_threads_client_last", "client_id", "last_message_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    coach_user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    last_message_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    client = relationship("User", foreign_keys=[client_id])
    coach_user = relationship("User", foreign_keys=[coach_user_id])


class Message(db.Model):
    """One message in a thread; read_at is set when the other party opens it."""

    __tablename__ = "messages"
    __table_args__ = (
        sa.Index("ix_messages_thread_created", "thread_id", "created_at"),
        sa.Index("ix_messages_unread", "recipient_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(sa.ForeignKey("message_threads.id"), nullable=False)
    sender_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    recipient_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    body: Mapped[str] = mapped_column(sa.Text, nullable=False)
    is_hidden: Mapped[bool] = mapped_column(default=False, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    sender = relationship("User", foreign_keys=[sender_id])
