"""What the hosted providers (Daily, Jitsi) share: the booking's room row with a random name, the
room's time fields, and the error shown when the provider cannot be reached."""

from __future__ import annotations

import secrets
from datetime import datetime
from urllib.parse import urlsplit

import sqlalchemy as sa

from app.booking.models import Booking
from app.core.effects import commit
from app.core.errors import ServiceError
from app.core.inserts import dialect_insert
from app.extensions import db
from app.video.room_models import VideoRoom


class VideoProviderUnavailable(ServiceError):
    """The video provider refused or could not be reached; nothing of ours changed."""

    status = 503
    code = "video_provider_unavailable"


def room_row(booking: Booking, provider: str) -> VideoRoom:
    """The booking's room at `provider`, made once with a random name (both participants race here)."""
    name = f"cc-{secrets.token_hex(12)}"
    stmt = dialect_insert(VideoRoom).values(booking_id=booking.id, provider=provider, name=name)
    db.session.execute(stmt.on_conflict_do_nothing(index_elements=["booking_id", "provider"]))
    commit()
    return db.session.scalars(
        sa.select(VideoRoom).where(VideoRoom.booking_id == booking.id, VideoRoom.provider == provider)
    ).one()


def unix(moment: datetime) -> int:
    """Seconds since the epoch, as the providers' `nbf`/`exp` fields take them."""
    return int(moment.timestamp())


def origin(url: str) -> str:
    """scheme://host[:port] of a URL, for the session page's frame-src."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def participant_id(user) -> str:
    """The id a provider knows the participant by, and sends back in its webhooks."""
    return str(user.id)
