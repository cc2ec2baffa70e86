"""The console's work inbox: every queue a person may work, merged into one list.

Each domain registers its queue: roles, target, its waiting items as SQL (their id and since, and
their count as the queue's own page counts it) and a loader of the items shown. The inbox reads
every queue's count and oldest item in one statement and the merged order's keys in another (each
queue's oldest `rows` keys, merged in SQL: items past their target first, then oldest first, cut
to `rows`); only the rows shown are then loaded, one query per queue that has any. Within one queue
the target is fixed, so a queue's oldest items are also its first ones in that order and the merged
head is exact.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
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
    holder: object | None = None  # a User (or Person) holding a claim
    holder_note: str = ""  # e.g. "requested by Alice: another finance user decides"
    person: object | None = None  # the User (or Person) it is about (linked to their timeline)


@dataclass(frozen=True)
class Person:
    """A User as an inbox row names them (id, name, address), read as plain columns with the row:
    100 rows of ORM objects cost several times the CPU of the same rows as tuples."""

    id: int
    first_name: str
    last_name: str
    email: str

    @property
    def full_name(self) -> str:
        """First and last name, or the e-mail address when both are empty (as User.full_name)."""
        return f"{self.first_name} {self.last_name}".strip() or self.email


def person_columns(user, prefix: str) -> list:
    """The columns of a (aliased) User that person_of(row, prefix) reads back."""
    return [getattr(user, c).label(f"{prefix}_{c}") for c in ("id", "first_name", "last_name", "email")]


def person_of(row, prefix: str) -> Person | None:
    """The Person of person_columns(…, prefix) in `row`, or None when the row has none."""
    values = [getattr(row, f"{prefix}_{c}") for c in ("id", "first_name", "last_name", "email")]
    return Person(*values) if values[0] is not None else None


@dataclass(frozen=True)
class QueueKeys:
    """A queue's waiting items in SQL: `rows` selects their `id` and `since` (labelled so, unordered,
    unlimited; an index on (since, id) under the queue's condition serves it) and `count` counts them
    as the queue's own page does."""

    rows: sa.Select
    count: sa.ScalarSelect


@dataclass(frozen=True)
class InboxQueue:
    """A queue registered by a domain: `keys()` its waiting items in SQL, `load(ids)` the shown ones
    as {id: InboxItem} in one query (links and excerpts built for those only)."""

    name: str
    title: str
    endpoint: str
    roles: frozenset[Role]
    target_setting: str  # config key holding the target in hours
    keys: Callable[[], QueueKeys]  # built once per set of queues: it may not depend on the time or user
    load: Callable[[list[int]], dict[int, InboxItem]]


@dataclass
class InboxPart:
    """A queue as one person's inbox shows it."""

    queue: InboxQueue
    count: int
    oldest_at: datetime | None
    target: timedelta

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


def waiting_keys(id_column, since, *where) -> QueueKeys:
    """The keys of a queue whose waiting rows are `where`, counted (capped) as its page counts them."""
    return QueueKeys(
        sa.select(id_column.label("id"), since.label("since")).where(*where),
        capped_count(sa.select(id_column).where(*where)),
    )


def _oldest(keys: QueueKeys) -> sa.ScalarSelect:
    rows = keys.rows.subquery()
    return sa.select(rows.c.since).order_by(rows.c.since, rows.c.id).limit(1).scalar_subquery()


def _merged_keys(keys: list[QueueKeys], rows: int) -> sa.Select:
    """(queue position, id) of the first `rows` in the inbox's order: each queue's oldest `rows` (an
    index scan that stops early), merged past-target first (`since` before its `cut<pos>`), then oldest."""
    parts = []
    for pos, key in enumerate(keys):
        c = key.rows.selected_columns
        head = key.rows.order_by(c.since, c.id).limit(rows).subquery()
        overdue = head.c.since < sa.bindparam(f"cut{pos}", type_=head.c.since.type)
        parts.append(sa.select(sa.literal(pos).label("pos"), head.c.id, head.c.since, overdue.label("overdue")))
    merged = sa.union_all(*parts).subquery()
    return (
        sa.select(merged.c.pos, merged.c.id)
        .order_by(merged.c.overdue.desc(), merged.c.since, merged.c.pos, merged.c.id)
        .limit(rows)
    )


@functools.lru_cache(maxsize=64)
def _statements(queues: tuple[InboxQueue, ...], rows: int) -> tuple[sa.Select, sa.Select]:
    """The heads (count and oldest of each queue) and merged-keys statements of one set of queues,
    built once: building and hashing them cost more than the database took to answer them."""
    keys = [q.keys() for q in queues]
    return sa.select(*(col for k in keys for col in (k.count, _oldest(k)))), _merged_keys(keys, rows)


def inbox_for(user, now: datetime, rows: int | None = None) -> Inbox:
    """The user's inbox: each queue's count and oldest item, and the merged list of the first `rows`
    (ROWS), in two statements plus one per queue with rows shown."""
    from app.extensions import db

    rows = ROWS if rows is None else rows
    queues = tuple(queues_for(user))
    if not queues:
        return Inbox([], [], now)
    heads_stmt, keys_stmt = _statements(queues, rows)
    targets = [timedelta(hours=int(current_app.config[q.target_setting])) for q in queues]
    heads = db.session.execute(heads_stmt).one()
    parts = [
        InboxPart(q, heads[2 * n], heads[2 * n + 1], t) for n, (q, t) in enumerate(zip(queues, targets, strict=True))
    ]
    order = db.session.execute(keys_stmt, {f"cut{n}": now - t for n, t in enumerate(targets)}).all()
    shown: dict[int, list[int]] = {}
    for pos, id_ in order:
        shown.setdefault(pos, []).append(id_)
    loaded = {pos: queues[pos].load(ids) for pos, ids in shown.items()}
    # An item decided between the two reads is left out rather than shown stale.
    items = [(loaded[pos][id_], parts[pos]) for pos, id_ in order if id_ in loaded[pos]]
    return Inbox(parts, items, now)


def failed_jobs_keys() -> QueueKeys:
    """The inbox's part (admins): background jobs that raised and were not retried."""
    from app.core.models import JobFailure

    return waiting_keys(JobFailure.id, JobFailure.created_at, JobFailure.retried_at.is_(None))


def failed_jobs_load(ids: list[int]) -> dict[int, InboxItem]:
    """The shown failed jobs as inbox items."""
    from flask import url_for

    from app.core.models import JobFailure
    from app.extensions import db

    url = url_for("staff.jobs")
    return {
        f.id: InboxItem(
            "failed_jobs",
            f"Job {f.func.rsplit('.', 1)[-1]} ({f.queue})",
            (f.error.strip().splitlines() or ["error"])[-1][:120],
            url,
            f.created_at,
        )
        for f in db.session.scalars(sa.select(JobFailure).where(JobFailure.id.in_(ids)))
    }
