"""What becomes a notification: the other domains' signals (booking confirmed or cancelled, ...).

Messaging notifies directly from its send (it appends the stream events of the same transaction).
"""

from __future__ import annotations

from flask import current_app

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


def connect_sources() -> None:
    """Subscribe to the signals that become notifications (once per process)."""
    from app.booking.signals import booking_cancelled, booking_confirmed

    booking_confirmed.connect(on_booking_confirmed)
    booking_cancelled.connect(on_booking_cancelled)
