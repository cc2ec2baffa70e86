"""Public dashboards: a coach sees only their own figures; a client sees sessions and recommendations."""

from __future__ import annotations

import re
from datetime import timedelta

from app.booking.models import BookingStatus
from app.core.db import utcnow
from app.messaging.models import Message, MessageThread
from tests.factories import UserFactory
from tests.factories.analytics import (
    AvailabilityRuleFactory,
    BookingFactory,
    CoachProfileFactory,
    EventFactory,
    PaymentFactory,
    RefundFactory,
    ReviewFactory,
    SpecializationFactory,
)


def figure(html: str, name: str) -> str:
    match = re.search(rf'data-figure="{name}">([^<]*)<', html)
    assert match, name
    return match.group(1).strip()


def test_a_coach_sees_only_their_own_figures(client, login_as, app):
    now = utcnow()
    mine = CoachProfileFactory(currency="EUR", timezone="UTC")
    other = CoachProfileFactory(currency="EUR", timezone="UTC")
    client_user = UserFactory()
    paid = PaymentFactory(booking=BookingFactory(coach=mine, client=client_user, amount=15000), created_at=now)
    RefundFactory(payment=paid, amount=5000, created_at=now)
    PaymentFactory(booking=BookingFactory(coach=other, client=client_user, amount=99900), created_at=now)
    done = BookingFactory(coach=mine, client=client_user, status=BookingStatus.COMPLETED, completed_at=now)
    BookingFactory(coach=other, client=client_user, status=BookingStatus.COMPLETED, completed_at=now)
    ReviewFactory(booking_id=done.id, coach_id=mine.id, client_id=client_user.id, rating=4)
    BookingFactory(
        coach=mine, client=client_user, starts_at=now + timedelta(days=2), ends_at=now + timedelta(days=2, hours=1)
    )
    thread = MessageThread(client_id=client_user.id, coach_user_id=mine.user_id)
    from app.extensions import db

    db.session.add(thread)
    db.session.flush()
    db.session.add_all(
        [Message(thread_id=thread.id, sender_id=client_user.id, recipient_id=mine.user_id, body="hi") for _ in range(2)]
    )
    db.session.commit()
    AvailabilityRuleFactory(coach_id=mine.id)

    login_as(mine.user)
    html = client.get("/dashboard").get_data(as_text=True)
    assert figure(html, "revenue-EUR") == "EUR 100.00"  # 150 paid, 50 refunded; the other coach's 999 not shown
    assert "999" not in html
    assert figure(html, "completed") == "1"
    assert figure(html, "rating") == "4.00"
    assert figure(html, "unread") == "2"
    assert 0 < int(figure(html, "completeness").rstrip(" %")) < 100
    assert (
        "Upcoming sessions" in html
        and "No upcoming sessions." not in html.split("Your coaching")[1].split("</section>")[0]
    )


def test_a_client_sees_sessions_and_matching_verified_coaches(client, login_as, app):
    now = utcnow()
    career, sleep = SpecializationFactory(slug="career"), SpecializationFactory(slug="sleep")
    seen = CoachProfileFactory()
    seen.specializations = [career]
    match = CoachProfileFactory(headline="Career coach for engineers")
    match.specializations = [career]
    searched = CoachProfileFactory(headline="Better sleep coach")
    searched.specializations = [sleep]
    inactive = CoachProfileFactory(headline="Hidden career coach", is_active=False)
    inactive.specializations = [career]
    unrelated = CoachProfileFactory(headline="Unrelated coach")
    me = UserFactory()
    BookingFactory(coach=seen, client=me, status=BookingStatus.COMPLETED, completed_at=now)
    BookingFactory(coach=seen, client=me, starts_at=now + timedelta(days=1), ends_at=now + timedelta(days=1, hours=1))
    EventFactory(name="coach_search", user_id=me.id, properties={"specialization": "sleep"})
    login_as(me)
    html = client.get("/dashboard").get_data(as_text=True)
    assert figure(html, "upcoming") == "1"
    assert figure(html, "client-completed") == "1"
    assert figure(html, "coaches-seen") == "1"
    recs = html.split("data-recommendations>")[1].split("</ul>")[0]
    assert "Career coach for engineers" in recs and "Better sleep coach" in recs
    assert "Hidden career coach" not in recs and "Unrelated coach" not in recs and seen.headline not in recs
    assert unrelated.id
