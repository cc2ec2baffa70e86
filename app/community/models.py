"""Groups, memberships, discussions, replies, their edit history and watched words."""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import UTCDateTime, enum_column, utcnow
from app.core.roles import MODERATOR_ROLES
from app.extensions import db


def is_moderator(user) -> bool:
    """Moderators and admins see and manage everything in the community."""
    return bool(user and user.is_authenticated and user.has_role(*MODERATOR_ROLES))


def _signed_in(user) -> bool:
    return user is not None and user.is_authenticated


class Group(db.Model):
    """A community group; private groups are joined on request."""

    __tablename__ = "groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    description: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)
    is_private: Mapped[bool] = mapped_column(default=False, nullable=False)
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    owner = relationship("User")

    def can_be_read_by(self, user, membership: GroupMembership | None) -> bool:
        """Public groups are open to all; private ones to active members (`membership` is the user's) and moderators."""
        if not self.is_private or is_moderator(user):
            return True
        return membership is not None and membership.status == MembershipStatus.ACTIVE

    def can_be_managed_by(self, user) -> bool:
        """The group's owner and moderators admit the people who asked to join."""
        return _signed_in(user) and (self.owner_id == user.id or is_moderator(user))


class MemberRole(enum.StrEnum):
    """A member's role in a group."""

    OWNER = "owner"
    MEMBER = "member"


class MembershipStatus(enum.StrEnum):
    """Pending until approved in private groups."""

    PENDING = "pending"
    ACTIVE = "active"


class GroupMembership(db.Model):
    """A user's membership of a group."""

    __tablename__ = "group_memberships"
    __table_args__ = (sa.Index("ix_group_memberships_user", "user_id", "status"),)

    group_id: Mapped[int] = mapped_column(sa.ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[MemberRole] = mapped_column(enum_column(MemberRole), default=MemberRole.MEMBER, nullable=False)
    status: Mapped[MembershipStatus] = mapped_column(
        enum_column(MembershipStatus), default=MembershipStatus.ACTIVE, nullable=False
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    user = relationship("User")


class PostVisibility(enum.StrEnum):
    """Whether other users see a post."""

    VISIBLE = "visible"
    PENDING_REVIEW = "pending_review"  # watched word matched: waits for a moderator
    HIDDEN = "hidden"  # auto-hidden by flags or hidden by a moderator
    REMOVED = "removed"


class AuthoredPost:
    """What discussions and replies answer about themselves: who wrote them, who sees, edits and deletes them."""

    author_id: int
    visibility: PostVisibility
    deleted_at: datetime | None
    created_at: datetime

    def is_written_by(self, user) -> bool:
        """True for the post's author: only they may edit or delete it."""
        return _signed_in(user) and self.author_id == user.id

    def is_visible_to(self, user) -> bool:
        """Visible posts to all readers; others to their author (not removed ones) and moderators."""
        if is_moderator(user):
            return True
        if self.deleted_at is not None:
            return False
        if self.visibility == PostVisibility.VISIBLE:
            return True
        return self.is_written_by(user) and self.visibility in (PostVisibility.PENDING_REVIEW, PostVisibility.HIDDEN)

    @property
    def is_editable(self) -> bool:
        """Neither deleted nor hidden or removed by moderators."""
        return self.deleted_at is None and self.visibility not in (PostVisibility.REMOVED, PostVisibility.HIDDEN)

    def can_be_edited_by(self, user, now: datetime, window: timedelta) -> bool:
        """The author, in good standing (not banned or suspended), edits an editable post within `window` of posting."""
        in_standing = _signed_in(user) and user.banned_at is None and not user.is_suspended(now)
        return in_standing and self.is_written_by(user) and self.is_editable and now <= self.created_at + window

    def can_be_deleted_by(self, user) -> bool:
        """The author deletes their post once."""
        return self.is_written_by(user) and self.deleted_at is None


class Discussion(AuthoredPost, db.Model):
    """A topic in a group; body kept as Markdown and as sanitised HTML."""

    __tablename__ = "discussions"
    __table_args__ = (
        sa.Index("ix_discussions_group_activity", "group_id", "last_activity_at", "id"),
        sa.Index("ix_discussions_author", "author_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(sa.ForeignKey("groups.id"), nullable=False)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    title: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    body_md: Mapped[str] = mapped_column(sa.Text, nullable=False)
    body_html: Mapped[str] = mapped_column(sa.Text, nullable=False)
    visibility: Mapped[PostVisibility] = mapped_column(
        enum_column(PostVisibility), default=PostVisibility.VISIBLE, nullable=False
    )
    reply_count: Mapped[int] = mapped_column(default=0, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    group = relationship("Group")
    author = relationship("User")


class Reply(AuthoredPost, db.Model):
    """A reply in a discussion."""

    __tablename__ = "replies"
    __table_args__ = (
        sa.Index("ix_replies_discussion_created", "discussion_id", "created_at", "id"),
        sa.Index("ix_replies_author", "author_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    discussion_id: Mapped[int] = mapped_column(sa.ForeignKey("discussions.id"), nullable=False)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    body_md: Mapped[str] = mapped_column(sa.Text, nullable=False)
    body_html: Mapped[str] = mapped_column(sa.Text, nullable=False)
    visibility: Mapped[PostVisibility] = mapped_column(
        enum_column(PostVisibility), default=PostVisibility.VISIBLE, nullable=False
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    discussion = relationship("Discussion")
    author = relationship("User")


class PostRevision(db.Model):
    """An earlier version of a discussion or reply body, kept on every edit."""

    __tablename__ = "post_revisions"
    __table_args__ = (sa.Index("ix_post_revisions_target", "target_type", "target_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    target_type: Mapped[str] = mapped_column(sa.String(16), nullable=False)  # discussion | reply
    target_id: Mapped[int] = mapped_column(nullable=False)
    body_md: Mapped[str] = mapped_column(sa.Text, nullable=False)
    editor_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    note: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class WatchedWord(db.Model):
    """A word that sends a matching post to the moderators' queue before it is shown."""

    __tablename__ = "watched_words"

    id: Mapped[int] = mapped_column(primary_key=True)
    word: Mapped[str] = mapped_column(sa.String(80), unique=True, nullable=False)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
