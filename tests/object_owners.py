"""Builders for the cross-user object checks: each makes one object that belongs to `owner` and
returns the values its routes' paths take (see tests/object_access.csv)."""

from __future__ import annotations

import secrets
from datetime import timedelta

import sqlalchemy as sa

from app.accounts import services as accounts
from app.accounts.models import BrowserSession
from app.analytics.models import ReportStatus
from app.booking.models import AvailabilityException, BookingStatus, ExceptionKind
from app.coaches.models import CoachProfile
from app.community.models import GroupMembership, MembershipStatus
from app.core.db import utcnow
from app.core.storage import storage
from app.extensions import db
from app.messaging.models import Message, MessageAttachment, MessageThread
from app.payments.models import PaymentStatus
from tests.factories import UserFactory
from tests.factories.analytics import ReportFactory
from tests.factories.booking import BookingFactory, SessionTypeFactory
from tests.factories.coaches import CoachFactory
from tests.factories.community import DiscussionFactory, GroupFactory, OldUserFactory
from tests.factories.payments import HeldBookingFactory, PaidPaymentFactory
from tests.factories.verification import ApplicationFactory


def booking(owner) -> dict:
    return {"booking_id": BookingFactory(client=owner, starts_at=_next_hour(days=5)).id}


def live_booking(owner) -> dict:
    """A paid session starting in five minutes: its video room is open."""
    starts = utcnow().replace(microsecond=0) + timedelta(minutes=5)
    paid = PaidPaymentFactory(
        booking=BookingFactory(client=owner, starts_at=starts, ends_at=starts + timedelta(hours=1))
    )
    return {"booking_id": paid.booking_id}


def decided_booking(owner) -> dict:
    """A session that ended yesterday whose coach alone joined: a final client no-show, contestable."""
    from app.video.attendance import record_join
    from app.video.outcomes import decide_session

    starts = _next_hour(days=-1)
    paid = PaidPaymentFactory(
        booking=BookingFactory(client=owner, starts_at=starts, ends_at=starts + timedelta(hours=1))
    )
    record_join(paid.booking, paid.booking.coach.user, starts, provider="daily")
    decide_session(paid.booking_id)
    return {"booking_id": paid.booking_id}


def held_booking(owner) -> dict:
    return {"booking_id": HeldBookingFactory(client=owner).id}


def completed_booking(owner) -> dict:
    starts = _next_hour(days=-3)
    return {"booking_id": BookingFactory(client=owner, starts_at=starts, status=BookingStatus.COMPLETED).id}


def payment(owner) -> dict:
    return {"payment_id": PaidPaymentFactory(booking__client=owner).id}


def payment_awaiting_authentication(owner) -> dict:
    held = HeldBookingFactory(client=owner)
    return {"payment_id": PaidPaymentFactory(booking=held, status=PaymentStatus.REQUIRES_ACTION, succeeded_at=None).id}


def application(owner) -> dict:
    return {"application_id": ApplicationFactory(user=owner).id}


def availability_exception(owner) -> dict:
    coach = CoachFactory(user=owner)
    row = AvailabilityException(
        coach_id=coach.id, on_date=utcnow().date() + timedelta(days=7), kind=ExceptionKind.TIME_OFF
    )
    db.session.add(row)
    db.session.commit()
    return {"exception_id": row.id}


def session_type(owner) -> dict:
    return {"session_type_id": SessionTypeFactory(coach=CoachFactory(user=owner)).id}


def coach_photo(owner) -> dict:
    from app.coaches import services as coach_services
    from tests.coaches.images import jpeg

    coach = db.session.scalar(sa.select(CoachProfile).where(CoachProfile.user_id == owner.id))
    coach = coach or CoachFactory(user=owner, is_active=False)
    coach_services.set_photo(coach, owner, jpeg())
    return {"coach_id": coach.id, "size": 400}


def join_request(owner) -> dict:
    """A private group `owner` owns, with somebody waiting to be let in."""
    group = GroupFactory(owner=owner, is_private=True)
    asker = UserFactory()
    db.session.add(GroupMembership(group_id=group.id, user_id=asker.id, status=MembershipStatus.PENDING))
    db.session.commit()
    return {"slug": group.slug, "user_id": asker.id}


def own_discussion(owner) -> dict:
    return {"kind": "discussion", "post_id": DiscussionFactory(author=owner).id}


