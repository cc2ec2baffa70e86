"""The person timeline's finance section: bookings, payments and refunds, as client or as coach."""

from __future__ import annotations

import sqlalchemy as sa
from flask import url_for

from app.booking.models import Booking
from app.coaches.models import CoachProfile
from app.core.money import format_money
from app.core.template_helpers import local_time
from app.extensions import db
from app.payments.models import Payment, Refund
from app.staff.timeline import TimelineEntry


def money_read(person, limit: int) -> list[TimelineEntry]:
    """Their bookings, payments and refunds (booked by them or with them as the coach), newest first."""
    coach_id = db.session.scalar(sa.select(CoachProfile.id).where(CoachProfile.user_id == person.id))
    mine_b = sa.or_(Booking.client_id == person.id, Booking.coach_id == coach_id)
    mine_p = sa.or_(Payment.client_id == person.id, Payment.coach_id == coach_id)
    bookings = db.session.scalars(sa.select(Booking).where(mine_b).order_by(Booking.created_at.desc()).limit(limit))
    payments = list(
        db.session.scalars(sa.select(Payment).where(mine_p).order_by(Payment.created_at.desc()).limit(limit))
    )
    refunds = db.session.scalars(
        sa.select(Refund).where(Refund.payment_id.in_([p.id for p in payments])).order_by(Refund.created_at.desc())
        .limit(limit)
    )  # fmt: skip
    out = []
    for b in bookings:
        role = "Booked" if b.client_id == person.id else "Was booked for"
        out.append(TimelineEntry(b.created_at, "money", f"{role} session #{b.id} on {local_time(b.starts_at)}, "
                                 f"{format_money(b.amount, b.currency)}", None, b.status.value))  # fmt: skip
    for p in payments:
        role = "Paid" if p.client_id == person.id else "Was paid"
        refunded = f", {format_money(p.amount_refunded, p.currency)} refunded" if p.amount_refunded else ""
        disputed = ", disputed" if p.is_disputed else ""
        out.append(TimelineEntry(p.created_at, "money", f"{role} {format_money(p.amount, p.currency)} for booking "
                                 f"#{p.booking_id} (payment #{p.id}{refunded}{disputed})",
                                 url_for("finance_staff.payment", payment_id=p.id), p.status.value))  # fmt: skip
    for r in refunds:
        out.append(TimelineEntry(r.created_at, "money", f"Refund #{r.id} of {format_money(r.amount, r.currency)} on "
                                 f"payment #{r.payment_id} ({r.reason.value.replace('_', ' ')})",
                                 url_for("finance_staff.payment", payment_id=r.payment_id), r.status.value))  # fmt: skip
    return out
