"""Outcomes from Daily's webhooks: delivered out of order and three times, decided three times,
each outcome has one effect (a coach no-show: one full refund)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from app.extensions import db
from app.payments.models import Payment, Refund
from app.video import outcomes
from app.video.models import Outcome
from tests.video.helpers import FAR_START
from tests.video.test_provider_webhooks import (  # noqa: F401 - fixtures
    JOINED,
    LEFT,
    _daily_event,
    _post_daily,
    booking,
    configured,
)

CLOSES = FAR_START + timedelta(minutes=75)


def _deliver(client, events: list[dict]) -> None:
    for _ in range(3):  # each delivery three times, the leaves first
        for event in sorted(events, key=lambda e: e["type"] != "participant.left"):
            assert _post_daily(client, event).status_code == 200


def _decide_three_times() -> None:
    for n in range(3):
        outcomes.decide_due(CLOSES + timedelta(minutes=10 * n))


def _refunds(paid) -> list[Refund]:
    db.session.expire_all()
    payment = db.session.scalars(sa.select(Payment).where(Payment.booking_id == paid.id)).one()
    return list(db.session.scalars(sa.select(Refund).where(Refund.payment_id == payment.id)))


def test_a_coach_who_never_joined_daily_refunds_the_client_once(client, booking, configured):  # noqa: F811
    configured("daily")
    _deliver(client, [_daily_event("joined", booking.client_id, JOINED, "j-1"),
                      _daily_event("left", booking.client_id, LEFT, "l-1")])  # fmt: skip
    _decide_three_times()
    row = outcomes.outcome_of(booking.id)
    assert (row.outcome, row.client_seconds, row.coach_seconds) == (Outcome.COACH_NO_SHOW, (LEFT - JOINED).seconds, 0)
    assert [(r.amount, r.idempotency_key) for r in _refunds(booking)] == [
        (booking.amount, f"refund-booking-{booking.id}-coach-no-show")
    ]


def test_both_in_the_daily_room_is_a_completed_session_without_refund(client, booking, configured):  # noqa: F811
    configured("daily")
    coach_id = booking.coach.user_id
    _deliver(client, [
        _daily_event("joined", booking.client_id, JOINED, "j-1"),
        _daily_event("left", booking.client_id, LEFT, "l-1"),
        _daily_event("joined", coach_id, JOINED, "j-2"),
        _daily_event("left", coach_id, LEFT, "l-2"),
    ])  # fmt: skip
    _decide_three_times()
    row = outcomes.outcome_of(booking.id)
    assert (row.outcome, row.media_seconds) == (Outcome.COMPLETED, (LEFT - JOINED).seconds)
    assert _refunds(booking) == []
