"""The messaging API: opening threads, idempotent sends, the thread list, pages, read watermarks."""

from __future__ import annotations

from datetime import timedelta

from app.booking.models import BookingStatus
from app.community.models import WatchedWord
from app.core.db import utcnow
from app.core.models import AuditLog
from app.extensions import db
from app.messaging.models import Message, MessageThread
from app.moderation.models import ModerationItem
from app.realtime.models import UserEvent
from tests.factories import UserFactory
from tests.factories.coaches import CoachFactory
from tests.factories.payments import HeldBookingFactory
from tests.messaging.helpers import Api, confirmed_session


def test_a_client_opens_the_enquiry_thread_once(client):
    coach = CoachFactory()
    buyer = UserFactory(first_name="Cleo")
    api = Api(client, buyer)
    first = api.post("/api/messages/thread", {"coach_id": coach.id})
    assert first.status_code == 201
    body = first.get_json()
    assert set(body) == {"id", "booking_id", "participants", "created_at"}
    assert body["booking_id"] is None
    assert {(p["id"], p["role"]) for p in body["participants"]} == {(buyer.id, "client"), (coach.user_id, "coach")}
    again = api.post("/api/messages/thread", {"coach_id": coach.id})
    assert (again.status_code, again.get_json()["id"]) == (200, body["id"])
    assert MessageThread.query.count() == 1


def test_a_confirmed_booking_has_its_thread_and_both_sides_reach_it(client):
    booking, thread = confirmed_session()
    assert AuditLog.query.filter_by(action="message_thread.open", object_id=str(thread.id)).count() == 1
    for user in (booking.client, booking.coach.user):
        resp = Api(client, user).post("/api/messages/thread", {"booking_id": booking.id})
        assert (resp.status_code, resp.get_json()["id"], resp.get_json()["booking_id"]) == (200, thread.id, booking.id)
    held = HeldBookingFactory()
    resp = Api(client, held.client).post("/api/messages/thread", {"booking_id": held.id})
    assert resp.status_code == 409 and resp.get_json()["error"]["code"] == "not_confirmed"
    assert Api(client, UserFactory()).post("/api/messages/thread", {"booking_id": booking.id}).status_code == 404


def test_the_same_send_three_times_is_one_message(client):
    booking, thread = confirmed_session()
    api = Api(client, booking.client)
    answers = [api.send(thread.id, "See you Tuesday", "c-123") for _ in range(3)]
    assert [a.status_code for a in answers] == [201, 200, 200]
    assert len({a.get_json()["id"] for a in answers}) == 1
    assert Message.query.count() == 1
    assert UserEvent.query.filter_by(user_id=booking.coach.user_id, type="message.new").count() == 1
    reused = api.send(thread.id, "Another text", "c-123")
    assert reused.status_code == 409 and reused.get_json()["error"]["code"] == "client_msg_id_reused"
    shape = answers[0].get_json()
    assert set(shape) == {"id", "thread_id", "sender_id", "body", "client_msg_id", "created_at", "held", "attachments"}


def test_threads_list_unread_and_read_watermark(client):
    booking, thread = confirmed_session()
    coach = booking.coach.user
    client_api, coach_api = Api(client, booking.client), Api(client, coach)
    ids = [client_api.send(thread.id, f"note {i}", f"n{i}").get_json()["id"] for i in range(3)]
    listed = coach_api.get("/api/messages/threads").get_json()
    assert set(listed) == {"threads", "next"} and listed["next"] is None
    row = listed["threads"][0]
    assert set(row) == {"id", "booking", "other", "last_message", "unread"}
    assert (row["id"], row["unread"], row["other"]["id"]) == (thread.id, 3, booking.client_id)
    assert row["booking"]["id"] == booking.id and row["last_message"]["body"] == "note 2"

    read = coach_api.post(f"/api/messages/threads/{thread.id}/read", {"message_id": ids[1]}).get_json()
    assert (read["last_read_message_id"], read["unread"]) == (ids[1], 1)
    page = client_api.get(f"/api/messages/threads/{thread.id}/messages").get_json()
    assert [m["body"] for m in page["messages"]] == ["note 0", "note 1", "note 2"]
    assert page["other"]["last_read_message_id"] == ids[1]
    receipt = UserEvent.query.filter_by(user_id=booking.client_id, type="receipt").one()
    assert receipt.payload["last_read_message_id"] == ids[1]
    assert coach_api.post(f"/api/messages/threads/{thread.id}/read").get_json()["unread"] == 0


