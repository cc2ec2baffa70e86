"""Flags, the reviewable item that gathers them, and moderators' actions."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.claims import ClaimMixin
from app.core.db import StatusMachine, TimestampMixin, UTCDateTime, enum_column, utcnow
from app.core.roles import MODERATOR_ROLES
from app.extensions import db


class TargetType(enum.StrEnum):
    """What can be flagged."""

    DISCUSSION = "discussion"
    REPLY = "reply"
    PROFILE = "profile"
    MESSAGE = "message"


class FlagReason(enum.StrEnum):
    """Why a user flagged something."""

    SPAM = "spam"
    HARASSMENT = "harassment"
    INAPPROPRIATE = "inappropriate"
    OFF_TOPIC = "off_topic"
    OTHER = "other"
    WATCHED_WORD = "watched_word"  # raised by the system, not a user


class ItemStatus(enum.StrEnum):
    """A reviewable item's state; see ITEM_TRANSITIONS."""

    PENDING = "pending"
    KEPT = "kept"
    HIDDEN = "hidden"
    REMOVED = "removed"
    EDITED = "edited"


ITEM_TRANSITIONS: dict[ItemStatus, frozenset[ItemStatus]] = {
    ItemStatus.PENDING: frozenset({ItemStatus.KEPT, ItemStatus.HIDDEN, ItemStatus.REMOVED, ItemStatus.EDITED}),
    # A decided item returns to pending when new flags arrive.
    ItemStatus.KEPT: frozenset({ItemStatus.PENDING}),
    ItemStatus.HIDDEN: frozenset({ItemStatus.PENDING}),
    ItemStatus.REMOVED: frozenset(),
    ItemStatus.EDITED: frozenset({ItemStatus.PENDING}),
}


class ModerationItem(StatusMachine, ClaimMixin, TimestampMixin, db.Model):
    """One reviewable per flagged target, gathering all its flags (Discourse's Reviewable)."""

    TRANSITIONS = ITEM_TRANSITIONS
    NOUN = "item"
    __tablename__ = "moderation_items"
    __table_args__ = (
        sa.UniqueConstraint("target_type", "target_id", name="uq_moderation_items_target"),
        sa.Index("ix_moderation_items_queue_priority", "status", "priority", "id"),
        sa.Index("ix_moderation_items_queue_age", "status", "first_flagged_at", "id"),
        # The 'all' tab (no status filter) in each sort order: without them a page sorted all items.
        sa.Index("ix_moderation_items_all_priority", "priority", "id"),
        sa.Index("ix_moderation_items_all_age", "first_flagged_at", "id"),
        sa.Index("ix_moderation_items_group", "group_id", "status"),
        sa.Index("ix_moderation_items_author", "author_id", "status"),
        sa.Index("ix_moderation_items_claimed", "claimed_by_id", "claim_expires_at"),
        sa.Index("ix_moderation_items_reason", "top_reason", "status", "priority"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    target_type: Mapped[TargetType] = mapped_column(enum_column(TargetType), nullable=False)
    target_id: Mapped[int] = mapped_column(nullable=False)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    group_id: Mapped[int | None] = mapped_column(sa.ForeignKey("groups.id"))
    status: Mapped[ItemStatus] = mapped_column(enum_column(ItemStatus), default=ItemStatus.PENDING, nullable=False)
    priority: Mapped[float] = mapped_column(sa.Float, default=0, nullable=False)
    flag_count: Mapped[int] = mapped_column(default=0, nullable=False)
    top_reason: Mapped[FlagReason | None] = mapped_column(enum_column(FlagReason))
    is_hidden: Mapped[bool] = mapped_column(default=False, nullable=False)
    first_flagged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    last_flagged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    claimed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claim_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(default=1, nullable=False)

    author = relationship("User", foreign_keys=[author_id])
    claimed_by = relationship("User", foreign_keys=[claimed_by_id])
    flags: Mapped[list[Flag]] = relationship(back_populates="item", order_by="Flag.id")

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_pending(self) -> bool:
        """Waiting for a moderator's decision."""
        return self.status == ItemStatus.PENDING

    def is_written_by(self, user) -> bool:
        """The flagged content is `user`'s own."""
        return self.author_id is not None and self.author_id == getattr(user, "id", None)

    def was_flagged_by(self, user) -> bool:
        """`user` raised one of its flags."""
        user_id = getattr(user, "id", None)
        return user_id is not None and any(f.reporter_id == user_id for f in self.flags)

    def can_be_decided_by(self, user, now: datetime) -> bool:
        """A moderator with no stake in it (neither its author nor a reporter) claims and decides a
        pending item nobody else holds."""
        is_moderator = user is not None and user.is_authenticated and user.has_role(*MODERATOR_ROLES)
        if not (self.is_pending and is_moderator) or self.is_held_by_other_than(user, now):
            return False
        return not self.is_written_by(user) and not self.was_flagged_by(user)


class FlagStatus(enum.StrEnum):
    """A flag is open until its item is decided."""

    OPEN = "open"
    UPHELD = "upheld"
    DISMISSED = "dismissed"


class Flag(db.Model):
    """One user's report on one target; one open flag per user per target."""

    __tablename__ = "flags"
    __table_args__ = (
        sa.Index(
            "uq_flags_open_per_reporter",
            "reporter_id",
            "target_type",
            "target_id",
            unique=True,
            postgresql_where=sa.text("status = 'open'"),
            sqlite_where=sa.text("status = 'open'"),
        ),
        sa.Index("ix_flags_item", "item_id", "created_at"),
        sa.Index("ix_flags_reason_created", "reason", "created_at"),
        sa.Index("ix_flags_created", "created_at"),
        # Reporter accuracy on the item page counts each reporter's decided flags.
        sa.Index("ix_flags_reporter", "reporter_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("moderation_items.id"), nullable=False)
    reporter_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))  # None: system
    target_type: Mapped[TargetType] = mapped_column(enum_column(TargetType), nullable=False)
    target_id: Mapped[int] = mapped_column(nullable=False)
    reason: Mapped[FlagReason] = mapped_column(enum_column(FlagReason), nullable=False)
    note: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)
    status: Mapped[FlagStatus] = mapped_column(enum_column(FlagStatus), default=FlagStatus.OPEN, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    item: Mapped[ModerationItem] = relationship(back_populates="flags")
    reporter = relationship("User")


class ActionKind(enum.StrEnum):
    """The fixed set of moderator actions."""

    KEEP = "keep"
    HIDE = "hide"
    REMOVE = "remove"
    EDIT = "edit"
    WARN = "warn"
    SUSPEND = "suspend"
    BAN = "ban"
    AUTO_HIDE = "auto_hide"


class ModerationAction(db.Model):
    """What a moderator (or the system) did about an item or its author."""

    __tablename__ = "moderation_actions"
    __table_args__ = (
        sa.Index("ix_moderation_actions_item", "item_id", "created_at"),
        sa.Index("ix_moderation_actions_user", "target_user_id", "created_at"),
        sa.Index("ix_moderation_actions_kind_created", "kind", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int | None] = mapped_column(sa.ForeignKey("moderation_items.id"))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    target_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    kind: Mapped[ActionKind] = mapped_column(enum_column(ActionKind), nullable=False)
    reason: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)
    suspended_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    actor = relationship("User", foreign_keys=[actor_id])
