"""Cross-domain tables: the audit log, outgoing mail, job failures and editable settings."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import UTCDateTime, enum_column, partial_index, utcnow
from app.extensions import db


class AuditLog(db.Model):
    """Append-only: who did what to which object, before and after, when, from where."""

    __tablename__ = "audit_log"
    __table_args__ = (
        sa.Index("ix_audit_log_object", "object_type", "object_id", "created_at"),
        # The audit list's filters, in its order (newest id first): an index range read backwards
        # serves a page of a common action or a busy actor without sorting all of its rows.
        sa.Index("ix_audit_log_actor_id", "actor_id", "id"),
        sa.Index("ix_audit_log_action_id", "action", "id"),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    object_type: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    object_id: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    before: Mapped[dict | None] = mapped_column(sa.JSON)
    after: Mapped[dict | None] = mapped_column(sa.JSON)
    ip_address: Mapped[str | None] = mapped_column(sa.String(45))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    actor = relationship("User", lazy="joined")


class MailStatus(enum.StrEnum):
    """Where an outgoing mail stands."""

    QUEUED = "queued"
    SENT = "sent"  # handed to SMTP
    OUTBOX = "outbox"  # embedded mode: kept for the staff outbox, not sent
    FAILED = "failed"


class OutgoingMail(db.Model):
    """Every mail the application sends, rendered; the outbox in embedded mode."""

    __tablename__ = "outgoing_mails"
    __table_args__ = (sa.Index("ix_outgoing_mails_created", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(sa.String(254), nullable=False, index=True)
    subject: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    template: Mapped[str] = mapped_column(sa.String(80), nullable=False)
    text_body: Mapped[str] = mapped_column(sa.Text, nullable=False)
    html_body: Mapped[str] = mapped_column(sa.Text, nullable=False)
    attachments: Mapped[list | None] = mapped_column(sa.JSON)  # [{filename, content_type, key}]
    status: Mapped[MailStatus] = mapped_column(enum_column(MailStatus), default=MailStatus.QUEUED, nullable=False)
    error: Mapped[str | None] = mapped_column(sa.Text)
    attempts: Mapped[int] = mapped_column(default=0, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class JobFailure(db.Model):
    """A background job that raised; shown in the console and retryable from there."""

    __tablename__ = "job_failures"
    __table_args__ = (partial_index("ix_job_failures_open", "created_at", "id", where="retried_at IS NULL"),)  # inbox

    id: Mapped[int] = mapped_column(primary_key=True)
    queue: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    func: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    args: Mapped[list] = mapped_column(sa.JSON, nullable=False)
    error: Mapped[str] = mapped_column(sa.Text, nullable=False)
    job_id: Mapped[str | None] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False, index=True)
    retried_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Setting(db.Model):
    """A value staff can edit in the console (thresholds, templates); changes are audited."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    value: Mapped[dict | list | str | int | None] = mapped_column(sa.JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False)


def _refuse(mapper, connection, target):
    raise RuntimeError(f"{type(target).__name__} rows are append-only")


sa.event.listen(AuditLog, "before_update", _refuse)
sa.event.listen(AuditLog, "before_delete", _refuse)
