"""How a coach appears in search results (pages and API alike)."""

from __future__ import annotations

from app.coaches.models import CoachProfile


def coach_summary(coach: CoachProfile, zone: str = "UTC") -> dict:
    """The search-result shape of the API: id, name, specializations, languages, level, rating, price, next slot."""
    from app.booking.slots import in_zone

    return {
        "id": coach.id,
        "name": coach.user.full_name,
        "specializations": [s.slug for s in coach.specializations],
        "languages": sorted(lang.code for lang in coach.languages),
        "certification_level": coach.certification_level.value,
        "rating": float(coach.rating_avg) if coach.rating_avg is not None else None,
        "price_from": {
            "amount": coach.price_from_amount if coach.price_from_amount is not None else coach.hourly_rate_amount,
            "currency": coach.currency,
        },
        "next_slot": in_zone(coach.next_slot_at, zone).isoformat() if coach.next_slot_at else None,
    }
