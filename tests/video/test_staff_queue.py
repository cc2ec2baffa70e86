"""Staff's video queue: a technical failure waits there with its attendance timeline; finance decides
(refund in full or not), both parties are mailed, the decision is audited and made once. A coach
no-show against localstripe: one refund at Stripe, in full, however often the job runs."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
import stripe

from app.accounts.models import Role
from app.core.models import AuditLog, OutgoingMail
from app.extensions import db
from app.payments import services as payments
from app.payments.models import Payment, Refund
from app.video import outcomes
from app.video.attendance import record_heartbeat, record_join
from app.video.models import Outcome, OutcomeStatus, SessionOutcome
from tests.conftest import csrf_token_from
from tests.factories import StaffFactory
from tests.factories.payments import HeldBookingFactory
from tests.payments.conftest import stripe_app  # noqa: F401 - fixture
from tests.video.helpers import FAR_START, paid_booking

CLOSES = FAR_START + timedelta(minutes=75)


def _technical_failure():
    booking = paid_booking(amount=9000)
    for user in (booking.client, booking.coach.user):
        for n in range(20):  # five minutes in the room each, media never flowing
            record_heartbeat(booking, user, FAR_START + timedelta(seconds=15 * n), media=False)
    outcomes.decide_due(CLOSES)
    return booking, db.session.scalars(sa.select(SessionOutcome)).one()


def _mails(template: str) -> list[OutgoingMail]:
    return list(db.session.scalars(sa.select(OutgoingMail).where(OutgoingMail.template == template)))


def test_finance_sees_the_failure_with_its_timeline_and_refunds_the_client_once(app, client, login_as):
    booking, row = _technical_failure()
    finance = StaffFactory(roles=[Role.FINANCE])
    login_as(finance)
    queue = client.get("/staff/video/").get_data(as_text=True)
    assert f'href="/staff/video/{row.id}">#{booking.id}</a>' in queue and "Technical failure" in queue
    assert "Video sessions to decide" in client.get("/staff/").get_data(as_text=True)  # the inbox's part
    page = client.get(f"/staff/video/{row.id}").get_data(as_text=True)
    assert "Attendance timeline" in page and page.count("in the room") == 2 and "media flowing" not in page
    assert "present 4 min 45 s" in page and "0 min 0 s of sound and video" in page

    token = csrf_token_from(client, f"/staff/video/{row.id}")
    url = f"/staff/video/{row.id}/resolve"
    missing = client.post(url, data={"csrf_token": token, "resolution": "refund_client", "note": ""})
    assert missing.status_code == 400 and "A note is required." in missing.get_data(as_text=True)
    body = {"csrf_token": token, "resolution": "refund_client", "note": "Our relay failed; sorry."}
    resp = client.post(url, data=body, follow_redirects=True)
    assert resp.status_code == 200 and "Refund the client in full" in resp.get_data(as_text=True)
    assert "Nothing awaits a decision." in resp.get_data(as_text=True)
    again = client.post(url, data=body)
    assert again.status_code == 409

    db.session.expire_all()
    row = db.session.get(SessionOutcome, row.id)
    payment = db.session.scalars(sa.select(Payment).where(Payment.booking_id == booking.id)).one()
    [refund] = db.session.scalars(sa.select(Refund).where(Refund.payment_id == payment.id))
    assert (row.status, row.resolved_by_id, row.refund_id) == (OutcomeStatus.RESOLVED, finance.id, refund.id)
    assert (refund.idempotency_key, payment.amount_refunded) == (f"refund-booking-{booking.id}-technical-failure", 9000)
    mails = _mails("video_decision")
    assert sorted(m.to_address for m in mails) == sorted([booking.client.email, booking.coach.user.email])
    assert all("Our relay failed; sorry." in m.text_body and "refunded in full" in m.text_body for m in mails)
    [audit] = db.session.scalars(sa.select(AuditLog).where(AuditLog.action == "video.outcome.resolved"))
    assert (audit.actor_id, audit.after["resolution"], audit.before["status"]) == (
        finance.id,
        "refund_client",
        "awaiting_staff",
    )


def test_letting_the_session_stand_refunds_nothing(client, login_as):
    booking, row = _technical_failure()
    login_as(StaffFactory(roles=[Role.ADMIN]))
    token = csrf_token_from(client, f"/staff/video/{row.id}")
    body = {"csrf_token": token, "resolution": "no_refund", "note": "The coach's log shows the call ran."}
    assert client.post(f"/staff/video/{row.id}/resolve", data=body).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Refund)) == 0
    assert all("Decision: no refund." in m.text_body for m in _mails("video_decision"))
    decided = client.get("/staff/video/?show=decided").get_data(as_text=True)
    assert "No refund" in decided


def test_staff_cannot_decide_a_session_they_booked(client, login_as):
    staff = StaffFactory(roles=[Role.FINANCE])
    booking = paid_booking(client=staff)
    outcomes.decide_due(CLOSES)
    row = db.session.scalars(sa.select(SessionOutcome).where(SessionOutcome.booking_id == booking.id)).one()
    assert row.outcome == Outcome.BOTH_NO_SHOW
    login_as(staff)
    token = csrf_token_from(client, f"/staff/video/{row.id}")
    resp = client.post(f"/staff/video/{row.id}/resolve", data={"csrf_token": token, "resolution": "refund_client",
                                                               "note": "mine"})  # fmt: skip
    assert resp.status_code == 403 and "another staff member must decide it" in resp.get_data(as_text=True)


def test_a_coach_no_show_refunds_the_client_in_full_at_localstripe_once(stripe_app):  # noqa: F811
    booking = HeldBookingFactory(amount=9000, starts_at=FAR_START, ends_at=FAR_START + timedelta(hours=1))
    intent = payments.create_intent(booking.client, booking.id)
    payment = payments.confirm_payment(booking.client, intent.payment.id, "pm_card_visa")
    record_join(booking, booking.client, FAR_START, provider="daily")
    for n in range(3):
        outcomes.decide_due(CLOSES + timedelta(minutes=10 * n))
        outcomes.refund_outcome(booking.id)  # the refund job replayed
    remote = stripe.StripeClient("sk_test_x", base_addresses={"api": stripe_app.config["STRIPE_API_BASE"]})
    at_stripe = remote.v1.refunds.list(params={"payment_intent": payment.provider_intent_id}).data
    db.session.expire_all()
    assert [(r.amount, r.status) for r in at_stripe] == [(9000, "succeeded")]
    assert db.session.get(Payment, payment.id).amount_refunded == 9000


def test_the_finance_payment_page_shows_the_session_outcome_and_timeline(client, login_as):
    booking, row = _technical_failure()
    payment = db.session.scalars(sa.select(Payment).where(Payment.booking_id == booking.id)).one()
    login_as(StaffFactory(roles=[Role.FINANCE]))
    page = client.get(f"/staff/finance/payments/{payment.id}").get_data(as_text=True)
    assert "Video session" in page and f'href="/staff/video/{row.id}">technical failure</a>' in page
    assert page.count("in the room") == 2 and "client 4 min" in page
