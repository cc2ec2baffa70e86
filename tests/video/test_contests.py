"""Contesting an outcome: from the booking's page within 48 hours, once; staff's queue shows it and
decides it; both parties are mailed at each step; a refund already made is never made twice."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
import time_machine

from app.accounts.models import Role
from app.core.models import AuditLog, OutgoingMail
from app.extensions import db
from app.payments.models import Payment, Refund
from app.video import outcomes
from app.video.attendance import record_join
from app.video.models import Outcome, OutcomeStatus, SessionOutcome
from tests.conftest import csrf_token_from
from tests.factories import StaffFactory, UserFactory
from tests.video.helpers import FAR_START, paid_booking, signed_in

CLOSES = FAR_START + timedelta(minutes=75)


def _decided(joined: str):
    """A session only `joined` ('client' or 'coach') attended, decided when its room closed."""
    booking = paid_booking(amount=9000)
    user = booking.client if joined == "client" else booking.coach.user
    record_join(booking, user, FAR_START, provider="daily")
    outcomes.decide_due(CLOSES)
    return booking, outcomes.outcome_of(booking.id)


def _mails(template: str) -> list[OutgoingMail]:
    return list(db.session.scalars(sa.select(OutgoingMail).where(OutgoingMail.template == template)))


def _refunds(booking) -> list[Refund]:
    db.session.expire_all()
    payment = db.session.scalars(sa.select(Payment).where(Payment.booking_id == booking.id)).one()
    return list(db.session.scalars(sa.select(Refund).where(Refund.payment_id == payment.id)))


def test_the_client_contests_a_no_show_from_the_booking_page_and_staff_refund_it(app, client, login_as):
    booking, row = _decided("coach")
    assert (row.outcome, row.status) == (Outcome.CLIENT_NO_SHOW, OutcomeStatus.FINAL)
    with time_machine.travel(CLOSES + timedelta(hours=2), tick=False):
        signed_in(app, client, booking.client)
        page = client.get(f"/bookings/{booking.id}").get_data(as_text=True)
        assert "How the session went" in page and "The client did not join." in page
        assert "Contest this outcome" in page
        token = csrf_token_from(client, f"/bookings/{booking.id}")
        url = f"/bookings/{booking.id}/contest"
        resp = client.post(url, data={"csrf_token": token, "reason": "The page never loaded for me."})
        assert resp.status_code == 302
        page = client.get(f"/bookings/{booking.id}").get_data(as_text=True)
        assert "Contested by " in page and "Contest this outcome" not in page
        again = client.post(url, data={"csrf_token": token, "reason": "Again."}, follow_redirects=True)
        assert "already with our staff" in again.get_data(as_text=True)
    db.session.expire_all()
    row = db.session.get(SessionOutcome, row.id)
    assert (row.status, row.contested_by_id, row.contest_reason) == (
        OutcomeStatus.CONTESTED,
        booking.client_id,
        "The page never loaded for me.",
    )
    mails = _mails("video_contested")
    assert sorted(m.to_address for m in mails) == sorted([booking.client.email, booking.coach.user.email])
    assert all("The page never loaded for me." in m.text_body for m in mails)
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(AuditLog).where(AuditLog.action == "video.outcome.contested")
        )
        == 1
    )

    login_as(StaffFactory(roles=[Role.FINANCE]))
    queue = client.get("/staff/video/").get_data(as_text=True)
    assert f"#{booking.id}</a>" in queue and "contested" in queue
    detail = client.get(f"/staff/video/{row.id}").get_data(as_text=True)
    assert "The page never loaded for me." in detail and "Attendance timeline" in detail
    token = csrf_token_from(client, f"/staff/video/{row.id}")
    body = {"csrf_token": token, "resolution": "refund_client", "note": "Our logs show a failed load."}
    assert client.post(f"/staff/video/{row.id}/resolve", data=body).status_code == 302
    [refund] = _refunds(booking)
    assert (refund.idempotency_key, refund.amount) == (f"refund-booking-{booking.id}-client-no-show", 9000)


def test_after_48_hours_there_is_no_form_and_a_contest_is_refused(app, client):
    booking, row = _decided("coach")
    with time_machine.travel(CLOSES + timedelta(hours=48, seconds=1), tick=False):
        signed_in(app, client, booking.coach.user)
        page = client.get(f"/bookings/{booking.id}").get_data(as_text=True)
        assert "How the session went" in page and "Contest this outcome" not in page
        token = csrf_token_from(client, f"/bookings/{booking.id}")
        resp = client.post(f"/bookings/{booking.id}/contest", data={"csrf_token": token, "reason": "Late."},
                           follow_redirects=True)  # fmt: skip
        assert "within 48 hours of its decision" in resp.get_data(as_text=True)
        token = signed_in(app, client, UserFactory())["X-CSRFToken"]
        stranger = client.post(f"/bookings/{booking.id}/contest", data={"csrf_token": token, "reason": "Me."})
        assert stranger.status_code == 404
    assert outcomes.outcome_of(booking.id).status == OutcomeStatus.FINAL
    assert _mails("video_contested") == []


def test_a_coach_contesting_a_refunded_no_show_never_refunds_twice(app, client, login_as):
    booking, row = _decided("client")
    assert [r.amount for r in _refunds(booking)] == [9000]
    outcomes.contest_outcome(booking, booking.coach.user, "I was in the room; the client was not.", CLOSES)
    login_as(StaffFactory(roles=[Role.ADMIN]))
    token = csrf_token_from(client, f"/staff/video/{row.id}")
    body = {"csrf_token": token, "resolution": "no_refund", "note": "The client's refund stays: we saw no coach."}
    assert client.post(f"/staff/video/{row.id}/resolve", data=body).status_code == 302
    assert [r.amount for r in _refunds(booking)] == [9000]
    assert all("Decision: no refund beyond the" in m.text_body for m in _mails("video_decision"))
    outcomes.refund_outcome(booking.id)
    outcomes.decide_due(CLOSES + timedelta(hours=1))
    assert len(_refunds(booking)) == 1
