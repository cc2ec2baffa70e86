"""The booking pages through the test client: book flow, my bookings, cancel, review, coach settings."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa
from flask import g, url_for

from app.accounts.models import Role
from app.booking.models import AvailabilityException, AvailabilityRule, Booking, BookingStatus, SessionType
from app.coaches.models import CoachProfile, Review
from app.core.db import utcnow
from app.extensions import db
from tests.booking.helpers import audit_actions
from tests.conftest import csrf_token_from
from tests.factories import UserFactory
from tests.factories.booking import BookingFactory, bookable_coach


def as_user(client, user):
    g.pop("_login_user", None)  # the test app context outlives requests
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
    return client


def test_book_flow_holds_and_shows_awaiting_payment(client):
    coach, session_type = bookable_coach()
    as_user(client, UserFactory(timezone="America/New_York"))
    step1 = client.get(f"/coaches/{coach.id}/book").get_data(as_text=True)
    assert "Coaching session · 60 min · EUR 80.00" in step1
    step2 = client.get(f"/coaches/{coach.id}/book?session_type_id={session_type.id}").get_data(as_text=True)
    assert "America/New_York" in step2
    starts = re.search(r'name="starts_at" value="([^"]+)"', step2).group(1)
    review = client.get(
        f"/coaches/{coach.id}/book/review",
        query_string={"session_type_id": session_type.id, "starts_at": starts, "notes": "Hello"},
    ).get_data(as_text=True)
    assert "Cancellation policy" in review and "EUR 80.00" in review and "Hello" in review
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', review).group(1)
    resp = client.post(
        f"/coaches/{coach.id}/book",
        data={"csrf_token": token, "session_type_id": session_type.id, "starts_at": starts, "notes": "Hello"},
    )
    booking = db.session.scalar(sa.select(Booking))
    # To Payments' checkout when it is installed, else to the booking's page.
    target = "payments.checkout" if "payments.checkout" in client.application.view_functions else "bookings.detail"
    assert resp.status_code == 302
    assert resp.headers["Location"].endswith(url_for(target, booking_id=booking.id, _external=False))
    detail = client.get(f"/bookings/{booking.id}").get_data(as_text=True)
    assert "Awaiting payment" in detail
    assert "awaiting payment" in client.get("/bookings").get_data(as_text=True)
    # the same slot again: a clear message, no second booking
    resp = client.post(
        f"/coaches/{coach.id}/book",
        data={"csrf_token": token, "session_type_id": session_type.id, "starts_at": starts},
        follow_redirects=True,
    )
    assert "just been taken" in resp.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Booking.id))) == 1


def test_booking_pages_are_private(client):
    booking = BookingFactory()
    as_user(client, UserFactory())
    assert client.get(f"/bookings/{booking.id}").status_code == 404
    as_user(client, booking.coach.user)
    assert client.get(f"/bookings/{booking.id}").status_code == 200
    assert booking.client.full_name in client.get("/coach/sessions").get_data(as_text=True)


def test_cancel_and_review_from_the_page(client):
    booking = BookingFactory(starts_at=utcnow() + timedelta(days=3))
    booking.ends_at = booking.starts_at + timedelta(hours=1)
    db.session.commit()
    as_user(client, booking.client)
    token = csrf_token_from(client, f"/bookings/{booking.id}")
    resp = client.post(f"/bookings/{booking.id}/cancel", data={"csrf_token": token}, follow_redirects=True)
    assert "The booking is cancelled." in resp.get_data(as_text=True)
    assert db.session.get(Booking, booking.id).status == BookingStatus.CANCELLED

    done = BookingFactory(
        starts_at=utcnow() - timedelta(days=1),
        ends_at=utcnow() - timedelta(days=1) + timedelta(hours=1),
        status=BookingStatus.COMPLETED,
    )
    as_user(client, done.client)
    token = csrf_token_from(client, f"/bookings/{done.id}")
    client.post(f"/bookings/{done.id}/review", data={"csrf_token": token, "rating": "5", "body": "Great"})
    assert db.session.scalar(sa.select(Review.rating)) == 5
    assert "Rate this session" not in client.get(f"/bookings/{done.id}").get_data(as_text=True)


def test_coach_sets_hours_settings_exceptions_and_session_types(client):
    coach, _ = bookable_coach(days=[])
    as_user(client, coach.user)
    page = client.get("/coach/availability")
    assert page.status_code == 200 and "Weekly hours" in page.get_data(as_text=True)
    token = csrf_token_from(client, "/coach/availability")
    client.post(
        "/coach/availability/hours",
        data={"csrf_token": token, "d0_start1": "09:00", "d0_end1": "12:00", "d0_start2": "13:00", "d0_end2": "17:00"},
    )
    rules = db.session.scalars(sa.select(AvailabilityRule).order_by(AvailabilityRule.start_time)).all()
    assert [(r.weekday, r.start_time.hour, r.end_time.hour) for r in rules] == [(0, 9, 12), (0, 13, 17)]
    client.post(
        "/coach/availability/settings",
        data={
            "csrf_token": token,
            "buffer_minutes": 10,
            "min_notice_hours": 4,
            "horizon_days": 30,
            "client_cancel_notice_hours": 6,
        },
    )
    coach = db.session.get(CoachProfile, coach.id)
    db.session.refresh(coach)
    assert (coach.buffer_minutes, coach.min_notice_hours, coach.horizon_days, coach.client_cancel_notice_hours) == (
        10,
        4,
        30,
        6,
    )
    day = (utcnow() + timedelta(days=5)).date().isoformat()
    client.post("/coach/availability/exceptions", data={"csrf_token": token, "on_date": day, "kind": "time_off"})
    assert db.session.scalar(sa.select(sa.func.count(AvailabilityException.id))) == 1
    client.post(
        "/coach/session-types",
        data={"csrf_token": token, "name": "Intro call", "duration_minutes": 30, "price": "25.50"},
    )
    assert db.session.scalar(sa.select(SessionType.price_amount).where(SessionType.name == "Intro call")) == 2550
    assert {"availability.weekly", "availability.settings", "availability.exception_add", "session_type.create"} <= set(
        audit_actions()
    )
    bad = client.post(
        "/coach/availability/settings",
        data={
            "csrf_token": token,
            "buffer_minutes": -1,
            "min_notice_hours": 4,
            "horizon_days": 30,
            "client_cancel_notice_hours": 6,
        },
    )
    assert bad.status_code == 400


def test_weekly_hours_with_a_bad_time_keep_what_was_typed_and_say_so_beside_it(client):
    coach, _ = bookable_coach(days=[])
    as_user(client, coach.user)
    token = csrf_token_from(client, "/coach/availability")
    data = {"csrf_token": token, "d0_start1": "09:00", "d0_end1": "12:00", "d1_start1": "25:00", "d1_end1": "17:00"}
    resp = client.post("/coach/availability/hours", data=data)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert "Times look like 09:00." in html
    assert re.search(r'<td class="has-error"><input aria-invalid="true"[^>]*name="d1_start1"', html)
    assert 'name="d0_start1" type="time" value="09:00"' in html and 'value="17:00"' in html
    assert db.session.scalar(sa.select(sa.func.count(AvailabilityRule.id))) == 0
    client.post("/coach/availability/hours", data={**data, "d1_start1": "13:00"})
    page = client.get("/coach/availability").get_data(as_text=True)
    assert 'name="d1_start1" type="time" value="13:00"' in page


def test_clients_cannot_open_coach_pages(client):
    as_user(client, UserFactory(roles=[Role.CLIENT]))
    assert client.get("/coach/availability").status_code == 404


def test_reschedule_page_moves_the_booking(client):
    coach, session_type = bookable_coach()
    booking = BookingFactory(
        session_type=session_type, starts_at=utcnow().replace(minute=0, second=0, microsecond=0) + timedelta(days=2)
    )
    booking.ends_at = booking.starts_at + timedelta(hours=1)
    db.session.commit()
    as_user(client, booking.client)
    assert "My bookings" in client.get("/dashboard").get_data(as_text=True)
    day = (booking.starts_at + timedelta(days=2)).date().isoformat()
    html = client.get(f"/bookings/{booking.id}/reschedule?day={day}").get_data(as_text=True)
    new_start = re.search(r'name="starts_at" value="([^"]+)"', html).group(1)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    resp = client.post(
        f"/bookings/{booking.id}/reschedule?day={day}",
        data={"csrf_token": token, "starts_at": new_start},
        follow_redirects=True,
    )
    assert "The booking has moved." in resp.get_data(as_text=True)
    assert db.session.get(Booking, booking.id).starts_at.isoformat() == new_start
