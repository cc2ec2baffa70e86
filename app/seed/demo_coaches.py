"""Demo coaches: Specialization rows, ~50 active coach profiles with session types and weekly hours."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from app.accounts.models import Role, User, UserRole
from app.booking.models import AvailabilityRule, SessionType
from app.coaches.models import CertificationLevel, CoachLanguage, CoachProfile, Specialization
from app.extensions import db
from app.seed import catalog

COACH_COUNT = 50
COACH_EMAIL = "coach{:02d}@coachconnect.example"


def ensure_user(email: str, roles: list[Role], first: str, last: str, timezone: str, password_hash: str) -> User:
    """The user with this e-mail, created (with these roles) when missing; flushed, not committed."""
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None:
        user = User(email=email, first_name=first, last_name=last, timezone=timezone, password_hash=password_hash)
        user.role_rows = [UserRole(role=r) for r in roles]
        db.session.add(user)
        db.session.flush()
    return user


def ensure_specializations() -> dict[str, Specialization]:
    """The fixed Specialization rows by slug."""
    existing = {s.slug: s for s in db.session.scalars(sa.select(Specialization))}
    for slug, name in catalog.SPECIALIZATIONS:
        if slug not in existing:
            existing[slug] = Specialization(slug=slug, name=name)
            db.session.add(existing[slug])
    db.session.flush()
    return existing


def _coach_spec(rng: random.Random, i: int) -> dict:
    zone, currency = rng.choice(catalog.ZONES)
    rate = rng.randrange(8000, 25001, 500)
    level = rng.choices(list(CertificationLevel), weights=[5, 3, 2])[0]
    return {
        "email": COACH_EMAIL.format(i),
        "first": rng.choice(catalog.FIRST_NAMES),
        "last": rng.choice(catalog.LAST_NAMES),
        "zone": zone,
        "currency": currency,
        "rate": rate,
        "level": level,
        "ipec": f"IPEC-{1000000 + i:07d}",
        "certified_on": date(2026, 1, 1) - timedelta(days=rng.randrange(120, 3000)),
        "years": rng.randrange(1, 20),
        "headline": rng.choice(catalog.HEADLINES),
        "bio": " ".join(rng.sample(catalog.BIO_SENTENCES, 3)),
        "specs": rng.sample([s for s, _ in catalog.SPECIALIZATIONS], rng.randint(1, 4)),
        "langs": ["en"] + rng.sample(catalog.LANGUAGES[1:], rng.randint(0, 2)),
        "types": rng.randint(2, 3),
        "days": sorted(rng.sample(range(7), rng.randint(3, 5))),
        "start_hour": rng.choice([8, 9, 10]),
        "hours": rng.choice([6, 7, 8]),
    }


def _add_offer(profile: CoachProfile, spec: dict) -> None:
    rate, cur = spec["rate"], spec["currency"]
    offers = [
        ("Discovery call", 30, rate * 4 // 10),
        ("Coaching session", 60, rate),
        ("Intensive", 90, rate * 14 // 10),
    ]
    for name, minutes, price in offers[: spec["types"]]:
        db.session.add(
            SessionType(coach_id=profile.id, name=name, duration_minutes=minutes, price_amount=price, currency=cur)
        )
    for weekday in spec["days"]:
        start = time(spec["start_hour"])
        end = time(spec["start_hour"] + spec["hours"])
        db.session.add(AvailabilityRule(coach_id=profile.id, weekday=weekday, start_time=start, end_time=end))


def seed_coaches(password_hash: str) -> list[CoachProfile]:
    """Create the missing demo coaches (active profiles) and return all of them, in order."""
    rng = random.Random(42)
    specs = [_coach_spec(rng, i) for i in range(1, COACH_COUNT + 1)]
    by_slug = ensure_specializations()
    profiles = []
    for spec in specs:
        user = ensure_user(spec["email"], [Role.COACH], spec["first"], spec["last"], spec["zone"], password_hash)
        profile = db.session.scalar(sa.select(CoachProfile).where(CoachProfile.user_id == user.id))
        if profile is None:
            profile = CoachProfile(
                user_id=user.id,
                headline=spec["headline"],
                bio=spec["bio"],
                timezone=spec["zone"],
                certification_level=spec["level"],
                ipec_number=spec["ipec"],
                certified_on=spec["certified_on"],
                years_experience=spec["years"],
                hourly_rate_amount=spec["rate"],
                currency=spec["currency"],
                is_active=True,
                activated_at=datetime(2026, 1, 5, 9, 0, tzinfo=UTC),
            )
            profile.specializations = [by_slug[s] for s in spec["specs"]]
            profile.languages = [CoachLanguage(code=c) for c in spec["langs"]]
            db.session.add(profile)
            db.session.flush()
            _add_offer(profile, spec)
        profiles.append(profile)
    db.session.flush()
    return profiles
