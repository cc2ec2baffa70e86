"""Scale coaches are searchable: the set-based search fields equal what refresh_search_fields computes."""

from __future__ import annotations

import sqlalchemy as sa

from app.coaches.models import CoachProfile
from app.coaches.search import SearchParams, refresh_search_fields, search_coaches
from app.extensions import db
from app.seed.scale import seed_scale


def test_scale_coaches_have_exact_search_fields(app):
    list(seed_scale(200))
    coaches = db.session.scalars(
        sa.select(CoachProfile).where(CoachProfile.is_active.is_(True)).order_by(CoachProfile.id)
    ).all()
    assert len(coaches) == 20
    assert all(c.search_text and c.price_from_amount and c.next_slot_at for c in coaches)
    seeded = {c.id: (c.search_text, c.price_from_amount, c.next_slot_at) for c in coaches}
    for coach_id in seeded:
        refresh_search_fields(coach_id)
    db.session.expire_all()
    refreshed = {
        c.id: (c.search_text, c.price_from_amount, c.next_slot_at)
        for c in db.session.scalars(sa.select(CoachProfile).where(CoachProfile.id.in_(seeded)))
    }
    assert refreshed == seeded


def test_scale_coaches_answer_filtered_searches(app):
    list(seed_scale(200))
    everyone = search_coaches(SearchParams(limit=50)).coaches
    assert len(everyone) == 20
    career = search_coaches(SearchParams(specialization="career", limit=50)).coaches
    assert 0 < len(career) < 20
    assert all("career" in c.search_text for c in career)
    german = search_coaches(SearchParams(language="de", limit=50)).coaches
    assert german and all("de" in {lang.code for lang in c.languages} for c in german)
    cheap = search_coaches(SearchParams(price_max=40, sort="price", limit=50)).coaches
    prices = [c.price_from_amount for c in cheap]
    assert prices == sorted(prices) and all(p <= 4000 for p in prices)
    soon = search_coaches(SearchParams(free_within=8, limit=50)).coaches
    assert len(soon) == 20