def test_paging_before_and_after(client):
    booking, thread = confirmed_session()
    api = Api(client, booking.client)
    ids = [api.send(thread.id, f"m{i}", f"k{i}").get_json()["id"] for i in range(60)]
    latest = api.get(f"/api/messages/threads/{thread.id}/messages").get_json()
    assert [m["id"] for m in latest["messages"]] == ids[10:] and latest["more"] is True
    older = api.get(f"/api/messages/threads/{thread.id}/messages?before={ids[10]}").get_json()
    assert [m["id"] for m in older["messages"]] == ids[:10] and older["more"] is False
    newer = api.get(f"/api/messages/threads/{thread.id}/messages?after={ids[55]}").get_json()
    assert [m["id"] for m in newer["messages"]] == ids[56:]
    assert api.get(f"/api/messages/threads/{thread.id}/messages?before=x").status_code == 400


def test_writing_closes_days_after_the_session_but_reading_stays(client, app):
    start = (utcnow() - timedelta(days=app.config["MESSAGING_WRITE_DAYS"] + 1)).replace(microsecond=0)
    booking, thread = confirmed_session(starts_at=start, ends_at=start + timedelta(hours=1))
    api = Api(client, booking.client)
    resp = api.send(thread.id, "Thanks again!")
    assert resp.status_code == 409 and resp.get_json()["error"]["code"] == "thread_closed"
    assert api.get(f"/api/messages/threads/{thread.id}/messages").status_code == 200


def test_a_suspended_user_reads_but_does_not_send(client):
    booking, thread = confirmed_session()
    Api(client, booking.coach.user).send(thread.id, "Welcome")
    booking.client.suspended_until = utcnow() + timedelta(days=2)
    db.session.commit()
    api = Api(client, booking.client)
    assert api.get(f"/api/messages/threads/{thread.id}/messages").status_code == 200
    resp = api.send(thread.id, "Hello?")
    assert resp.status_code == 403 and resp.get_json()["error"]["code"] == "suspended"
    assert Message.query.count() == 1


def test_a_watched_word_holds_the_message_for_review(client):
    db.session.add(WatchedWord(word="crypto"))
    db.session.commit()
    booking, thread = confirmed_session()
    sent = Api(client, booking.coach.user).send(thread.id, "Buy my crypto course").get_json()
    assert sent["held"] is True
    item = ModerationItem.query.one()
    assert (item.target_type.value, item.target_id, item.is_hidden) == ("message", sent["id"], True)
    seen = Api(client, booking.client).get(f"/api/messages/threads/{thread.id}/messages").get_json()
    assert seen["messages"] == []
    assert UserEvent.query.filter_by(user_id=booking.client_id, type="message.new").count() == 0
    assert UserEvent.query.filter_by(user_id=booking.client_id, type="notification").count() == 1  # the booking's


def test_a_third_user_gets_404_for_the_thread_and_its_messages(client):
    booking, thread = confirmed_session()
    Api(client, booking.client).send(thread.id, "Private")
    stranger = Api(client, UserFactory())
    assert stranger.get(f"/api/messages/threads/{thread.id}/messages").status_code == 404
    assert stranger.post(f"/api/messages/threads/{thread.id}/read").status_code == 404
    assert stranger.send(thread.id, "Let me in").status_code == 404
    assert stranger.get("/api/messages/threads").get_json()["threads"] == []
    assert Message.query.count() == 1


def test_completed_and_cancelled_bookings(client):
    booking, thread = confirmed_session()
    booking.status = BookingStatus.COMPLETED
    db.session.commit()
    assert Api(client, booking.client).post("/api/messages/thread", {"booking_id": booking.id}).status_code == 200
