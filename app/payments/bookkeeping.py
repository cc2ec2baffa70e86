"""Finance's records beside payments and refunds: stored webhook events, differences with Stripe
(reconciliation items) and the payments' day totals."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import UTCDateTime, enum_column, partial_index, utcnow
from app.extensions import db
from app.payments.models import PaymentStatus


class WebhookStatus(enum.StrEnum):
    """Processing state of a stored webhook event."""

    PENDING = "pending"
    PROCESSED = "processed"
    IGNORED = "ignored"
    FAILED = "failed"


class WebhookEvent(db.Model):
    """A provider event, stored once by its id so duplicate deliveries are not reprocessed."""

    __tablename__ = "webhook_events"
    __table_args__ = (
        sa.UniqueConstraint("provider", "provider_event_id", name="uq_webhook_events_provider_event"),
        sa.Index("ix_webhook_events_payment", "payment_id", "received_at"),
        sa.Index("ix_webhook_events_status", "status", "received_at"),
        partial_index("ix_webhook_events_failed", "received_at", "id", where="status = 'failed'"),  # the inbox's
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    provider_event_id: Mapped[str] = mapped_column(sa.String(80), nullable=False)
    type: Mapped[str] = mapped_column(sa.String(80), nullable=False)
    payload: Mapped[dict] = mapped_column(sa.JSON, nullable=False)
    provider_created_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[WebhookStatus] = mapped_column(
        enum_column(WebhookStatus), default=WebhookStatus.PENDING, nullable=False
    )
    error: Mapped[str | None] = mapped_column(sa.Text)
    payment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("payments.id"))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ReconciliationResolution(enum.StrEnum):
    """How finance settled a difference with Stripe."""

    OURS_CORRECTED = "ours_corrected"  # our books were wrong and are corrected
    STRIPE_CORRECTED = "stripe_corrected"  # Stripe was wrong (e.g. refunded there) and is corrected
    ACCEPTED = "accepted"  # explained, nothing to correct: not listed again while both sides stay so


class ReconciliationItem(db.Model):
    """A difference between our books and Stripe's for one payment (or one of its refunds): a
    finance queue item showing both sides, open until finance resolves it (how, why, by whom)."""

    __tablename__ = "reconciliation_items"
    __table_args__ = (
        sa.Index("ix_reconciliation_items_open", "resolved_at", "found_at"),
        partial_index("ix_reconciliation_items_waiting", "found_at", "id", where="resolved_at IS NULL"),  # inbox
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(sa.ForeignKey("payments.id"), index=True, nullable=False)
    refund_id: Mapped[int | None] = mapped_column(sa.ForeignKey("refunds.id"))
    provider_refund_id: Mapped[str | None] = mapped_column(sa.String(64))
    kind: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    ours: Mapped[dict] = mapped_column(sa.JSON, nullable=False)
    theirs: Mapped[dict] = mapped_column(sa.JSON, nullable=False)
    found_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolution: Mapped[ReconciliationResolution | None] = mapped_column(enum_column(ReconciliationResolution))
    resolution_note: Mapped[str | None] = mapped_column(sa.Text)
    resolved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    payment = relationship("Payment")
    resolved_by = relationship("User", foreign_keys=[resolved_by_id])

    @property
    def is_open(self) -> bool:
        """Not resolved yet."""
        return self.resolved_at is None


class PaymentDayTotal(db.Model):
    """Payments of one UTC day, currency and status: count, amount and refunded (minor units).

    It holds every payment created before `payment_rollup_state.rolled_until`: each roll-up adds
    the payments created since the previous one, and from then on a PostgreSQL trigger on payments
    applies every later change (a refund, a late success) in the same transaction. Newer payments
    are read live.
    """

    __tablename__ = "payment_day_totals"

    day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    currency: Mapped[str] = mapped_column(sa.String(3), primary_key=True)
    status: Mapped[PaymentStatus] = mapped_column(enum_column(PaymentStatus), primary_key=True)
    payment_count: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)
    amount_total: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)
    refunded_total: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)


class PaymentRollupState(db.Model):
    """One row: payments created before `rolled_until` are in payment_day_totals."""

    __tablename__ = "payment_rollup_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    rolled_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
