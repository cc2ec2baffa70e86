"""Outcomes from recorded attendance: each one's effect happens once (rows, refunds, mails, audit),
through replays of the job, concurrent runs and a refund job that was lost."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app import create_app
from app.core.models import AuditLog, OutgoingMail
from app.extensions import db
from app.payments.models import Payment, Refund, RefundReason
from app.video import outcomes
from app.video.attendance import record_heartbeat, record_join, record_leave
from app.video.due import outcomes_started
from app.video.models import Outcome, OutcomeStatus, SessionOutcome, VideoRollout
from config import TestingConfig
from tests.video.helpers import FAR_START, paid_booking

END = FAR_START + timedelta(minutes=60)
CLOSES = END + timedelta(minutes=15)  # the room closes: the outcome is due


def _p2p_call(booking, minutes: int, media: bool) -> None:
    """Both pages beat every 15 s for `minutes` from the start."""
    for user in (booking.client, booking.coach.user):
        for n in range(minutes * 4 + 1):
            record_heartbeat(booking, user, FAR_START + timedelta(seconds=15 * n), media=media)


def _only(user_of):
    def attend(booking):
        user = user_of(booking)
        record_join(booking, user, FAR_START + timedelta(minutes=1), provider="daily")
        record_leave(booking, user, FAR_START + timedelta(minutes=30), provider="daily")

    return attend


SCENARIOS = {
    Outcome.COMPLETED: lambda b: _p2p_call(b, 10, media=True),
    Outcome.TECHNICAL_FAILURE: lambda b: _p2p_call(b, 10, media=False),
    Outcome.COACH_NO_SHOW: _only(lambda b: b.client),
    Outcome.CLIENT_NO_SHOW: _only(lambda b: b.coach.user),
    Outcome.BOTH_NO_SHOW: lambda b: None,
}
EFFECTS = {  # status, refunded, mail subject
    Outcome.COMPLETED: (OutcomeStatus.FINAL, 0, "Your coaching session is recorded as held"),
    Outcome.TECHNICAL_FAILURE: (OutcomeStatus.AWAITING_STAFF, 0, "Your coaching session did not connect"),
    Outcome.COACH_NO_SHOW: (OutcomeStatus.FINAL, 9000, "Missed session: the coach did not join"),
    Outcome.CLIENT_NO_SHOW: (OutcomeStatus.FINAL, 0, "Missed session: the client did not join"),
    Outcome.BOTH_NO_SHOW: (OutcomeStatus.AWAITING_STAFF, 0, "Missed session: nobody joined"),
}


def _state(booking) -> tuple:
    db.session.expire_all()
    rows = list(db.session.scalars(sa.select(SessionOutcome).where(SessionOutcome.booking_id == booking.id)))
    payment = db.session.scalars(sa.select(Payment).where(Payment.booking_id == booking.id)).one()
    refunds = list(db.session.scalars(sa.select(Refund).where(Refund.payment_id == payment.id)))
    mails = list(db.session.scalars(sa.select(OutgoingMail).where(OutgoingMail.template == "video_outcome")))
    audits = db.session.scalar(
        sa.select(sa.func.count()).select_from(AuditLog).where(AuditLog.action == "video.outcome.decided")
    )
    return rows, payment, refunds, mails, audits


@pytest.mark.parametrize("expected", list(Outcome), ids=lambda o: o.value)
def test_each_outcome_from_its_intervals_has_one_effect_through_three_replays(expected):
    booking = paid_booking(amount=9000)
    SCENARIOS[expected](booking)
    assert outcomes.decide_due(CLOSES - timedelta(seconds=1)) == 0  # the room is still open
    assert [outcomes.decide_due(CLOSES + timedelta(minutes=n)) for n in range(4)] == [1, 0, 0, 0]
    rows, payment, refunds, mails, audits = _state(booking)
    status, refunded, subject = EFFECTS[expected]
    [row] = rows
    assert (row.outcome, row.status, payment.amount_refunded, audits) == (expected, status, refunded, 1)
    assert sorted(m.to_address for m in mails) == sorted([booking.client.email, booking.coach.user.email])
    assert {m.subject for m in mails} == {subject}
    if expected == Outcome.COACH_NO_SHOW:
        [refund] = refunds
        assert (refund.idempotency_key, refund.reason, refund.amount) == (
            f"refund-booking-{booking.id}-coach-no-show",
            RefundReason.COACH_NO_SHOW,
            9000,
        )
        assert row.refund_id == refund.id
        client_mail = next(m for m in mails if m.to_address == booking.client.email)
        assert "You are refunded in full: " in client_mail.text_body and "90" in client_mail.text_body
    else:
        assert refunds == []


def test_measures_are_clipped_to_the_room_and_a_short_visit_is_not_a_completed_session():
    booking = paid_booking()
    _p2p_call(booking, 0, media=True)  # one beat each: joined, never a minute
    outcomes.decide_due(CLOSES)
    [row], *_ = _state(booking)
    assert (row.outcome, row.client_seconds, row.coach_seconds) == (Outcome.TECHNICAL_FAILURE, 0, 0)


def test_a_provider_interval_never_closed_lasts_until_the_room_closed():
    booking = paid_booking()
    for user in (booking.client, booking.coach.user):
        record_join(booking, user, FAR_START, provider="daily")  # their leaves never arrive
    outcomes.decide_due(CLOSES + timedelta(hours=1))
    [row], *_ = _state(booking)
    assert (row.outcome, row.client_seconds, row.media_seconds) == (Outcome.COMPLETED, 75 * 60, 75 * 60)


def test_a_session_whose_room_closed_before_the_horizon_is_left_alone(app):
    booking = paid_booking()
    late = CLOSES + timedelta(hours=app.config["VIDEO_DECIDE_HORIZON_HOURS"], seconds=1)
    assert outcomes.decide_due(late) == 0
    assert _state(booking)[0] == []


def test_sessions_that_ended_before_video_decide_since_are_never_decided(app, monkeypatch):
    before, after = paid_booking(), paid_booking(starts_at=FAR_START + timedelta(hours=2))
    monkeypatch.setitem(app.config, "VIDEO_DECIDE_SINCE", (END + timedelta(minutes=1)).isoformat())
    assert outcomes.decide_due(CLOSES + timedelta(hours=3)) == 1
    assert (_state(before)[0], len(_state(after)[0])) == ([], 1)
    with pytest.raises(ValueError, match="VIDEO_DECIDE_SINCE is not an ISO date-time"):
        create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                   VIDEO_DECIDE_SINCE="yesterday")  # fmt: skip


def _outcomes_start(at) -> None:
    db.session.execute(sa.update(VideoRollout).where(VideoRollout.name == "outcomes").values(started_at=at))
    db.session.commit()


def test_without_video_decide_since_sessions_that_started_before_outcomes_did_are_never_decided(app):
    """A deploy without VIDEO_DECIDE_SINCE: the migration's start (here during the first session, which
    was held elsewhere) keeps it from being decided and mailed as nobody joining; the next one is decided."""
    before, after = paid_booking(amount=9000), paid_booking(starts_at=FAR_START + timedelta(hours=2))
    suite_start = outcomes_started()
    assert app.config["VIDEO_DECIDE_SINCE"] == ""
    try:
        _outcomes_start(FAR_START + timedelta(minutes=30))
        assert outcomes.decide_due(CLOSES + timedelta(hours=3)) == 1
        assert outcomes.decide_session(before.id, CLOSES + timedelta(hours=3)) is None
        rows, _, refunds, mails, audits = _state(before)
        assert (rows, refunds, audits) == ([], [], 1)  # the audit entry is the later session's
        assert len(_state(after)[0]) == 1
        assert {m.to_address for m in mails} == {after.client.email, after.coach.user.email}  # no mail about `before`
    finally:
        _outcomes_start(suite_start)


def test_without_a_recorded_start_and_video_decide_since_nothing_is_decided(app, caplog):
    booking = paid_booking()
    suite_start = outcomes_started()
    try:
        db.session.execute(sa.delete(VideoRollout))
        db.session.commit()
        assert outcomes.decide_due(CLOSES) == 0
        assert _state(booking)[0] == []
        assert "video outcomes have no recorded start" in caplog.text
    finally:
        db.session.add(VideoRollout(name="outcomes", started_at=suite_start))
        db.session.commit()


def test_concurrent_runs_decide_once_and_refund_once(app):
    booking = paid_booking(amount=9000)
    SCENARIOS[Outcome.COACH_NO_SHOW](booking)
    runs, barrier, errors = 6, threading.Barrier(6), []

    def run():
        with app.app_context():
            try:
                barrier.wait()
                outcomes.decide_due(CLOSES)
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(runs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    rows, payment, refunds, mails, audits = _state(booking)
    assert (errors, len(rows), len(refunds), payment.amount_refunded, len(mails), audits) == ([], 1, 1, 9000, 2, 1)


def test_a_lost_refund_job_is_sent_again_by_the_next_run_and_only_once(monkeypatch):
    booking = paid_booking(amount=9000)
    SCENARIOS[Outcome.COACH_NO_SHOW](booking)
    monkeypatch.setattr(outcomes, "enqueue_after_commit", lambda *a, **k: None)  # the job never ran
    assert outcomes.decide_due(CLOSES) == 1
    assert _state(booking)[2] == []
    monkeypatch.undo()
    outcomes.decide_due(CLOSES + timedelta(minutes=1))  # the job may still be on its way
    assert _state(booking)[2] == []
    outcomes.decide_due(CLOSES + timedelta(minutes=6))
    outcomes.refund_outcome(booking.id)  # the job replayed as well
    rows, payment, refunds, *_ = _state(booking)
    assert (len(refunds), payment.amount_refunded, rows[0].refund_id) == (1, 9000, refunds[0].id)


def test_flask_video_decide_due_says_how_many_it_decided(app, monkeypatch):
    booking = paid_booking()
    monkeypatch.setattr(outcomes, "utcnow", lambda: CLOSES)
    result = app.test_cli_runner().invoke(args=["video", "decide-due"])
    assert (result.exit_code, result.output) == (0, "decided 1 session(s)\n")
    assert _state(booking)[0][0].outcome == Outcome.BOTH_NO_SHOW
