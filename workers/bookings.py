"""Booking jobs: confirm a paid booking, expire holds, reminders, completion, search refresh."""

from __future__ import annotations

from app.booking import notifications, services
from workers.context import job


@job
def confirm_paid_booking(booking_id: int) -> None:
    """Payments calls this after a payment succeeded: HELD -> CONFIRMED (idempotent)."""
    services.confirm_booking(booking_id)


@job
def expire_holds() -> int:
    """Expire every HELD booking past hold_expires_at."""
    return services.expire_holds()


@job
def complete_past_bookings() -> int:
    """Confirmed sessions that ended become completed."""
    return services.complete_past_bookings()


@job
def send_reminder(booking_id: int, starts_at_iso: str) -> None:
    """The 24-hour reminder; skipped when the booking was cancelled or moved."""
    notifications.send_reminder(booking_id, starts_at_iso)


@job
def refresh_coach_search(coach_id: int) -> None:
    """Recompute a coach's denormalised search fields (next free slot, price from, text)."""
    from app.coaches.search import refresh_search_fields

    refresh_search_fields(coach_id)
