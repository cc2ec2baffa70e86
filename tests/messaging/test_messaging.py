"""Messages between a client and a coach: who may read and write, unread counts, notifications."""

from datetime import timedelta

from app.accounts.models import Role
from app.core.db import utcnow
from app.core.models import OutgoingMail
from app.messaging.models import Message, MessageThread
from app.messaging.services import unread_count
from app.notifications.models import Notification
from app.notifications.services import send_due_mails
from tests.conftest import csrf_token_from
from tests.factories import UserFactory


def _coach():
    return UserFactory(roles=[Role.COACH], first_name="Cora", last_name="Coach")


def _write(client, path, body):
    return client.post(path, data={"body": body, "csrf_token": csrf_token_from(client, path)})


def test_client_writes_to_a_coach_and_the_coach_answers(client, login_as):
    coach, buyer = _coach(), UserFactory(first_name="Cleo")
    login_as(buyer)
    resp = _write(client, f"/messages/new/{coach.id}", "Do you work with career changers?")
    assert resp.status_code == 302
    thread = MessageThread.query.one()
    assert (thread.client_id, thread.coach_user_id) == (buyer.id, coach.id)
    assert not OutgoingMail.query.filter_by(to_address=coach.email).count(), "mail waits: read in time, none goes"
    send_due_mails(utcnow() + timedelta(minutes=3))
    mail = OutgoingMail.query.filter_by(to_address=coach.email).one()
    assert "Cleo" in mail.subject and f"/messages/{thread.id}" in mail.text_body

    login_as(coach)
    assert "<strong>1</strong>" in client.get("/messages").get_data(as_text=True)
    page = client.get(f"/messages/{thread.id}").get_data(as_text=True)
    assert "Do you work with career changers?" in page
    assert unread_count(coach) == 0  # opened: read
    assert _write(client, f"/messages/{thread.id}", "Yes, often.").status_code == 302
    assert Message.query.count() == 2
    assert Notification.query.filter_by(user_id=buyer.id).count() == 1


def test_one_notification_per_unread_streak(client, login_as):
    coach, buyer = _coach(), UserFactory()
    login_as(buyer)
    _write(client, f"/messages/new/{coach.id}", "First")
    thread = MessageThread.query.one()
    _write(client, f"/messages/{thread.id}", "Second, still unread by the coach")
    assert Message.query.count() == 2
    assert [n.count for n in Notification.query.filter_by(user_id=coach.id)] == [2]
    send_due_mails(utcnow() + timedelta(minutes=3))
    assert OutgoingMail.query.filter_by(to_address=coach.email).count() == 1


def test_strangers_cannot_read_a_conversation(client, login_as):
    coach, buyer, stranger = _coach(), UserFactory(), UserFactory()
    login_as(buyer)
    _write(client, f"/messages/new/{coach.id}", "Private question")
    thread = MessageThread.query.one()
    login_as(stranger)
    assert client.get(f"/messages/{thread.id}").status_code == 404
    assert "Private question" not in client.get("/messages").get_data(as_text=True)


def test_only_coaches_can_be_written_to(client, login_as):
    login_as(UserFactory())
    assert client.get(f"/messages/new/{UserFactory().id}").status_code == 404


def test_empty_message_is_refused_beside_the_field(client, login_as):
    coach = _coach()
    login_as(UserFactory())
    resp = _write(client, f"/messages/new/{coach.id}", "   ")
    assert resp.status_code == 400
    assert "Write a message first." in resp.get_data(as_text=True)
    assert MessageThread.query.count() == 0


def test_suspended_user_is_told_until_when(client, login_as):
    coach = _coach()
    until = utcnow() + timedelta(days=3)
    login_as(UserFactory(suspended_until=until))
    resp = _write(client, f"/messages/new/{coach.id}", "Hello?")
    assert resp.status_code == 403
    assert f"suspended until {until:%d %b %Y}" in resp.get_data(as_text=True)
    assert Message.query.count() == 0


def test_a_message_and_a_coach_profile_can_be_flagged(client, login_as):
    from app.coaches.models import CoachProfile
    from app.moderation.models import Flag
    from tests.factories.coaches import CoachFactory

    coach_profile = CoachFactory()
    coach_user, buyer = coach_profile.user, UserFactory()
    login_as(coach_user)
    thread = MessageThread(client_id=buyer.id, coach_user_id=coach_user.id)
    from app.extensions import db

    db.session.add(thread)
    db.session.commit()
    _write(client, f"/messages/{thread.id}", "Buy my crypto course")
    message = Message.query.one()

    login_as(buyer)
    page = client.get(f"/messages/{thread.id}").get_data(as_text=True)
    assert "Flag<span" in page
    token = csrf_token_from(client, f"/messages/{thread.id}")
    for target_type, target_id in (("message", message.id), ("profile", coach_profile.id)):
        resp = client.post(
            "/community/flags",
            data={
                "target_type": target_type,
                "target_id": target_id,
                "reason": "spam",
                "csrf_token": token,
                "next": f"/messages/{thread.id}",
            },
        )
        assert resp.status_code == 302
    assert {(f.target_type.value, f.target_id) for f in Flag.query.all()} == {
        ("message", message.id),
        ("profile", coach_profile.id),
    }
    assert "You flagged this" in client.get(f"/messages/{thread.id}").get_data(as_text=True)
    assert "You flagged this" in client.get(f"/coaches/{coach_profile.id}").get_data(as_text=True)
    assert db.session.get(CoachProfile, coach_profile.id) is not None


def test_the_booking_page_and_the_session_list_lead_to_its_conversation(client, login_as):
    from tests.messaging.helpers import confirmed_session

    booking, thread = confirmed_session()
    login_as(booking.client)
    assert "Conversation about this session" in client.get(f"/bookings/{booking.id}").get_data(as_text=True)
    assert f'href="/messages/booking/{booking.id}"' in client.get("/bookings").get_data(as_text=True)
    resp = client.get(f"/messages/booking/{booking.id}")
    assert (resp.status_code, resp.headers["Location"]) == (302, f"/messages/{thread.id}")
    login_as(UserFactory())
    assert client.get(f"/messages/booking/{booking.id}").status_code == 404


def test_a_moderator_reads_a_flagged_message_only_through_its_item_and_each_reading_is_audited(client, login_as):
    from app.accounts.models import Role
    from app.core.models import AuditLog
    from app.moderation.models import ModerationItem
    from tests.factories import StaffFactory
    from tests.messaging.helpers import Api, confirmed_session

    booking, thread = confirmed_session()
    sent = Api(client, booking.coach.user).send(thread.id, "Pay me outside the platform", "m-1").get_json()
    flag = {"target_type": "message", "target_id": sent["id"], "reason": "spam"}
    assert Api(client, booking.client).post("/api/flags", flag).status_code == 201
    moderator = StaffFactory(roles=[Role.MODERATOR])
    login_as(moderator)
    assert client.get(f"/messages/{thread.id}").status_code == 404, "not through the conversation"
    assert not AuditLog.query.filter_by(action="message.moderator_read").count()
    item = ModerationItem.query.one()
    for _ in range(2):
        page = client.get(f"/staff/moderation/items/{item.id}").get_data(as_text=True)
        assert "Pay me outside the platform" in page
    reads = AuditLog.query.filter_by(action="message.moderator_read").all()
    assert [(r.actor_id, r.object_type, r.object_id, r.after) for r in reads] == [
        (moderator.id, "messages", str(sent["id"]), {"thread_id": thread.id})
    ] * 2
