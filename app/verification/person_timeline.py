"""The person timeline's verification section: their applications and what happened to them."""

from __future__ import annotations

import sqlalchemy as sa
from flask import url_for

from app.extensions import db
from app.staff.inbox import named
from app.staff.timeline import TimelineEntry
from app.verification.models import ApplicationEvent, CoachApplication


def applications_read(person, limit: int) -> list[TimelineEntry]:
    """Each application's start and its history (submitted, decisions, notes), newest first."""
    apps = list(
        db.session.scalars(
            sa.select(CoachApplication)
            .where(CoachApplication.user_id == person.id)
            .order_by(CoachApplication.created_at.desc())
            .limit(limit)
        )
    )
    by_id = {a.id: a for a in apps}
    events = db.session.scalars(
        sa.select(ApplicationEvent)
        .where(ApplicationEvent.application_id.in_(list(by_id)))
        .options(named(ApplicationEvent.actor))
        .order_by(ApplicationEvent.created_at.desc(), ApplicationEvent.id.desc())
        .limit(limit)
    )
    out = [
        TimelineEntry(
            a.created_at,
            "applications",
            f"Started application #{a.id} ({a.certification_level or 'no level'}, iPEC {a.ipec_number or '—'})",
            url_for("verification_staff.review_page", application_id=a.id),
            a.status.value.replace("_", " "),
        )
        for a in apps
    ]
    for e in events:
        who = f" by {e.actor.full_name or e.actor.email}" if e.actor and e.actor_id != person.id else ""
        text = f"Application #{e.application_id}: {e.kind.replace('_', ' ')}{who}"
        if e.message:
            text += f" — {e.message[:200]}"
        url = url_for("verification_staff.review_page", application_id=e.application_id)
        out.append(TimelineEntry(e.created_at, "applications", text, url))
    return out
