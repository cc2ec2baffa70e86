"""Payments and their refunds, append-only. Amounts are integer minor units."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import StatusMachine, TimestampMixin, UTCDateTime, enum_column, partial_index
from app.core.roles import FINANCE_ROLES
from app.extensions import db


class PaymentStatus(enum.StrEnum):
    """Mirrors a PaymentIntent's life."""

    REQUIRES_PAYMENT = "requires_payment"
    REQUIRES_ACTION = "requires_action"
    PROCESSING = "processing"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


PAYMENT_TRANSITIONS: dict[PaymentStatus, frozenset[PaymentStatus]] = {
    PaymentStatus.REQUIRES_PAYMENT: frozenset(
        {
            PaymentStatus.REQUIRES_ACTION,
            PaymentStatus.PROCESSING,
            PaymentStatus.SUCCEEDED,
            PaymentStatus.FAILED,
            PaymentStatus.CANCELLED,
        }
    ),
    PaymentStatus.REQUIRES_ACTION: frozenset(
        {PaymentStatus.PROCESSING, PaymentStatus.SUCCEEDED, PaymentStatus.FAILED, PaymentStatus.CANCELLED}
    ),
    PaymentStatus.PROCESSING: frozenset({PaymentStatus.SUCCEEDED, PaymentStatus.FAILED}),
    # A late success (webhook) may follow a failure reported earlier on the same intent; a declined
    # intent is cancelled when its booking closes.
    PaymentStatus.FAILED: frozenset({PaymentStatus.SUCCEEDED, PaymentStatus.CANCELLED}),
    PaymentStatus.SUCCEEDED: frozenset(),
    # A success is a fact even if it raced our cancellation; it is refunded as unusable.
    PaymentStatus.CANCELLED: frozenset({PaymentStatus.SUCCEEDED}),
}


TOTALS = ["currency", "status", "amount", "amount_refunded"]  # what the finance list's totals sum


