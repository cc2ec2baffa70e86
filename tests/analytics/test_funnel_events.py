"""The funnel is tracked where it happens: search, profile view, booking started, slot held, paid, confirmed."""

from __future__ import annotations

import sqlalchemy as sa

from app.analytics.models import AnalyticsEvent
from app.booking import services as booking_services
from app.extensions import db
from tests.booking.helpers import first_slot
from tests.factories import UserFactory
from tests.factories.booking import bookable_coach


def _events() -> list[tuple[str, int | None]]:
    db.session.expire_all()
    rows = db.session.execute(sa.select(AnalyticsEvent.name, AnalyticsEvent.coach_id).order_by(AnalyticsEvent.id))
    return [tuple(r) for r in rows]


def test_a_client_walking_the_funnel_leaves_one_event_per_step(client, login_as):
    coach, session_type = bookable_coach()
    buyer = UserFactory()
    login_as(buyer)
    assert client.get("/coaches?language=en").status_code == 200
    assert client.get("/coaches?after=abc").status_code == 200  # a next page is not a new search
    assert client.get(f"/coaches/{coach.id}").status_code == 200
    assert client.get(f"/coaches/{coach.id}/book").status_code == 200
    slot = first_slot(coach, session_type)
    booking = booking_services.create_booking(buyer, coach.id, session_type.id, slot.starts_at)
    booking_services.confirm_booking(booking.id)
    assert _events() == [
        ("coach_search", None),
        ("profile_view", coach.id),
        ("booking_started", coach.id),
        ("slot_held", coach.id),
        ("booking_confirmed", coach.id),
    ]
    search = db.session.scalars(sa.select(AnalyticsEvent).where(AnalyticsEvent.name == "coach_search")).one()
    assert search.user_id == buyer.id and search.properties["language"] == "en"
