"""Demo coaches: a few bookable coaches for `flask seed --demo` (bulk coaches: app/seed/scale_people.py)."""

from __future__ import annotations

from datetime import time

import sqlalchemy as sa

from app.accounts import services as accounts
from app.accounts.models import Role
from app.booking.models import AvailabilityRule, SessionType
from app.coaches.models import CertificationLevel, CoachLanguage, CoachProfile, Specialization
from app.core.db import utcnow
from app.core.effects import commit
from app.extensions import db
from app.seed import catalog

# The demo's fixed specializations (app/seed/catalog.py), so these coaches add none of their own.
SPECIALIZATIONS = [(slug, name) for slug, name in catalog.SPECIALIZATIONS]
DEMO_COACHES = [
    ("coach@coachconnect.example", "Cora", "Coach", "Europe/Berlin", ["career", "leadership"], ["en", "de"], 9000),
    ("coach2@coachconnect.example", "Noah", "Navigator", "America/New_York", ["relationships"], ["en"], 7000),
    (
        "coach3@coachconnect.example",
        "Amara",
        "Able",
        "Asia/Tokyo",
        ["health-wellness", "confidence"],
        ["en", "fr"],
        5000,
    ),
]


def _specialization(slug: str, name: str) -> Specialization:
    spec = db.session.scalar(sa.select(Specialization).where(Specialization.slug == slug))
    if spec is None:
        spec = Specialization(slug=slug, name=name)
        db.session.add(spec)
    return spec


def seed_demo_coaches(password: str) -> list[str]:
    """Bookable demo coaches (weekday hours 09-17 in their zone, two session types); idempotent."""
    from app.coaches.search import refresh_search_fields

    specs = {slug: _specialization(slug, name) for slug, name in SPECIALIZATIONS}
    lines = []
    for i, (email, first, last, zone, spec_slugs, langs, price) in enumerate(DEMO_COACHES):
        user = accounts.find_user(email) or accounts.create_user(email, [Role.COACH], password)
        user.first_name, user.last_name, user.timezone = first, last, zone
        coach = db.session.scalar(sa.select(CoachProfile).where(CoachProfile.user_id == user.id))
        if coach is None:
            coach = CoachProfile(
                user_id=user.id,
                headline=f"{' and '.join(specs[s].name for s in spec_slugs)} coaching",
                bio=f"{first} is an iPEC-certified coach who helps clients with {', '.join(spec_slugs)}.",
                timezone=zone,
                certification_level=list(CertificationLevel)[i % 3],
                ipec_number=f"DEMO-{i + 1:04d}",
                years_experience=3 + 4 * i,
                hourly_rate_amount=price,
                currency="EUR",
                is_active=True,
                activated_at=utcnow(),
                min_notice_hours=2,
                specializations=[specs[s] for s in spec_slugs],
                languages=[CoachLanguage(code=c) for c in langs],
            )
            db.session.add(coach)
            db.session.flush()
            for weekday in range(5):
                db.session.add(
                    AvailabilityRule(coach_id=coach.id, weekday=weekday, start_time=time(9), end_time=time(17))
                )
            db.session.add(
                SessionType(
                    coach_id=coach.id, name="Intro call", duration_minutes=30, price_amount=price // 3, currency="EUR"
                )
            )
            db.session.add(
                SessionType(
                    coach_id=coach.id, name="Coaching session", duration_minutes=60, price_amount=price, currency="EUR"
                )
            )
        commit()
        refresh_search_fields(coach.id)
        lines.append(f"  coach      {email}")
    return lines
