"""The coach's pages: weekly hours, exceptions, session types, booking settings, upcoming sessions.

Any logged-in user may ask; only a user with a coach profile gets past coach_of() (404 otherwise).
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from app.booking import coach_services
from app.booking.forms import (
    WEEKDAYS,
    ExceptionForm,
    SessionTypeForm,
    SessionTypeToggleForm,
    SettingsForm,
    WeeklyHoursForm,
    weekly_hours_data,
)
from app.booking.models import AvailabilityException, AvailabilityRule, ExceptionKind, SessionType
from app.booking.queries import bookings_for
from app.core.db import utcnow
from app.core.forms import require_confirm_form
from app.core.money import exponent
from app.core.money import parse as parse_money
from app.core.security import login_required
from app.core.view_errors import service_errors
from app.extensions import db

bp = Blueprint("availability", __name__, template_folder="templates", url_prefix="/coach")


def _page(coach, settings_form=None, exception_form=None, session_form=None, hours_form=None):
    rules = db.session.scalars(
        sa.select(AvailabilityRule)
        .where(AvailabilityRule.coach_id == coach.id)
        .order_by(AvailabilityRule.weekday, AvailabilityRule.start_time)
    ).all()
    exceptions = db.session.scalars(
        sa.select(AvailabilityException)
        .where(AvailabilityException.coach_id == coach.id, AvailabilityException.on_date >= utcnow().date())
        .order_by(AvailabilityException.on_date)
    ).all()
    types = db.session.scalars(
        sa.select(SessionType).where(SessionType.coach_id == coach.id).order_by(SessionType.id)
    ).all()
    return render_template(
        "booking/coach_availability.html",
        coach=coach,
        weekdays=WEEKDAYS,
        hours_form=hours_form or WeeklyHoursForm(formdata=None, data=weekly_hours_data(rules)),
        toggle_form=SessionTypeToggleForm,
        exceptions=exceptions,
        session_types=types,
        settings_form=settings_form or SettingsForm(obj=coach),
        exception_form=exception_form or ExceptionForm(),
        session_form=session_form or SessionTypeForm(),
    )


@bp.get("/availability")
@login_required
def availability():
    """Everything that shapes the coach's free slots, on one page."""
    return _page(coach_services.coach_of(current_user))


@bp.post("/availability/hours")
@login_required
def save_hours():
    """Weekly hours: up to two windows per weekday (empty = not working)."""
    coach = coach_services.coach_of(current_user)
    form = WeeklyHoursForm()
    if not form.validate_on_submit():
        flash("Times look like 09:00.", "error")
        return _page(coach, hours_form=form), 400
    with service_errors(form) as outcome:
        coach_services.set_weekly_hours(coach, current_user, form.windows())
        flash("Weekly hours saved.", "success")
    if outcome.failed:
        return _page(coach, hours_form=form), outcome.status
    return redirect(url_for("availability.availability"))


@bp.post("/availability/settings")
@login_required
def save_settings():
    """Buffer, notice, horizon and the clients' change notice."""
    coach = coach_services.coach_of(current_user)
    form = SettingsForm()
    if not form.validate_on_submit():
        return _page(coach, settings_form=form), 400
    with service_errors():
        coach_services.update_booking_settings(
            coach,
            current_user,
            buffer_minutes=form.buffer_minutes.data,
            min_notice_hours=form.min_notice_hours.data,
            horizon_days=form.horizon_days.data,
            cancel_notice_hours=form.client_cancel_notice_hours.data,
        )
        flash("Booking settings saved.", "success")
    return redirect(url_for("availability.availability"))


@bp.post("/availability/exceptions")
@login_required
def add_exception():
    """Time off or extra hours on a date."""
    coach = coach_services.coach_of(current_user)
    form = ExceptionForm()
    if not form.validate_on_submit():
        return _page(coach, exception_form=form), 400
    with service_errors():
        coach_services.add_exception(
            coach,
            current_user,
            form.on_date.data,
            ExceptionKind(form.kind.data),
            form.start_time.data,
            form.end_time.data,
        )
        flash("Exception added.", "success")
    return redirect(url_for("availability.availability"))


@bp.post("/availability/exceptions/<int:exception_id>/delete")
@login_required
def delete_exception(exception_id: int):
    """Remove an exception."""
    coach = coach_services.coach_of(current_user)
    require_confirm_form()
    coach_services.delete_exception(coach, current_user, exception_id)
    flash("Exception removed.", "success")
    return redirect(url_for("availability.availability"))


@bp.post("/session-types")
@login_required
def add_session_type():
    """A new session type in the coach's currency."""
    coach = coach_services.coach_of(current_user)
    form = SessionTypeForm()
    if not form.validate_on_submit():
        return _page(coach, session_form=form), 400
    amount = parse_money(str(form.price.data), coach.currency)
    if amount is None:
        form.price.errors.append(f"Prices in {coach.currency} take at most {exponent(coach.currency)} decimals.")
        return _page(coach, session_form=form), 400
    with service_errors():
        coach_services.add_session_type(coach, current_user, form.name.data, form.duration_minutes.data, amount)
        flash("Session type added.", "success")
    return redirect(url_for("availability.availability"))


@bp.post("/session-types/<int:session_type_id>/toggle")
@login_required
def toggle_session_type(session_type_id: int):
    """Offer or withdraw a session type."""
    coach = coach_services.coach_of(current_user)
    form = SessionTypeToggleForm()
    if not form.validate_on_submit():
        abort(400)
    coach_services.set_session_type_active(coach, current_user, session_type_id, form.active.data == "1")
    return redirect(url_for("availability.availability"))


@bp.get("/sessions")
@login_required
def sessions():
    """The coach's upcoming and past sessions."""
    coach = coach_services.coach_of(current_user)
    upcoming, past = bookings_for(current_user)
    upcoming = [b for b in upcoming if b.coach_id == coach.id]
    past = [b for b in past if b.coach_id == coach.id]
    return render_template("booking/list.html", upcoming=upcoming, past=past, title="My sessions")
