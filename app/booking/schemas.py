"""The booking API's request and response schemas (declared once: validation and OpenAPI)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StrictStr

from app.booking.models import BookingStatus

# ISO 8601 with a UTC offset; the view reads it (app.booking.api.parse_moment) to name the field when
# the offset is missing or the moment lies outside the dates the app computes with.
Moment = Annotated[StrictStr, Field(min_length=1, json_schema_extra={"format": "date-time"})]


class AvailabilityQuery(BaseModel):
    """Dates are midnight in tz; default: the next 7 days; at most 8 weeks."""

    from_: str | None = Field(None, alias="from", description="ISO date or date-time with offset")
    to: str | None = Field(None, description="ISO date (inclusive) or date-time with offset")
    tz: str | None = Field(None, description="IANA time zone (default UTC)")
    session_type_id: str | None = Field(None, description="only this session type")


class Slot(BaseModel):
    """One free slot, in the asked time zone."""

    starts_at: datetime
    ends_at: datetime
    session_type_id: int


class AvailabilityOut(BaseModel):
    """The free slots of a coach."""

    timezone: str
    slots: list[Slot]


class NewBooking(BaseModel):
    """A slot to hold."""

    coach_id: int
    session_type_id: int
    starts_at: Moment
    notes: StrictStr | None = None


class Reschedule(BaseModel):
    """Where to move a booking."""

    starts_at: Moment
    reason: StrictStr | None = None


class Cancellation(BaseModel):
    """Why (coaches must say)."""

    reason: StrictStr | None = None


class BookingOut(BaseModel):
    """A booking as the API shows it (times in UTC with their offset)."""

    id: int
    status: BookingStatus
    starts_at: datetime
    ends_at: datetime
    amount: int = Field(description="minor units")
    currency: str
    hold_expires_at: datetime | None


class Party(BaseModel):
    """A coach, client or session type by id and name."""

    id: int
    name: str


class ListedBooking(BookingOut):
    """A booking in the user's list, with the user's role in it."""

    role: Literal["client", "coach"]
    coach: Party
    client: Party
    session_type: Party


class UserBookings(BaseModel):
    """Upcoming (soonest first) and the last 50 past bookings."""

    upcoming: list[ListedBooking]
    past: list[ListedBooking]
