"""What becomes a notification besides messages: a session moved or cancelled, a coach application
decided, a refund issued, a flag decided."""

from __future__ import annotations

from app.accounts.models import Role
from app.booking import services as booking_services
from app.booking.models import Booking
from app.extensions import db
from app.moderation.models import ModerationItem
from app.moderation.services import decide, flag_target
from app.notifications.models import MailState, Notification
from app.payments.models import RefundStatus
from app.verification import review
from tests.booking.helpers import first_slot
from tests.factories import StaffFactory, UserFactory
from tests.factories.analytics import RefundFactory
from tests.factories.booking import bookable_coach
from tests.factories.community import OldUserFactory, ReplyFactory
from tests.factories.payments import PaidPaymentFactory
from tests.factories.verification import ApplicationFactory
from tests.payments.conftest import event, sign, webhook_secret  # noqa: F401 - fixture


def test_a_moved_session_updates_its_one_notification_for_both_sides(app):
    coach, session_type = bookable_coach()
    slot = first_slot(coach, session_type, after_hours=72)
    booking = booking_services.create_booking(UserFactory(), coach.id, session_type.id, slot.starts_at)
    booking_services.confirm_booking(booking.id)
    booking = db.session.get(Booking, booking.id)
    later = first_slot(coach, session_type, after_hours=120)
    booking_services.reschedule_booking(booking, booking.client, later.starts_at)
    rows = Notification.query.order_by(Notification.user_id).all()
    assert {r.user_id for r in rows} == {booking.client_id, coach.user_id}
    assert {(r.kind, r.count, r.subject_key) for r in rows} == {("booking_rescheduled", 2, f"booking:{booking.id}")}
    assert {r.mail_state for r in rows} == {MailState.SUPPRESSED}, "its own mail carried the calendar update"


def test_the_applicant_hears_the_decision(app):
    verifier = StaffFactory(roles=[Role.VERIFIER])
    application = ApplicationFactory()
    review.approve_application(application.id, verifier)
    row = Notification.query.one()
    assert (row.user_id, row.kind, row.title, row.link) == (
        application.user_id,
        "application_decision",
        "Your coach application was approved",
        "/become-a-coach/status",
    )


def test_a_cancelled_session_is_one_notification_for_each_side_without_a_second_mail(app):
    coach, session_type = bookable_coach()
    slot = first_slot(coach, session_type, after_hours=72)
    booking = booking_services.create_booking(UserFactory(), coach.id, session_type.id, slot.starts_at)
    booking_services.confirm_booking(booking.id)
    booking = db.session.get(Booking, booking.id)
    booking_services.cancel_booking(booking, booking.client, "Moving house")
    rows = Notification.query.filter_by(kind="booking_cancelled").all()
    assert {(r.user_id, r.subject_key, r.body) for r in rows} == {
        (booking.client_id, f"booking:{booking.id}", "Moving house"),
        (coach.user_id, f"booking:{booking.id}", "Moving house"),
    }
    assert {r.title for r in rows} == {f"Session cancelled: {session_type.name}"}
    assert {r.mail_state for r in rows} == {MailState.SUPPRESSED}, "the cancellation mail went out already"


def test_the_client_hears_the_refund_went_through(client, webhook_secret):  # noqa: F811
    payment = PaidPaymentFactory(amount=9000, currency="EUR")
    refund = RefundFactory(payment=payment, amount=3000, status=RefundStatus.PENDING, provider_refund_id="re_n1")
    obj = {"id": "re_n1", "object": "refund", "amount": 3000, "status": "succeeded",
           "payment_intent": payment.provider_intent_id, "metadata": {"refund_id": str(refund.id)}}  # fmt: skip
    body = event("evt_refund_n1", "refund.updated", obj)
    resp = client.post("/webhooks/stripe", data=body, headers={"Content-Type": "application/json",
                                                               "Stripe-Signature": sign(body)})  # fmt: skip
    assert resp.status_code == 200
    row = Notification.query.one()
    assert (row.user_id, row.kind, row.subject_key, row.link) == (
        payment.booking.client_id,
        "refund_issued",
        f"refund:{refund.id}",
        f"/payments/{payment.id}",
    )
    assert row.title.startswith("Refund of ") and "30" in row.title
    assert row.mail_state is MailState.SUPPRESSED, "the refund mail went out already"


def test_a_reporter_hears_how_their_flag_was_decided(app):
    reply = ReplyFactory(body_md="You are all idiots")
    reporter = OldUserFactory()
    flag_target(reporter, "reply", reply.id, "harassment", "rude")
    item = ModerationItem.query.one()
    decide(StaffFactory(roles=[Role.MODERATOR]), item, "hide", "Personal attacks are not allowed.")
    row = Notification.query.filter_by(user_id=reporter.id).one()
    assert (row.kind, row.title, row.link) == ("flag_outcome", "Your flag was upheld", "/notifications")
