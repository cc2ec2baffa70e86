"""Demo and benchmark coaches: a few bookable demo coaches, and N coaches in bulk for `make bench`."""

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

SPECIALIZATIONS = [
    ("career", "Career"),
    ("relationships", "Relationships"),
    ("leadership", "Leadership"),
    ("wellness", "Health and wellness"),
    ("confidence", "Confidence"),
]
DEMO_COACHES = [
    ("coach@coachconnect.example", "Cora", "Coach", "Europe/Berlin", ["career", "leadership"], ["en", "de"], 9000),
    ("coach2@coachconnect.example", "Noah", "Navigator", "America/New_York", ["relationships"], ["en"], 7000),
    ("coach3@coachconnect.example", "Amara", "Able", "Asia/Tokyo", ["wellness", "confidence"], ["en", "fr"], 5000),
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


SCALE_SQL = [
    "INSERT INTO specializations (slug, name) SELECT 'bench-' || g, 'Bench area ' || g FROM generate_series(1, 20) g"
    " ON CONFLICT DO NOTHING",
    "INSERT INTO users (email, first_name, last_name, timezone, is_enabled, created_at, updated_at)"
    " SELECT 'bench-coach-' || g || '@example.org', 'Coach' || g, 'Bench' || (g % 997), 'UTC', true, now(), now()"
    " FROM generate_series(1, :n) g",
    "INSERT INTO coach_profiles (user_id, headline, bio, timezone, certification_level, ipec_number, years_experience,"
    " hourly_rate_amount, currency, is_active, buffer_minutes, min_notice_hours, horizon_days,"
    " client_cancel_notice_hours, rating_avg, rating_count, search_text, price_from_amount, created_at, updated_at)"
    " SELECT u.id, 'Bench coach', 'bio', (ARRAY['Europe/Berlin','America/New_York','UTC','Asia/Tokyo'])[1 + u.id % 4],"
    " (ARRAY['associate','professional','master'])[1 + u.id % 3], 'BENCH-' || u.id, 5, 5000 + (u.id % 100) * 100, 'EUR',"
    " true, 15, 2, 60, 12, CASE WHEN u.id % 7 = 0 THEN NULL ELSE 3 + (u.id % 200) / 100.0 END, u.id % 50,"
    " lower(u.first_name || ' ' || u.last_name || ' ' || (ARRAY['career change leadership','relationships family',"
    "'health wellness stress','confidence public speaking','executive performance'])[1 + u.id % 5]),"
    " 4000 + (u.id % 150) * 100, now(), now() FROM users u WHERE u.email LIKE 'bench-coach-%'",
    # An approximate next free slot spread over three weeks; `flask booking refresh-search` makes it exact.
    "UPDATE coach_profiles SET next_slot_at = date_trunc('hour', now()) + ((3 + id % 500) || ' hours')::interval"
    " WHERE ipec_number LIKE 'BENCH-%'",
    "INSERT INTO coach_specializations SELECT c.id, s.id FROM coach_profiles c"
    " JOIN specializations s ON s.slug = 'bench-' || (1 + c.id % 20) WHERE c.ipec_number LIKE 'BENCH-%'",
    "INSERT INTO coach_languages SELECT id, 'en' FROM coach_profiles WHERE ipec_number LIKE 'BENCH-%'",
    "INSERT INTO session_types (coach_id, name, duration_minutes, price_amount, currency, is_active)"
    " SELECT id, 'Coaching session', 60, price_from_amount, 'EUR', true FROM coach_profiles WHERE ipec_number LIKE 'BENCH-%'",
    "INSERT INTO availability_rules (coach_id, weekday, start_time, end_time)"
    " SELECT c.id, d, '09:00', '17:00' FROM coach_profiles c, generate_series(0, 4) d WHERE c.ipec_number LIKE 'BENCH-%'",
]


def seed_scale_coaches(n: int) -> list[str]:
    """N active coaches in bulk (PostgreSQL) for `make bench` on /coaches and the availability API."""
    for statement in SCALE_SQL:
        db.session.execute(sa.text(statement), {"n": n})
    db.session.execute(sa.text("ANALYZE coach_profiles"))
    commit()
    count = db.session.scalar(sa.select(sa.func.count()).where(CoachProfile.ipec_number.like("BENCH-%")))
    return [f"  {count} bench coaches (next free slots approximate until `flask booking refresh-search`)"]
