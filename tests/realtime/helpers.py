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
