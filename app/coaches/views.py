"""Public coach pages: search (/coaches) and a coach's profile."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user

from app.analytics import tracking
from app.booking.availability import active_session_types, free_slots
from app.booking.services import policy_text
from app.coaches import search as coach_search
from app.coaches.models import LANGUAGES, CertificationLevel, CoachProfile, Review, Specialization
from app.coaches.photos import SIZES, photo_key
from app.coaches.search import (
    SORTS,
    SearchParams,
    count_coaches,
    listed_currencies,
    listed_languages,
    search_coaches,
)
from app.community.queries import flagged_by
from app.community.rendering import render_markdown
from app.core.db import utcnow
from app.core.security import public
from app.core.storage import storage
from app.extensions import db
from app.moderation.models import TargetType

bp = Blueprint("coaches", __name__, template_folder="templates")


@bp.get("/coaches")
@public
def search():
    """Search verified coaches; every filter lives in the URL so a search can be shared."""
    params = SearchParams.from_args(request.args)
    params.require_currency_for_price()
    page = search_coaches(params)
    if not params.after:  # a search, not its next page
        tracking.record(
            tracking.COACH_SEARCH,
            current_user,
            specialization=params.specialization,
            level=params.level,
            language=params.language,
            has_text=bool(params.q),
        )
    specializations = db.session.scalars(sa.select(Specialization).order_by(Specialization.name)).all()
    languages = sorted(((code, LANGUAGES.get(code, code.upper())) for code in listed_languages()), key=lambda c: c[1])
    return render_template(
        "coaches/search.html",
        params=params,
        page=page,
        total=count_coaches(params),
        count_cap=coach_search.COUNT_CAP,
        specializations=specializations,
        levels=list(CertificationLevel),
        languages=languages,
        currencies=listed_currencies(),
        sorts=SORTS,
    )


@bp.get("/coaches/<int:coach_id>")
@public
def profile(coach_id: int):
    """Bio, specializations, languages, level, session types, rating, reviews and the next free slots."""
    coach = db.session.get(CoachProfile, coach_id)
    if coach is None or not coach.is_active or not coach.user.is_active:
        abort(404)
    tracking.record(tracking.PROFILE_VIEW, current_user, coach_id=coach.id)
    types = active_session_types(coach.id)
    now = utcnow()
    upcoming = []
    if types:
        upcoming = free_slots(coach, types[0], now, now + timedelta(days=14))[:6]
    reviews = db.session.scalars(
        sa.select(Review).where(Review.coach_id == coach.id).order_by(Review.created_at.desc()).limit(10)
    ).all()
    return render_template(
        "coaches/profile.html",
        profile_flagged=coach.id in flagged_by(current_user, TargetType.PROFILE, [coach.id]),
        coach=coach,
        session_types=types,
        upcoming=upcoming,
        first_type=types[0] if types else None,
        reviews=reviews,
        bio_html=render_markdown(coach.bio),
        languages=LANGUAGES,
        policy=policy_text(coach),
    )


@bp.get("/coaches/<int:coach_id>/photo/<int:size>.jpg")
@public
def photo(coach_id: int, size: int):
    """A coach's photo (listed coaches for everyone, the coach's own always); cached while ?v= matches."""
    coach = db.session.get(CoachProfile, coach_id)
    own = current_user.is_authenticated and coach is not None and coach.user_id == current_user.id
    if coach is None or size not in SIZES or not coach.photo_key or not (own or coach.is_active):
        abort(404)
    try:
        body = storage().get(photo_key(coach.photo_key, size))
    except FileNotFoundError:
        abort(404)
    resp = Response(body, mimetype="image/jpeg")
    version = coach.photo_version
    resp.set_etag(version)
    if request.args.get("v") == version and not own:
        resp.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    else:
        resp.headers["Cache-Control"] = "private, no-cache"
    return resp.make_conditional(request)
