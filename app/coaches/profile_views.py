"""The coach's own profile page: details, photo, payout details, the go-live checklist, go live / pause.

Any logged-in user may ask; only a user with a coach profile gets past coach_of() (404 otherwise).
"""

from __future__ import annotations

from zoneinfo import available_timezones

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from app.booking.coach_services import coach_of
from app.coaches import services
from app.coaches.checklist import can_go_live, checklist
from app.coaches.forms import PayoutForm, PhotoForm, ProfileForm
from app.coaches.models import LANGUAGES, PayoutAccount, Specialization
from app.coaches.photos import read_limited
from app.core.errors import ServiceError, ValidationFailed
from app.core.security import login_required
from app.core.view_errors import service_errors
from app.extensions import db

bp = Blueprint("coach_profile", __name__, template_folder="templates", url_prefix="/coach")


def _profile_form(coach, formdata=None) -> ProfileForm:
    form = ProfileForm(formdata=formdata, obj=None if formdata else coach)
    form.specializations.choices = [
        (s.id, s.name) for s in db.session.scalars(sa.select(Specialization).order_by(Specialization.name))
    ]
    form.languages.choices = list(LANGUAGES.items())
    if formdata is None:
        form.specializations.data = [s.id for s in coach.specializations]
        form.languages.data = [lang.code for lang in coach.languages]
    return form


def _page(coach, *, profile_form=None, photo_form=None, payout_form=None, status=200):
    items = checklist(coach)
    account = db.session.scalar(sa.select(PayoutAccount).where(PayoutAccount.coach_id == coach.id))
    payout_form = payout_form or PayoutForm(formdata=None, holder_name=account.holder_name if account else "")
    page = render_template(
        "coaches/own_profile.html",
        coach=coach,
        items=items,
        ready=can_go_live(items),
        account=account,
        profile_form=profile_form or _profile_form(coach),
        photo_form=photo_form or PhotoForm(formdata=None),
        payout_form=payout_form,
        zones=sorted(available_timezones()),
        action_form=FlaskForm(),
    )
    return page, status


def _place(form, exc: ServiceError) -> None:
    """A service error beside the fields it names, or as a message when it names none."""
    placed = False
    for name, message in exc.fields.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = [*field.errors, message]
            placed = True
    if not placed:
        flash(exc.message, "error")


def _placed_beside(form) -> service_errors:
    """A service call whose refusal goes beside the fields it names (else flashed)."""
    return service_errors(form, report=lambda exc: _place(form, exc))


@bp.get("/profile")
@login_required
def edit():
    """The coach's profile, photo, payout details and the go-live checklist."""
    return _page(coach_of(current_user))


@bp.post("/profile")
@login_required
def save():
    """Save headline, bio, specializations, languages, experience and time zone."""
    coach = coach_of(current_user)
    form = _profile_form(coach, request.form)
    if not form.validate_on_submit():
        return _page(coach, profile_form=form, status=400)
    with _placed_beside(form) as outcome:
        services.update_profile(
            coach,
            current_user,
            headline=form.headline.data,
            bio=form.bio.data,
            specialization_ids=form.specializations.data or [],
            language_codes=form.languages.data or [],
            years_experience=form.years_experience.data,
            timezone=form.timezone.data.strip(),
        )
    if outcome.failed:
        return _page(coach, profile_form=form, status=outcome.status)
    flash("Profile saved.", "success")
    return redirect(url_for("coach_profile.edit"))


@bp.post("/profile/photo")
@login_required
def upload_photo():
    """Replace the profile photo."""
    coach = coach_of(current_user)
    form = PhotoForm()
    if not form.validate_on_submit():
        return _page(coach, photo_form=form, status=400)
    upload = request.files.get("photo")
    try:
        try:
            data = read_limited(upload.stream) if upload else b""
        finally:
            if upload:
                upload.close()  # a large upload is spooled to a temporary file
        services.set_photo(coach, current_user, data)
    except ValidationFailed as exc:
        _place(form, exc)
        return _page(coach, photo_form=form, status=exc.status)
    flash("Photo saved.", "success")
    return redirect(url_for("coach_profile.edit"))


@bp.post("/profile/payout")
@login_required
def save_payout():
    """Save the payout name and IBAN."""
    coach = coach_of(current_user)
    form = PayoutForm()
    if not form.validate_on_submit():
        return _page(coach, payout_form=form, status=400)
    with _placed_beside(form) as outcome:
        services.save_payout_details(coach, current_user, form.holder_name.data, form.iban.data)
    if outcome.failed:
        return _page(coach, payout_form=form, status=outcome.status)
    flash("Payout details saved.", "success")
    return redirect(url_for("coach_profile.edit"))


@bp.post("/profile/go-live")
@login_required
def go_live():
    """List the profile in search (again)."""
    return _change_listing(services.go_live, "You are live: clients can now find and book you.")


@bp.post("/profile/pause")
@login_required
def pause():
    """Take the profile out of search for now."""
    return _change_listing(services.pause_listing, "Your profile is paused: it no longer appears in search.")


def _change_listing(change, done: str):
    """Go live or pause: `change(coach, user)`, then `done` flashed, or the page again with the refusal."""
    coach = coach_of(current_user)
    if not FlaskForm().validate_on_submit():
        flash("The form expired; please try again.", "error")
        return redirect(url_for("coach_profile.edit"))
    with service_errors() as outcome:
        change(coach, current_user)
    if outcome.failed:
        return _page(coach, status=outcome.status)
    flash(done, "success")
    return redirect(url_for("coach_profile.edit"))
