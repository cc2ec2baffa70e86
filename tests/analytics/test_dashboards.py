"""Public dashboards: a coach sees only their own figures; a client sees sessions and recommendations."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from app.booking.models import BookingStatus
from app.core.db import utcnow
from app.messaging.models import Message, MessageThread
from app.verification.models import ApplicationStatus
from tests.factories import UserFactory
from tests.factories.analytics import (
    BookingFactory,
    CoachProfileFactory,
    EventFactory,
    PaymentFactory,
    RefundFactory,
    ReviewFactory,
    SpecializationFactory,
)
from tests.factories.booking import AvailabilityRuleFactory
from tests.factories.verification import ApplicationFactory


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


def test_a_refund_of_last_months_payment_stays_in_last_month_and_has_its_own_line(client, login_as):
    coach = CoachProfileFactory(currency="EUR", timezone="UTC")
    now = utcnow()
    last_month = now.replace(day=1, hour=12, minute=0, second=0, microsecond=0) - timedelta(days=1)
    paid = PaymentFactory(booking=BookingFactory(coach=coach, amount=3000), created_at=last_month)
    RefundFactory(payment=paid, amount=3000, created_at=now)
    later = BookingFactory(
        coach=coach, amount=2550, starts_at=now + timedelta(days=9), ends_at=now + timedelta(days=9, hours=1)
    )
    PaymentFactory(booking=later, created_at=now)
    login_as(coach.user)
    html = client.get("/dashboard").get_data(as_text=True)
    # This month: 25.50 earned (the refund belongs to last month's payment), 30.00 refunded on its own line.
    assert (figure(html, "revenue-EUR"), figure(html, "refunds-EUR")) == ("EUR 25.50", "EUR 30.00")
    assert "Last month EUR 0.00<" in html.replace("</span>", "<") and "%)" not in html  # no change from nothing
    assert "in the month the client paid" in html


def test_dashboard_links_sessions_and_recommendations_and_counts_in_words(client, login_as):
    now = utcnow()
    career = SpecializationFactory(slug="career")
    seen, liked = CoachProfileFactory(), CoachProfileFactory(headline="Career coach for engineers")
    seen.specializations, liked.specializations = [career], [career]
    me = UserFactory()
    ahead = BookingFactory(
        coach=seen, client=me, starts_at=now + timedelta(days=1), ends_at=now + timedelta(days=1, hours=1)
    )
    login_as(me)
    html = client.get("/dashboard").get_data(as_text=True)
    assert f'href="/bookings/{ahead.id}"' in html
    assert f'href="/coaches/{liked.id}"' in html.split("data-recommendations>")[1].split("</ul>")[0]
    assert "Your roles" not in html

    coach = CoachProfileFactory()
    done = BookingFactory(coach=coach, client=me, status=BookingStatus.COMPLETED, completed_at=now)
    ReviewFactory(booking_id=done.id, coach_id=coach.id, client_id=me.id, rating=5)
    login_as(coach.user)
    html = client.get("/dashboard").get_data(as_text=True)
    assert ">1 review<" in html and "No upcoming sessions. Clients book you from your profile." in html


@pytest.mark.parametrize(
    ("status", "says", "link"),
    [
        ("draft", "stopped at step 2 of 4", "Continue your application"),
        ("submitted", "is being reviewed", "See its status"),
        ("info_requested", "asked you for more information", "Read the question and answer it"),
        ("approved", None, None),
    ],
)
def test_an_unfinished_coach_application_is_on_the_dashboard(client, login_as, status, says, link):
    applicant = UserFactory()
    ApplicationFactory(user=applicant, status=ApplicationStatus(status), step=2)
    login_as(applicant)
    html = client.get("/dashboard").get_data(as_text=True)
    if says is None:
        assert "Your coach application" not in html
    else:
        assert says in html and link in html
