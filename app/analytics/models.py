"""Analytics events (no personal data), chart rollups and generated reports."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import UTCDateTime, enum_column, partial_index, utcnow
from app.extensions import db


class AnalyticsEvent(db.Model):
    """A funnel or account event; properties hold no personal data, addresses truncated."""

    __tablename__ = "analytics_events"
    __table_args__ = (
        sa.Index("ix_analytics_events_name_occurred", "name", "occurred_at"),
        sa.Index("ix_analytics_events_occurred", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    coach_id: Mapped[int | None] = mapped_column()
    ip_prefix: Mapped[str | None] = mapped_column(sa.String(45))
    properties: Mapped[dict] = mapped_column(sa.JSON, default=dict, nullable=False)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class DailyRollup(db.Model):
    """A stored part of a metric per local day, refreshed by a job for fast charts.

    dimension is "<time zone>|<currency>" (the day is local to that zone); the "_coverage" row of
    a zone records the first day covered (day) and how many days are covered (value).
    """

    __tablename__ = "daily_rollups"

    metric: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    dimension: Mapped[str] = mapped_column(sa.String(40), primary_key=True, default="")
    value: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)
    refreshed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class ReportStatus(enum.StrEnum):
    """A generated report's progress."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Report(db.Model):
    """A report built by a job; the file is kept through the storage adapter."""

    __tablename__ = "reports"
    __table_args__ = (
        sa.Index("ix_reports_kind_created", "kind", "created_at"),
        partial_index("ix_reports_failed", "created_at", "id", where="status = 'failed'"),  # the inbox's queue
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(32), nullable=False)  # finance | verification | moderation
    period: Mapped[str] = mapped_column(sa.String(7), nullable=False)  # YYYY-MM
    status: Mapped[ReportStatus] = mapped_column(enum_column(ReportStatus), default=ReportStatus.QUEUED, nullable=False)
    progress: Mapped[int] = mapped_column(default=0, nullable=False)  # percent
    pdf_key: Mapped[str | None] = mapped_column(sa.String(255))
    csv_key: Mapped[str | None] = mapped_column(sa.String(255))
    error: Mapped[str | None] = mapped_column(sa.Text)
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def is_in_progress(self) -> bool:
        """Queued or running: the page shows its progress."""
        return self.status in (ReportStatus.QUEUED, ReportStatus.RUNNING)

    @property
    def is_ready(self) -> bool:
        """Built: its PDF and CSV can be downloaded."""
        return self.status == ReportStatus.DONE

    @property
    def can_be_retried(self) -> bool:
        """Only a failed report goes back to the queue."""
        return self.status == ReportStatus.FAILED
