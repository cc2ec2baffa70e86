"""The notification center: one unread row per subject, live bell events, read and read-all, and
the delayed mail (not sent when read in time, preferences honoured, retried jobs send one)."""

from __future__ import annotations

from datetime import timedelta

from app.accounts.models import User
from app.core.db import utcnow
from app.core.effects import transaction
from app.core.models import OutgoingMail
from app.extensions import db
from app.messaging import services as messaging
from app.messaging.models import MessageThread
from app.notifications import services
from app.notifications.models import MailState, Notification
from app.realtime.models import UserEvent
from tests.conftest import csrf_token_from
from tests.factories import UserFactory
from tests.messaging.helpers import confirmed_session
from tests.realtime.helpers import Pair
from workers.notifications import mail_notification

LATER = timedelta(minutes=3)


def _send(pair: Pair, body: str) -> None:
    thread = db.session.get(MessageThread, pair.thread_id)
    messaging.send_message(thread, db.session.get(User, pair.client_id), body)


def _coach_mails(pair: Pair) -> list[OutgoingMail]:
    coach = db.session.get(User, pair.coach_id)
    return OutgoingMail.query.filter_by(to_address=coach.email, template="notification").all()


def test_ten_messages_in_a_thread_are_one_unread_notification(app):
    pair = Pair()
    for i in range(10):
        _send(pair, f"message {i}")
    rows = Notification.query.filter_by(user_id=pair.coach_id).all()
    assert [(r.kind, r.count, r.subject_key) for r in rows] == [("message", 10, f"thread:{pair.thread_id}")]
    assert rows[0].link == f"/messages/{pair.thread_id}" and rows[0].body == "message 9"
    bell = UserEvent.query.filter_by(user_id=pair.coach_id, type="notification").order_by(UserEvent.id).all()
    assert [e.payload["unread"] for e in bell] == [1] * 10  # the bell says 1 throughout
    messaging.mark_read(db.session.get(MessageThread, pair.thread_id), db.session.get(User, pair.coach_id))
    assert services.unread_count(pair.coach_id) == 0, "reading the thread reads its notification"
    _send(pair, "after reading")
    assert Notification.query.filter_by(user_id=pair.coach_id).count() == 2, "a new unread one after it was read"


def test_the_mail_waits_and_is_not_sent_when_read_in_time(app):
    pair = Pair()
    _send(pair, "Are you free on Tuesday?")
    row = Notification.query.filter_by(user_id=pair.coach_id).one()
    assert row.mail_state is MailState.PENDING and row.mail_due_at == row.created_at + timedelta(minutes=2)
    assert services.send_due_mails() == 0 and not _coach_mails(pair), "not before the delay"
    services.mark_read(db.session.get(User, pair.coach_id), row.id)
    assert services.send_due_mails(utcnow() + LATER) == 1
    db.session.refresh(row)
    assert (row.mail_state, row.mail_note) == (MailState.SUPPRESSED, "read before the mail was due")
    assert not _coach_mails(pair)


def test_still_unread_after_the_delay_it_is_mailed_once_however_often_the_job_runs(app, monkeypatch):
    pair = Pair()
    _send(pair, "Private words")
    row = Notification.query.filter_by(user_id=pair.coach_id).one()
    monkeypatch.setattr("app.notifications.services.utcnow", lambda: row.mail_due_at + timedelta(seconds=1))
    for _ in range(3):  # the job and two retries (or the sweep racing it)
        mail_notification(row.id)
    mails = _coach_mails(pair)
    assert len(mails) == 1
    assert "New message from" in mails[0].subject and f"/messages/{pair.thread_id}" in mails[0].text_body
    assert "Private words" not in mails[0].text_body, "a message's text stays out of the mail"
    db.session.refresh(row)
    assert (row.mail_state, row.mail_note) == (MailState.SENT, "sent")


def test_preferences_that_turn_mail_off_are_honoured_and_the_reason_kept(app):
    pair = Pair()
    coach = db.session.get(User, pair.coach_id)
    coach.mail_opt_outs = "message_received"  # Settings: no mail about new messages
    db.session.commit()
    _send(pair, "Hello")
    row = Notification.query.filter_by(user_id=pair.coach_id).one()
    services.send_due_mails(utcnow() + LATER)
    db.session.refresh(row)
    assert row.mail_state is MailState.SUPPRESSED
    assert row.mail_note == "the user turned off this mail in Settings (message_received)"
    assert not _coach_mails(pair)
    assert services.unread_count(pair.coach_id) == 1, "the notification itself is still shown"


def test_a_confirmed_booking_notifies_both_sides_without_a_second_mail(app):
    booking, _ = confirmed_session()
    rows = Notification.query.order_by(Notification.user_id).all()
    assert {r.user_id for r in rows} == {booking.client_id, booking.coach.user_id}
    assert {r.kind for r in rows} == {"booking_confirmed"}
    assert {(r.mail_state, r.mail_note) for r in rows} == {
        (MailState.SUPPRESSED, "mailed directly: booking confirmation")
    }


def test_the_list_read_and_read_all(app, client, login_as):
    pair = Pair()
    _send(pair, "one")
    other = Pair()
    coach = db.session.get(User, pair.coach_id)
    login_as(coach)
    page = client.get("/notifications").get_data(as_text=True)
    assert "New message from" in page and "Mark all read" in page
    row = Notification.query.filter_by(user_id=coach.id).one()
    opened = client.get(f"/notifications/{row.id}/open")
    assert (opened.status_code, opened.headers["Location"]) == (302, f"/messages/{pair.thread_id}")
    assert services.unread_count(coach.id) == 0
    _send(other, "two")
    with transaction():
        services.notify(other.coach_id, "report_ready", "report:1", "Your report is ready", "/staff/reports")
    login_as(db.session.get(User, other.coach_id))
    assert client.get(f"/notifications/{row.id}/open").status_code == 404, "another user's notification"
    assert services.unread_count(other.coach_id) == 2
    token = csrf_token_from(client, "/notifications")
    assert client.post("/notifications/read-all", data={"csrf_token": token}).status_code == 302
    assert services.unread_count(other.coach_id) == 0
    assert services.unread_count(coach.id) == 0 and Notification.query.count() == 3, "nothing else changed"
    stranger = UserFactory()
    login_as(stranger)
    assert client.get("/api/notifications").get_json() == {"notifications": [], "unread": 0}