class Payment(StatusMachine, TimestampMixin, db.Model):
    """One payment for one booking; amount_refunded is kept in step with succeeded refunds."""

    TRANSITIONS = PAYMENT_TRANSITIONS
    NOUN = "payment"
    __tablename__ = "payments"
    __table_args__ = (
        # The finance list's totals per currency read only these indexes on PostgreSQL
        # (index-only scans: the INCLUDE columns are what totals() sums).
        sa.Index(
            "ix_payments_status_created",
            "status",
            "created_at",
            "id",
            postgresql_include=["currency", "amount", "amount_refunded"],
        ),
        sa.Index(
            "ix_payments_created",
            "created_at",
            "id",
            postgresql_include=["currency", "status", "amount", "amount_refunded"],
        ),
        # The finance list's disputed and refunded filters (rare rows): its page and totals read only
        # these, instead of every payment of the window (issue 20's combinations walk).
        partial_index("ix_payments_disputed", "created_at", "id", where="is_disputed", postgresql_include=TOTALS),
        partial_index(
            "ix_payments_refunded", "created_at", "id", where="amount_refunded > 0", postgresql_include=TOTALS
        ),
        sa.Index("ix_payments_coach_created", "coach_id", "created_at"),
        sa.Index("ix_payments_client_created", "client_id", "created_at"),
        # PostgreSQL, written by hand in 20261206_2200_amount_email_ix: ix_payments_amount_scaled on
        # app.core.db.scaled_amount_sql, for the amount limits in each payment's own currency.
        sa.CheckConstraint("amount > 0", name="amount_positive"),
        sa.CheckConstraint("amount_refunded >= 0 AND amount_refunded <= amount", name="refund_bounds"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(sa.ForeignKey("bookings.id"), index=True, nullable=False)
    client_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    coach_id: Mapped[int] = mapped_column(sa.ForeignKey("coach_profiles.id"), nullable=False)
    amount: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)
    currency: Mapped[str] = mapped_column(sa.String(3), nullable=False)
    amount_refunded: Mapped[int] = mapped_column(sa.BigInteger, default=0, nullable=False)
    fee_amount: Mapped[int | None] = mapped_column(sa.BigInteger)
    status: Mapped[PaymentStatus] = mapped_column(
        enum_column(PaymentStatus), default=PaymentStatus.REQUIRES_PAYMENT, nullable=False
    )
    gateway: Mapped[str] = mapped_column(sa.String(16), nullable=False)  # stripe | offline
    provider_intent_id: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    provider_charge_id: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    idempotency_key: Mapped[str] = mapped_column(sa.String(80), unique=True, nullable=False)
    failure_message: Mapped[str | None] = mapped_column(sa.Text)
    is_disputed: Mapped[bool] = mapped_column(default=False, nullable=False)
    succeeded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    booking = relationship("Booking")
    client = relationship("User")
    coach = relationship("CoachProfile")
    refunds: Mapped[list[Refund]] = relationship(back_populates="payment", order_by="Refund.id")

    @property
    def refundable(self) -> int:
        """What may still be refunded, in minor units."""
        return self.amount - self.amount_refunded

    @property
    def finance_status(self) -> str:
        """The status as finance reads it: a succeeded payment says whether money went back (refunded,
        partly_refunded)."""
        if self.status == PaymentStatus.SUCCEEDED and self.amount_refunded >= self.amount:
            return "refunded"
        if self.status == PaymentStatus.SUCCEEDED and self.amount_refunded > 0:
            return "partly_refunded"
        return self.status.value

    def is_paid_by(self, user) -> bool:
        """`user` is the client who paid: they never handle its refunds."""
        return user is not None and self.client_id == getattr(user, "id", None)

    def can_be_refunded_by(self, user, remaining: int) -> bool:
        """Finance staff (admins too) refund a succeeded payment that is not their own while
        `remaining` (refunds.refundable_now: what our rows leave) is above zero."""
        finance = user is not None and user.is_authenticated and user.has_role(*FINANCE_ROLES)
        return finance and self.status == PaymentStatus.SUCCEEDED and remaining > 0 and not self.is_paid_by(user)


class RefundReason(enum.StrEnum):
    """Stripe's reasons plus our own."""

    DUPLICATE = "duplicate"
    FRAUDULENT = "fraudulent"
    REQUESTED_BY_CUSTOMER = "requested_by_customer"
    SESSION_CANCELLED = "session_cancelled"
    COACH_NO_SHOW = "coach_no_show"
    GOODWILL = "goodwill"


class RefundStatus(enum.StrEnum):
    """pending_approval → pending → sending → succeeded | failed | unknown (see REFUND_TRANSITIONS).

    `sending` is set (and committed) before the provider is called, so a crash or a lost answer
    leaves a refund whose outcome is not known; `unknown` is settled by reading the provider back.
    """

    PENDING_APPROVAL = "pending_approval"
    PENDING = "pending"
    SENDING = "sending"
    UNKNOWN = "unknown"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    REJECTED = "rejected"  # the second approver said no


REFUND_TRANSITIONS: dict[RefundStatus, frozenset[RefundStatus]] = {
    RefundStatus.PENDING_APPROVAL: frozenset({RefundStatus.PENDING, RefundStatus.REJECTED}),
    RefundStatus.PENDING: frozenset({RefundStatus.SENDING, RefundStatus.SUCCEEDED, RefundStatus.FAILED}),
    # The provider's answer (or its webhook) settles a send; no answer makes it unknown.
    RefundStatus.SENDING: frozenset(
        {RefundStatus.PENDING, RefundStatus.SUCCEEDED, RefundStatus.FAILED, RefundStatus.UNKNOWN}
    ),
    # Read back from the provider: found (succeeded/failed/pending there) or not found (send again).
    RefundStatus.UNKNOWN: frozenset(
        {RefundStatus.PENDING, RefundStatus.SENDING, RefundStatus.SUCCEEDED, RefundStatus.FAILED}
    ),
    # Retried (read back first, as unknown), or a late success.
    RefundStatus.FAILED: frozenset({RefundStatus.UNKNOWN, RefundStatus.SUCCEEDED}),
    RefundStatus.SUCCEEDED: frozenset({RefundStatus.FAILED}),  # Stripe may report a refund failing later
    RefundStatus.REJECTED: frozenset(),
}


class Refund(StatusMachine, TimestampMixin, db.Model):
    """A full or partial refund of a payment; never deleted."""

    TRANSITIONS = REFUND_TRANSITIONS
    NOUN = "refund"
    __tablename__ = "refunds"
    __table_args__ = (
        sa.Index("ix_refunds_payment", "payment_id", "created_at"),
        sa.Index("ix_refunds_status_created", "status", "created_at"),
        # The inbox's refund queues in their order (app.staff.inbox reads their oldest 100).
        partial_index("ix_refunds_awaiting_approval", "created_at", "id", where="status = 'pending_approval'"),
        partial_index("ix_refunds_failed", "created_at", "id", where="status IN ('failed', 'unknown')"),
        sa.CheckConstraint("amount > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(sa.ForeignKey("payments.id"), nullable=False)
    amount: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)
    currency: Mapped[str] = mapped_column(sa.String(3), nullable=False)
    reason: Mapped[RefundReason] = mapped_column(enum_column(RefundReason), nullable=False)
    note: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)
    status: Mapped[RefundStatus] = mapped_column(enum_column(RefundStatus), nullable=False)
    idempotency_key: Mapped[str] = mapped_column(sa.String(80), unique=True, nullable=False)
    provider_refund_id: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    failure_message: Mapped[str | None] = mapped_column(sa.Text)
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    succeeded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Time of the provider event that last set the status; an older event never moves it.
    provider_status_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Sends to the provider, all under the same idempotency key.
    attempts: Mapped[int] = mapped_column(default=0, server_default="0", nullable=False)

    payment: Mapped[Payment] = relationship(back_populates="refunds")
    requested_by = relationship("User", foreign_keys=[requested_by_id])
    approved_by = relationship("User", foreign_keys=[approved_by_id])

    @property
    def can_be_retried(self) -> bool:
        """Finance may retry a failed refund or have an unknown one read back from the provider."""
        return self.status in (RefundStatus.FAILED, RefundStatus.UNKNOWN)

    def was_requested_by(self, user) -> bool:
        """`user` asked for this refund."""
        return self.requested_by_id is not None and self.requested_by_id == getattr(user, "id", None)

    def can_be_rejected_by(self, user) -> bool:
        """Finance staff other than the payment's client decide a refund awaiting approval."""
        finance = user is not None and user.is_authenticated and user.has_role(*FINANCE_ROLES)
        return finance and self.status == RefundStatus.PENDING_APPROVAL and not self.payment.is_paid_by(user)

    def can_be_approved_by(self, user) -> bool:
        """As rejecting, and by someone other than who asked for it (four eyes)."""
        return self.can_be_rejected_by(user) and not self.was_requested_by(user)

    @property
    def client_status(self) -> str | None:
        """What the client sees: sending and unknown are still pending to them; unapproved ones not at all."""
        if self.status in (RefundStatus.PENDING_APPROVAL, RefundStatus.REJECTED):
            return None
        if self.status in (RefundStatus.SENDING, RefundStatus.UNKNOWN):
            return RefundStatus.PENDING.value
        return self.status.value


def _refuse_delete(mapper, connection, target):
    raise RuntimeError(f"{type(target).__name__} rows are append-only")


sa.event.listen(Payment, "before_delete", _refuse_delete)
sa.event.listen(Refund, "before_delete", _refuse_delete)
