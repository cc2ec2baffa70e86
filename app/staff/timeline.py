"""A person's timeline: what they did and what was done about them, one stream, sections by role.

Each domain registers its sections (who may see them, and a reader returning the person's latest
entries, bounded); the page shows only the sections the viewer's roles allow, merged newest first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from app.accounts.models import Role

PER_SECTION = 100  # latest entries read per section


@dataclass(frozen=True)
class TimelineEntry:
    """One thing that happened, with where its evidence lives."""

    at: datetime
    section: str
    text: str
    url: str | None = None
    outcome: str = ""


@dataclass(frozen=True)
class TimelineSection:
    """A part of the timeline, shown to holders of any of `roles`."""

    name: str
    title: str
    roles: frozenset[Role]
    read: Callable[[object, int], list[TimelineEntry]]  # (person, limit) -> newest first


SECTIONS: dict[str, TimelineSection] = {}


def register_timeline_section(section: TimelineSection) -> None:
    """Add a section to every person's timeline, for holders of its roles."""
    SECTIONS[section.name] = section


def sections_for(viewer) -> list[TimelineSection]:
    """The sections this viewer may see."""
    return [s for s in SECTIONS.values() if viewer.has_role(*s.roles)]


@dataclass
class Timeline:
    """The sections offered, those shown (the filter), and the merged entries, newest first."""

    offered: list[TimelineSection]
    shown: list[str]
    entries: list[TimelineEntry]
    full: set[str]  # sections that returned PER_SECTION entries (older ones are not listed)


def timeline_for(viewer, person, wanted: list[str] | None = None, limit: int = PER_SECTION) -> Timeline:
    """The person's timeline as this viewer may see it, limited to the `wanted` sections (all when empty)."""
    offered = sections_for(viewer)
    names = [s.name for s in offered]
    shown = [n for n in names if n in (wanted or [])] or names
    entries, full = [], set()
    for section in offered:
        if section.name in shown:
            part = section.read(person, limit)
            entries += part
            if len(part) >= limit:
                full.add(section.name)
    entries.sort(key=lambda e: e.at, reverse=True)
    return Timeline(offered, shown, entries, full)


def account_read(person, limit: int) -> list[TimelineEntry]:
    """Logins and account changes, from the audit log (admins)."""
    import sqlalchemy as sa

    from app.core.models import AuditLog
    from app.extensions import db

    rows = db.session.scalars(
        sa.select(AuditLog)
        .where(AuditLog.object_type == "users", AuditLog.object_id == str(person.id), AuditLog.action != VIEWED)
        .order_by(AuditLog.created_at.desc(), AuditLog.id.desc())
        .limit(limit)
    )
    out = []
    for row in rows:
        who = "" if row.actor_id == person.id else f" by {row.actor.full_name if row.actor else 'the system'}"
        where = f" from {row.ip_address}" if row.ip_address else ""
        words = ACCOUNT_WORDS.get(row.action, row.action.split(".", 1)[-1].replace("_", " "))
        out.append(TimelineEntry(row.created_at, "account", f"{words}{who}{where}"))
    return out


VIEWED = "user.timeline_viewed"
ACCOUNT_WORDS = {
    "user.login": "Logged in",
    "user.registered": "Registered",
    "user.created": "Account created",
    "user.roles_changed": "Roles changed",
    "user.totp_enrolled": "Set up two-step login",
    "user.session_ended": "A session was ended",
    "user.sessions_ended": "Sessions were ended",
    "user.recovery_code_used": "Used a recovery code",
}
