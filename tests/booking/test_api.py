"""API shapes: availability, POST /api/bookings, reschedule, cancel, the user's list."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from app.booking.models import Booking, BookingStatus
from app.core.db import utcnow
from app.extensions import db
from tests.booking.helpers import first_slot
from tests.factories import UserFactory
from tests.factories.booking import BookingFactory, bookable_coach


def api_headers(client, user):
    """Session login plus the CSRF header the API wants for unsafe methods."""
    from flask import g

    from tests.conftest import csrf_token_from

    # The test app context outlives requests, so flask-login's cached user must be dropped.
    g.pop("_login_user", None)
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
    return {"X-CSRFToken": csrf_token_from(client, "/bookings")}


def test_availability_shape_and_time_zone(client):
    coach, session_type = bookable_coach(
        days=[0, 1, 2, 3, 4], start=datetime.min.time().replace(hour=9), end=datetime.min.time().replace(hour=12)
    )
    start = (utcnow() + timedelta(days=3)).date()
    resp = client.get(
        f"/api/coaches/{coach.id}/availability?from={start}&to={start + timedelta(days=6)}&tz=America/New_York"
    )
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["timezone"] == "America/New_York"
    assert len(body["slots"]) == 15  # 5 weekdays x 3 one-hour slots
    slot = body["slots"][0]
    assert set(slot) == {"starts_at", "ends_at", "session_type_id"}
    assert slot["session_type_id"] == session_type.id
    starts = datetime.fromisoformat(slot["starts_at"])
    assert (
        starts.utcoffset() == starts.astimezone(ZoneInfo("America/New_York")).utcoffset()
    )  # New York's offset that day
    assert datetime.fromisoformat(slot["ends_at"]) - datetime.fromisoformat(slot["starts_at"]) == timedelta(hours=1)


def test_availability_errors(client):
    coach, _ = bookable_coach()
    assert client.get(f"/api/coaches/{coach.id}/availability?tz=Mars/Base").status_code == 400
    assert client.get(f"/api/coaches/{coach.id}/availability?from=tomorrow").status_code == 400
    assert client.get("/api/coaches/999/availability").status_code == 404


def test_post_booking_shape_then_409_slot_taken(client):
    coach, session_type = bookable_coach()
    slot = first_slot(coach, session_type)
    headers = api_headers(client, UserFactory())
    payload = {
        "coach_id": coach.id,
        "session_type_id": session_type.id,
        "starts_at": slot.starts_at.isoformat(),
        "notes": "Hi",
        "amount": 1,
    }
    resp = client.post("/api/bookings", json=payload, headers=headers)
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert set(body) == {"id", "status", "starts_at", "ends_at", "amount", "currency", "hold_expires_at"}
    assert (
        body["status"] == "held" and body["amount"] == 8000 and body["currency"] == "EUR"
    )  # never the client's amount
    assert datetime.fromisoformat(body["starts_at"]) == slot.starts_at
    again = client.post("/api/bookings", json=payload, headers=api_headers(client, UserFactory()))
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "slot_taken"


def test_post_booking_needs_a_login_first(client):
    resp = client.post("/api/bookings", json={})
    assert (resp.status_code, resp.get_json()["error"]["code"]) == (401, "unauthenticated")


def test_post_booking_validation(client):
    headers = api_headers(client, UserFactory())
    resp = client.post("/api/bookings", json={"coach_id": 1}, headers=headers)
    assert resp.status_code == 400 and "starts_at" in resp.get_json()["error"]["fields"]
    naive = (utcnow() + timedelta(days=3)).strftime("%Y-%m-%dT10:00")  # no offset: which 10:00?
    resp = client.post("/api/bookings", json={"coach_id": 1, "session_type_id": 1, "starts_at": naive}, headers=headers)
    assert resp.status_code == 400, resp.get_json()
    assert "starts_at" in resp.get_json()["error"]["fields"], resp.get_json()


def test_reschedule_cancel_and_user_list(client):
    booking = BookingFactory(starts_at=utcnow().replace(microsecond=0) + timedelta(days=3))
    booking.ends_at = booking.starts_at + timedelta(hours=1)
    db.session.commit()
    from app.booking.models import AvailabilityRule

    for d in range(7):
        db.session.add(
            AvailabilityRule(
                coach_id=booking.coach_id, weekday=d, start_time=datetime.min.time(), end_time=datetime.min.time()
            )
        )
    db.session.commit()
    headers = api_headers(client, booking.client)
    target = first_slot(booking.coach, booking.session_type, after_hours=100)
    resp = client.put(
        f"/api/bookings/{booking.id}/reschedule", json={"starts_at": target.starts_at.isoformat()}, headers=headers
    )
    assert resp.status_code == 200, resp.get_json()
    assert datetime.fromisoformat(resp.get_json()["starts_at"]) == target.starts_at

    listing = client.get("/api/bookings/user").get_json()
    assert [b["id"] for b in listing["upcoming"]] == [booking.id] and listing["past"] == []
    assert listing["upcoming"][0]["role"] == "client"

    stranger = api_headers(client, UserFactory())
    assert client.put(f"/api/bookings/{booking.id}/cancel", json={}, headers=stranger).status_code == 404

    headers = api_headers(client, booking.client)
    resp = client.put(f"/api/bookings/{booking.id}/cancel", json={"reason": "Changed plans"}, headers=headers)
    assert resp.status_code == 200 and resp.get_json()["status"] == "cancelled"
    assert db.session.scalar(sa.select(Booking.status).where(Booking.id == booking.id)) == BookingStatus.CANCELLED
    assert client.put(f"/api/bookings/{booking.id}/cancel", json={}, headers=headers).status_code == 409


def test_openapi_documents_the_routes(client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    for path in ("/api/coaches/search", "/api/coaches/{coach_id}/availability", "/api/bookings", "/api/bookings/user"):
        assert path in paths
