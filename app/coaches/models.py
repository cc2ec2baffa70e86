"""Coach profiles, their specializations and languages, and client reviews."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import TimestampMixin, UTCDateTime, enum_column, utcnow
from app.extensions import db


class CertificationLevel(enum.StrEnum):
    """iPEC certification levels, lowest first."""

    ASSOCIATE = "associate"
    PROFESSIONAL = "professional"
    MASTER = "master"


# The languages a coach may list (ISO 639-1), with their English names.
LANGUAGES = {
    "en": "English",
    "de": "German",
    "fr": "French",
    "es": "Spanish",
    "it": "Italian",
    "nl": "Dutch",
    "pt": "Portuguese",
    "pl": "Polish",
    "ja": "Japanese",
    "sv": "Swedish",
}

coach_specializations = sa.Table(
    "coach_specializations",
    db.metadata,
    sa.Column("coach_id", sa.ForeignKey("coach_profiles.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("specialization_id", sa.ForeignKey("specializations.id"), primary_key=True, index=True),
)


class Specialization(db.Model):
    """A coaching area (career, relationships, leadership, ...)."""

    __tablename__ = "specializations"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(60), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(sa.String(80), nullable=False)


class CoachLanguage(db.Model):
    """A language a coach works in (ISO 639-1 code)."""

    __tablename__ = "coach_languages"

    coach_id: Mapped[int] = mapped_column(sa.ForeignKey("coach_profiles.id", ondelete="CASCADE"), primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(8), primary_key=True, index=True)


class CoachProfile(TimestampMixin, db.Model):
    """The public face of an approved coach; goes live (is_active) once complete."""

    __tablename__ = "coach_profiles"
    __table_args__ = (
        sa.Index("ix_coach_profiles_active_rate", "is_active", "hourly_rate_amount"),
        sa.Index("ix_coach_profiles_active_rating", "is_active", "rating_avg"),
        sa.Index("ix_coach_profiles_active_level", "is_active", "certification_level"),
        sa.Index("ix_coach_profiles_active_price_from", "is_active", "price_from_amount"),
        sa.Index("ix_coach_profiles_active_next_slot", "is_active", "next_slot_at"),
        sa.Index("ix_coach_profiles_active_currency", "is_active", "currency"),  # the price filter's currencies
        # PostgreSQL: the stored tsvector `search_vector` (generated from search_text) and its GIN
        # index are written by hand in the migrations (SQLite searches with LIKE).
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), unique=True, nullable=False)
    headline: Mapped[str] = mapped_column(sa.String(160), default="", nullable=False)
    bio: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)
    timezone: Mapped[str] = mapped_column(sa.String(64), default="UTC", nullable=False)
    certification_level: Mapped[CertificationLevel] = mapped_column(enum_column(CertificationLevel), nullable=False)
    ipec_number: Mapped[str] = mapped_column(sa.String(32), unique=True, nullable=False)
    certified_on: Mapped[datetime | None] = mapped_column(sa.Date)
    years_experience: Mapped[int] = mapped_column(default=0, nullable=False)
    hourly_rate_amount: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)
    currency: Mapped[str] = mapped_column(sa.String(3), nullable=False)
    is_active: Mapped[bool] = mapped_column(default=False, nullable=False)
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Booking policy, in the coach's own terms.
    buffer_minutes: Mapped[int] = mapped_column(default=15, nullable=False)
    min_notice_hours: Mapped[int] = mapped_column(default=24, nullable=False)
    horizon_days: Mapped[int] = mapped_column(default=60, nullable=False)
    client_cancel_notice_hours: Mapped[int] = mapped_column(default=24, nullable=False)
    # Denormalised from reviews so search can sort and filter without aggregating.
    rating_avg: Mapped[float | None] = mapped_column(sa.Numeric(3, 2))
    rating_count: Mapped[int] = mapped_column(default=0, nullable=False)
    # Denormalised for search (refreshed by app.coaches.search.refresh_search_fields): name,
    # headline, bio and specializations as one text; the cheapest active session type; the next
    # free slot (so "free in the next N days" and "soonest" need no slot computation per coach).
    search_text: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)
    price_from_amount: Mapped[int | None] = mapped_column(sa.BigInteger)
    next_slot_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The photo's storage key stem (app.coaches.photos writes <stem>-<size>.jpg); changes per upload.
    photo_key: Mapped[str | None] = mapped_column(sa.String(200))

    user = relationship("User", lazy="joined")
    specializations: Mapped[list[Specialization]] = relationship(
        secondary=coach_specializations, lazy="selectin", order_by=Specialization.name
    )
    languages: Mapped[list[CoachLanguage]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    @property
    def photo_version(self) -> str | None:
        """The current photo's version (its key's last part), for cache-busting URLs."""
        return self.photo_key.rsplit("/", 1)[-1] if self.photo_key else None


class PayoutAccount(TimestampMixin, db.Model):
    """Where a coach is paid: the holder's name and an IBAN, encrypted at rest (app.coaches.payout)."""

    __tablename__ = "payout_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    coach_id: Mapped[int] = mapped_column(
        sa.ForeignKey("coach_profiles.id", ondelete="CASCADE"), unique=True, nullable=False
    )
    holder_name: Mapped[str] = mapped_column(sa.String(140), nullable=False)
    iban_encrypted: Mapped[str] = mapped_column(sa.Text, nullable=False)
    iban_last4: Mapped[str] = mapped_column(sa.String(4), nullable=False)
    country: Mapped[str] = mapped_column(sa.String(2), nullable=False)

    @property
    def masked(self) -> str:
        """The IBAN as it may be shown: country and last four characters only."""
        return f"{self.country}•• •••• •••• {self.iban_last4}"


class Review(db.Model):
    """A client's rating (1-5) and review of a completed session; one per booking."""

    __tablename__ = "reviews"
    __table_args__ = (
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),
        sa.Index("ix_reviews_coach_created", "coach_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(sa.ForeignKey("bookings.id"), unique=True, nullable=False)
    coach_id: Mapped[int] = mapped_column(sa.ForeignKey("coach_profiles.id"), nullable=False)
    client_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    rating: Mapped[int] = mapped_column(sa.SmallInteger, nullable=False)
    body: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    client = relationship("User")
