"""The go-live checklist: what a coach still needs before their profile can be listed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import url_for

from app.coaches.models import CoachProfile, PayoutAccount
from app.core.db import utcnow
from app.extensions import db

BIO_MIN_CHARS = 200
SLOT_WINDOW_DAYS = 14


@dataclass(frozen=True)
class ChecklistItem:
    """One condition of going live, whether it holds, and the page that completes it."""

    key: str
    label: str
    done: bool
    endpoint: str
    anchor: str = ""

    @property
    def url(self) -> str:
        """Where the coach completes this item."""
        return url_for(self.endpoint) + (f"#{self.anchor}" if self.anchor else "")


def profile_gaps(coach: CoachProfile) -> list[str]:
    """What the profile itself still lacks, in words for the coach."""
    gaps = []
    if not coach.headline.strip():
        gaps.append("a headline")
    if len(coach.bio.strip()) < BIO_MIN_CHARS:
        gaps.append(f"a bio of at least {BIO_MIN_CHARS} characters")
    if not coach.photo_key:
        gaps.append("a photo")
    if not coach.specializations:
        gaps.append("your specializations")
    if not coach.languages:
        gaps.append("the languages you coach in")
    return gaps


def checklist(coach: CoachProfile, now: datetime | None = None) -> list[ChecklistItem]:
    """Every go-live condition for this coach, in the order they are usually done."""
    from app.booking.availability import active_session_types, next_free_slot

    now = now or utcnow()
    has_types = bool(active_session_types(coach.id))
    slot = next_free_slot(coach, now=now, days=SLOT_WINDOW_DAYS) if has_types else None
    has_payout = db.session.scalar(sa.select(PayoutAccount.id).where(PayoutAccount.coach_id == coach.id)) is not None
    return [
        ChecklistItem("profile", "Profile complete", not profile_gaps(coach), "coach_profile.edit", "profile"),
        ChecklistItem(
            "session_type", "At least one active session type with a price", has_types, "availability.availability",
            "types",
        ),
        ChecklistItem(
            "hours", f"Weekly hours with a free slot in the next {SLOT_WINDOW_DAYS} days", slot is not None,
            "availability.availability", "weekly",
        ),
        ChecklistItem("payout", "Payout details", has_payout, "coach_profile.edit", "payout"),
    ]  # fmt: skip


def can_go_live(items: list[ChecklistItem]) -> bool:
    """Every item holds."""
    return all(item.done for item in items)


@dataclass(frozen=True)
class OwnChecklist:
    """A coach's profile and checklist, for the dashboard and the application status page."""

    coach: CoachProfile
    items: list[ChecklistItem]


def own_checklist(user) -> OwnChecklist | None:
    """The signed-in user's checklist when they have a coach profile (a template global)."""
    if not getattr(user, "is_authenticated", False):
        return None
    coach = db.session.scalar(sa.select(CoachProfile).where(CoachProfile.user_id == user.id))
    return None if coach is None else OwnChecklist(coach, checklist(coach))
