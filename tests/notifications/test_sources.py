"""What becomes a notification besides messages: a session moved, a coach application decided."""

from __future__ import annotations

from app.accounts.models import Role
from app.booking import services as booking_services
from app.booking.models import Booking
from app.extensions import db
from app.notifications.models import MailState, Notification
from app.verification import review
from tests.booking.helpers import first_slot
from tests.factories import StaffFactory, UserFactory
from tests.factories.booking import bookable_coach
from tests.factories.verification import ApplicationFactory


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
