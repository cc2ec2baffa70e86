"""POST /api/messages/send's statements (issue 13): the send is the delivery's latency.

It used to run 28 (the thread loaded twice, the recipient loaded with their roles, two unread
counts, the participant row read then written, the watched words read every time, one event
lock per user, the message, the user and their roles read back after the commit). Now 14 for a
message in a thread whose notification is still unread:

- the API token, its user and their roles (authentication);
- the thread with its booking, locked; the sender's earlier message with this client_msg_id;
- INSERT the message; UPDATE the thread's last_message_at; UPDATE the sender's watermarks;
- INSERT the audit row; the recipient's unread counts (this thread, all threads) in one SELECT;
- UPDATE ... RETURNING the unread notification; the recipient's unread notifications;
- both users' event locks in one SELECT; INSERT both events in one statement.

Nothing is read after the commit (Web Push off; with VAPID keys one SELECT asks whether the
recipient has a device). A first message on a subject adds the notification's INSERT.
"""

from __future__ import annotations

import sqlalchemy as sa

from app.accounts.models import Role
from app.extensions import db
from app.messaging.models import Message, ThreadParticipant
from app.moderation.models import ModerationItem
from app.moderation.settings import set_watched_words
from app.notifications.models import Notification
from app.realtime.models import UserEvent
from tests.factories import StaffFactory
from tests.messaging.helpers import Api, confirmed_session
from tests.sql_log import count_queries

SEND_STATEMENT_BUDGET = 12
FIRST_ON_SUBJECT_BUDGET = 13  # the notification is inserted (its UPDATE found no unread one)


def test_a_send_stays_within_its_statement_budget_and_reads_nothing_back(client):
    booking, thread = confirmed_session()
    thread_id, coach_id = thread.id, booking.coach.user_id
    api = Api(client, booking.client)
    api.get("/api/messages/threads")  # the token's first use is noted (and its user read again) once
    with count_queries() as first:
        assert api.send(thread_id, "First", "k-1").status_code == 201
    with count_queries() as statements:
        resp = api.send(thread_id, "See you Tuesday", "k-2")
    assert resp.status_code == 201, resp.get_json()
    app_statements = [s for s in first if "watched_words" not in s]  # the process's first read of them
    assert len(app_statements) <= FIRST_ON_SUBJECT_BUDGET, "\n".join(first)
    assert len(statements) <= SEND_STATEMENT_BUDGET, "\n".join(statements)
    assert statements[-1].startswith("INSERT INTO user_events"), "read back after the commit:\n" + statements[-1]

    sent = resp.get_json()
    assert (sent["body"], sent["client_msg_id"], sent["held"]) == ("See you Tuesday", "k-2", False)
    event = db.session.scalars(
        sa.select(UserEvent)
        .where(UserEvent.user_id == coach_id, UserEvent.type == "message.new")
        .order_by(UserEvent.id)
    ).all()[-1]
    assert (event.payload["message"]["id"], event.payload["unread"], event.payload["unread_total"]) == (
        sent["id"],
        2,
        2,
    )
    notification = db.session.scalars(sa.select(Notification).where(Notification.user_id == coach_id)).all()
    assert [(n.subject_key, n.count) for n in notification if n.kind == "message"] == [(f"thread:{thread_id}", 2)]
    mine = db.session.get(ThreadParticipant, (thread_id, booking.client_id))
    assert (mine.last_read_message_id, mine.last_delivered_message_id) == (sent["id"], sent["id"])


def test_a_retry_answers_the_first_message_without_reading_it_back(client):
    booking, thread = confirmed_session()
    api, thread_id = Api(client, booking.client), thread.id
    first = api.send(thread_id, "Once", "k-1").get_json()
    with count_queries() as statements:
        again = api.send(thread_id, "Once", "k-1")
    assert (again.status_code, again.get_json()) == (200, first)
    assert len(statements) <= 4, "\n".join(statements)  # authentication, the locked thread, the message, its files
    assert Message.query.count() == 1


def test_a_moderators_new_watched_word_holds_the_next_message_though_the_words_are_cached(client):
    booking, thread = confirmed_session()
    api = Api(client, booking.client)
    assert api.send(thread.id, "Is crypto fine to pay with?", "k-1").get_json()["held"] is False
    set_watched_words(StaffFactory(roles=[Role.MODERATOR]), ["crypto"])
    held = api.send(thread.id, "Pay me in crypto", "k-2").get_json()
    assert held["held"] is True
    assert ModerationItem.query.filter_by(target_id=held["id"]).one().is_hidden
    set_watched_words(StaffFactory(roles=[Role.MODERATOR]), [])
    assert api.send(thread.id, "crypto again", "k-3").get_json()["held"] is False


def test_a_watched_word_another_process_added_applies_once_the_cache_is_older_than_its_age(client, app, monkeypatch):
    booking, thread = confirmed_session()
    api = Api(client, booking.client)
    monkeypatch.setitem(app.config, "WATCHED_WORDS_CACHE_SECONDS", 3600)
    assert api.send(thread.id, "casino night?", "k-1").get_json()["held"] is False  # cached: no words
    with db.engine.begin() as other_process:  # no ORM event reaches this process's cache
        other_process.execute(sa.text("INSERT INTO watched_words (word, created_at) VALUES ('casino', now())"))
    assert api.send(thread.id, "casino night!", "k-2").get_json()["held"] is False
    monkeypatch.setitem(app.config, "WATCHED_WORDS_CACHE_SECONDS", 0)
    assert api.send(thread.id, "casino night.", "k-3").get_json()["held"] is True
