"""A client and a coach in one enquiry thread, and a producer that sends messages from a thread."""

from __future__ import annotations

import threading

from app.accounts.models import User
from app.extensions import db
from app.messaging import services
from app.messaging.models import MessageThread
from app.messaging.threads import open_enquiry
from tests.factories import UserFactory
from tests.factories.coaches import CoachFactory
from tests.security_clients import bearer_for


class Pair:
    """A client writing to a coach; `headers` are the coach's Bearer headers (the reader)."""

    def __init__(self):
        coach = CoachFactory()
        self.client_id, self.coach_id = UserFactory().id, coach.user_id
        self.thread_id = open_enquiry(db.session.get(User, self.client_id), coach.user)[0].id
        self.headers = bearer_for(coach.user)
        self.client_headers = bearer_for(db.session.get(User, self.client_id))

    def send(self, body: str, key: str | None = None) -> int:
        """Send one message as the client in the caller's app context; its id."""
        thread = db.session.get(MessageThread, self.thread_id)
        message, _ = services.send_message(thread, db.session.get(User, self.client_id), body, key)
        return message.id


def produce(
    app,
    pair: Pair,
    count: int,
    sent: list[int],
    pause: float = 0.0,
    done: threading.Event | None = None,
    committed_at: list[float] | None = None,
):
    """Send `count` messages from another thread (its own app context), appending their ids (and
    the monotonic time each send had committed, when `committed_at` is given)."""

    def run() -> None:
        import time

        with app.app_context():
            for i in range(count):
                sent.append(pair.send(f"message {i}", f"m-{i}"))
                if committed_at is not None:
                    committed_at.append(time.monotonic())
                if pause:
                    time.sleep(pause)
            db.session.remove()
        if done is not None:
            done.set()

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    return worker


def produce_batches(app, pair: Pair, count: int, sent: list[int], done: threading.Event, batch: int = 25):
    """Write `count` messages to the coach in transactions of `batch` (each appends its events as a
    send does, under the coach's event lock), from another thread; cheap enough for 1,000."""
    from app.core.effects import transaction
    from app.messaging.models import Message
    from app.messaging.payloads import message_json
    from app.realtime import events

    def run() -> None:
        with app.app_context():
            for start in range(0, count, batch):
                with transaction():
                    rows = [
                        Message(
                            thread_id=pair.thread_id,
                            sender_id=pair.client_id,
                            recipient_id=pair.coach_id,
                            body=f"message {i}",
                            client_msg_id=f"b-{i}",
                        )
                        for i in range(start, min(start + batch, count))
                    ]
                    db.session.add_all(rows)
                    db.session.flush()
                    events.append_many([(pair.coach_id, "message.new", {"message": message_json(m)}) for m in rows])
                sent.extend(m.id for m in rows)
            db.session.remove()
        done.set()

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    return worker