def private_group(owner) -> dict:
    """A private group of which `owner` is a member (its owner is somebody else)."""
    group = GroupFactory(owner=OldUserFactory(), is_private=True)
    db.session.add(GroupMembership(group_id=group.id, user_id=owner.id))
    discussion = DiscussionFactory(group=group, author=group.owner)
    db.session.commit()
    return {"slug": group.slug, "group_id": group.id, "discussion_id": discussion.id}


def thread(owner) -> dict:
    coach = CoachFactory()
    row = MessageThread(client_id=owner.id, coach_user_id=coach.user_id)
    db.session.add(row)
    db.session.commit()
    return {"thread_id": row.id}


def notification(owner) -> dict:
    from app.notifications.services import notify
    from app.realtime import events

    items: list = []
    row = notify(owner.id, "message", "thread:0", "New message", "/messages", events_out=items)
    events.append_many(items)
    db.session.commit()
    return {"notification_id": row.id}


def session_thread(owner) -> dict:
    """A booking of `owner` with its conversation."""
    row = BookingFactory(client=owner, starts_at=_next_hour(days=5))
    db.session.add(MessageThread(client_id=owner.id, coach_user_id=row.coach.user_id, booking_id=row.id))
    db.session.commit()
    return {"booking_id": row.id}


def attachment(owner, kind: str = "pdf") -> dict:
    """A file the coach sent `owner` in their conversation (the owner reads it as its recipient)."""
    coach = CoachFactory()
    row = MessageThread(client_id=owner.id, coach_user_id=coach.user_id)
    db.session.add(row)
    db.session.flush()
    message = Message(thread_id=row.id, sender_id=coach.user_id, recipient_id=owner.id, body="Worksheet")
    content_type = "application/pdf" if kind == "pdf" else "image/png"
    file = MessageAttachment(
        thread_id=row.id,
        uploader_id=coach.user_id,
        storage_key=f"messages/{row.id}/worksheet.{kind}",
        filename=f"worksheet.{kind}",
        content_type=content_type,
        size_bytes=18,
    )
    storage().put(file.storage_key, b"%PDF-1.4 worksheet", content_type)
    if file.preview_key:
        storage().put(file.preview_key, b"\xff\xd8\xff preview", "image/jpeg")
    message.attachments = [file]
    db.session.add(message)
    db.session.commit()
    return {"attachment_id": file.id}


def image_attachment(owner) -> dict:
    """A PNG the coach sent `owner`, with its preview."""
    return attachment(owner, "png")


def push_subscription(owner) -> dict:
    """A browser of `owner` that turned push notifications on."""
    from app.notifications.models import PushSubscription

    row = PushSubscription(user_id=owner.id, endpoint="https://fcm.googleapis.com/fcm/send/x1", p256dh="k", auth="a")
    db.session.add(row)
    db.session.commit()
    return {"subscription_id": row.id}


def api_token(owner) -> dict:
    token, _ = accounts.create_api_token(owner, "laptop")
    return {"token_id": token.id}


def browser_session(owner) -> dict:
    """A session of `owner` in another browser (the one probing has its own)."""
    now = utcnow()
    row = BrowserSession(
        id_hash=secrets.token_hex(32),
        user_id=owner.id,
        idle_seconds=3600,
        idle_expires_at=now + timedelta(hours=1),
        expires_at=now + timedelta(days=1),
        user_agent="Another laptop",
    )
    db.session.add(row)
    db.session.commit()
    return {"session_id": row.id}


def finance_report(owner) -> dict:
    """A finished finance report with its PDF stored (reports belong to the roles of their kind)."""
    storage().put("reports/finance-test.pdf", b"%PDF-1.4 report", "application/pdf")
    report = ReportFactory(kind="finance", status=ReportStatus.DONE, progress=100, pdf_key="reports/finance-test.pdf")
    return {"report_id": report.id, "fmt": "pdf"}


def _next_hour(days: int):
    return utcnow().replace(minute=0, second=0, microsecond=0) + timedelta(days=days)


BUILDERS = {f.__name__: f for f in (
    booking, live_booking, decided_booking, held_booking, completed_booking, payment, payment_awaiting_authentication, application,
    availability_exception, session_type, join_request, own_discussion, private_group, thread, api_token, finance_report, coach_photo,
    browser_session,
    notification, session_thread, attachment, image_attachment, push_subscription,
)}  # fmt: skip
