"""The console's work inbox: every queue a person may work, merged into one list.

Each domain registers its queue (roles, target, and a function that reads the queue's count, oldest
item and oldest `limit` items in a constant number of bounded, indexed queries). The inbox merges
them: items past their target first, then oldest first. Within one queue the target is fixed, so a
queue's oldest items are also its first ones in that order and the merged head is exact.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload

from app.accounts.models import Role

COUNT_CAP = 10_000  # counts past this show as "10,000+" (as on the queues' own pages)
ROWS = 100  # rows the merged list shows


@dataclass(frozen=True)
class InboxItem:
    """One thing to work: what it is, since when, who holds it and whom it is about."""

    queue: str
    what: str
    detail: str
    url: str
    since: datetime
    holder: object | None = None  # a User holding a claim
    holder_note: str = ""  # e.g. "requested by Alice: another finance user decides"
    person: object | None = None  # the User it is about (linked to their timeline)


@dataclass(frozen=True)
class QueueRead:
    """What a queue's reader returns: its count (capped), its oldest time and its oldest items."""

    count: int
    oldest_at: datetime | None
    items: list[InboxItem]


@dataclass(frozen=True)
class InboxQueue:
    """A queue registered by a domain."""

    name: str
    title: str
    endpoint: str
    roles: frozenset[Role]
    target_setting: str  # config key holding the target in hours
    read: Callable[[int], QueueRead]


@dataclass
class InboxPart:
    """A queue as one person's inbox shows it."""

    queue: InboxQueue
    count: int
    oldest_at: datetime | None
    target: timedelta
    items: list[InboxItem] = field(default_factory=list)

    @property
    def target_hours(self) -> int:
        """The target in whole hours."""
        return int(self.target.total_seconds() // 3600)

    @property
    def shown_count(self) -> str:
        """'1,234', or '10,000+' past the cap."""
        return f"{COUNT_CAP:,}+" if self.count > COUNT_CAP else f"{self.count:,}"


@dataclass
class Inbox:
    """The parts (counts at the top) and the merged items."""

    parts: list[InboxPart]
    items: list[tuple[InboxItem, InboxPart]]
    now: datetime

    def is_overdue(self, item: InboxItem, part: InboxPart) -> bool:
        """Whether the item is past its queue's target."""
        return self.now - item.since > part.target

    @property
    def overdue_count(self) -> int:
        """How many listed items are past their target."""
        return sum(1 for item, part in self.items if self.is_overdue(item, part))


QUEUES: dict[str, InboxQueue] = {}


def register_inbox_queue(queue: InboxQueue) -> None:
    """Show a queue in the inbox of the holders of its roles."""
    QUEUES[queue.name] = queue


def queues_for(user) -> list[InboxQueue]:
    """The queues this user may work, in registration order."""
    views = current_app.view_functions
    return [q for q in QUEUES.values() if q.endpoint in views and user.has_role(*q.roles)]


def named(relationship) -> object:
    """Load a related User with the row, for showing a name: without the roles (one query fewer)."""
    from app.accounts.models import User

    return joinedload(relationship).lazyload(User.role_rows)


def capped_count(stmt: sa.Select, cap: int = COUNT_CAP) -> sa.ScalarSelect:
    """count(*) of at most cap + 1 rows of `stmt` (an index scan that stops early)."""
    return sa.select(sa.func.count()).select_from(stmt.limit(cap + 1).subquery()).scalar_subquery()


def inbox_for(user, now: datetime, rows: int = ROWS) -> Inbox:
    """The user's inbox: each queue's count and oldest item, and the merged list of the first `rows`."""
    parts = []
    for queue in queues_for(user):
        read = queue.read(rows)
        target = timedelta(hours=int(current_app.config[queue.target_setting]))
        parts.append(InboxPart(queue, read.count, read.oldest_at, target, read.items))
    merged = [(item, part) for part in parts for item in part.items]
    merged.sort(key=lambda pair: (now - pair[0].since <= pair[1].target, pair[0].since))
    return Inbox(parts, merged[:rows], now)


def failed_jobs_read(limit: int) -> QueueRead:
    """The inbox's part (admins): background jobs that raised and were not retried, oldest first."""
    from flask import url_for

    from app.core.models import JobFailure
    from app.extensions import db

    open_ = JobFailure.retried_at.is_(None)
    count = db.session.scalar(sa.select(capped_count(sa.select(JobFailure.id).where(open_))))
    rows = db.session.scalars(
        sa.select(JobFailure).where(open_).order_by(JobFailure.created_at, JobFailure.id).limit(limit)
    )
    items = [
        InboxItem(
            "failed_jobs",
            f"Job {f.func.rsplit('.', 1)[-1]} ({f.queue})",
            (f.error.strip().splitlines() or ["error"])[-1][:120],
            url_for("staff.jobs"),
            f.created_at,
        )
        for f in rows
    ]
    return QueueRead(count, items[0].since if items else None, items)
