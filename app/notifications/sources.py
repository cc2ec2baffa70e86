"""What becomes a notification: the other domains' signals (booking confirmed or cancelled, ...).

Messaging notifies directly from its send (it appends the stream events of the same transaction).
"""

from __future__ import annotations

from flask import current_app

from app.core.money import format_money
from app.notifications.services import notify
from app.realtime import events


def path_for(endpoint: str, **values) -> str:
    """A site-relative link (works in jobs and the CLI, where there is no request)."""
    return current_app.url_map.bind("localhost").build(endpoint, values)


def _booking_links(booking) -> list[tuple[int, str]]:
    return [
        (booking.client_id, path_for("bookings.detail", booking_id=booking.id)),
        (booking.coach.user_id, path_for("availability.sessions")),
    ]


def _to_both(booking, kind: str, title: str, body: str = "", *, mailed_elsewhere: str) -> None:
    """Notify the client and the coach; their stream events are appended once, in user order."""
    items: list = []
    for user_id, link in _booking_links(booking):
        key = f"booking:{booking.id}"
        notify(user_id, kind, key, title, link, body, mailed_elsewhere=mailed_elsewhere, events_out=items)
    events.append_many(items)


def on_booking_confirmed(booking, **_) -> None:
    """Both sides hear of a confirmed session (the confirmation mail already went out)."""
    _to_both(
        booking,
        "booking_confirmed",
        f"Session confirmed: {booking.session_type.name}",
        mailed_elsewhere="booking confirmation",
    )


def on_booking_cancelled(booking, refund: int = 0, **_) -> None:
    """Both sides hear of a cancellation (its mail, with the calendar cancel, went out already)."""
    _to_both(
        booking,
        "booking_cancelled",
        f"Session cancelled: {booking.session_type.name}",
        booking.cancel_reason or "",
        mailed_elsewhere="booking cancellation",
    )


def on_booking_rescheduled(booking, **_) -> None:
    """Both sides hear the session moved (the mail with the updated calendar entry went out)."""
    _to_both(
        booking, "booking_rescheduled", f"Session moved: {booking.session_type.name}", mailed_elsewhere="reschedule"
    )


def _one(user_id: int, *args, **kwargs) -> None:
    items: list = []
    notify(user_id, *args, events_out=items, **kwargs)
    events.append_many(items)


def on_refund_succeeded(refund, **_) -> None:
    """The client hears their refund went through."""
    payment = refund.payment
    amount = format_money(refund.amount, refund.currency)
    link = path_for("payments.payment", payment_id=payment.id)
    _one(payment.booking.client_id, "refund_issued", f"refund:{refund.id}", f"Refund of {amount} issued", link,
         mailed_elsewhere="refund mail")  # fmt: skip


def on_application_decided(application, approved: bool, **_) -> None:
    """The applicant hears the decision on their coach application."""
    title = "Your coach application was approved" if approved else "A decision on your coach application"
    _one(application.user_id, "application_decision", f"application:{application.id}", title,
         path_for("verification.status"), mailed_elsewhere="decision mail")  # fmt: skip


def on_flag_decided(reporter, upheld: bool, **_) -> None:
    """A reporter hears how their flag was decided."""
    title = "Your flag was upheld" if upheld else "Your flag was reviewed"
    _one(reporter.id, "flag_outcome", f"flags:{reporter.id}", title, path_for("notifications.index"),
         mailed_elsewhere="flag result mail")  # fmt: skip


def on_report_ready(report, **_) -> None:
    """Whoever asked for a report hears it is ready (finance reports are also mailed with the PDF)."""
    if report.requested_by_id is None:
        return
    _one(report.requested_by_id, "report_ready", f"report:{report.id}", f"Report ready: {report.kind}",
         path_for("reports_staff.index"))  # fmt: skip


def connect_sources() -> None:
    """Subscribe to the signals that become notifications (once per process)."""
    from app.analytics.signals import report_ready
    from app.booking.signals import booking_cancelled, booking_confirmed, booking_rescheduled
    from app.moderation.signals import flag_decided
    from app.payments.signals import refund_succeeded
    from app.verification.signals import application_decided

    booking_confirmed.connect(on_booking_confirmed)
    booking_cancelled.connect(on_booking_cancelled)
    booking_rescheduled.connect(on_booking_rescheduled)
    refund_succeeded.connect(on_refund_succeeded)
    application_decided.connect(on_application_decided)
    flag_decided.connect(on_flag_decided)
    report_ready.connect(on_report_ready)
