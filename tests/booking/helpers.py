"""Shared helpers for booking tests."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from app.booking.availability import free_slots
from app.core.db import utcnow
from app.core.models import AuditLog, OutgoingMail
from app.extensions import db


def first_slot(coach, session_type, after_hours=0, **kwargs):
    """The first free slot at least `after_hours` from now."""
    start = utcnow() + timedelta(hours=after_hours)
    return free_slots(coach, session_type, start, start + timedelta(days=14), **kwargs)[0]


def audit_actions():
    return list(db.session.scalars(sa.select(AuditLog.action).order_by(AuditLog.id)))


def mails():
    return list(db.session.scalars(sa.select(OutgoingMail).order_by(OutgoingMail.id)))
