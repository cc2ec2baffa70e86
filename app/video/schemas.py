"""The video API's request and response schemas (declared once: validation and OpenAPI)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, NonNegativeInt, StrictStr

from app.video.attendance import CONNECTION_STATES, EVENTS
from app.video.services import DESCRIPTION_TYPES, KINDS, MAX_PAGE


class SessionDescription(BaseModel):
    """RTCSessionDescription.toJSON()."""

    type: Literal[DESCRIPTION_TYPES]  # type: ignore[valid-type]
    sdp: StrictStr | None = None


class Signal(BaseModel):
    """A WebRTC signal for the other participant."""

    kind: Literal[KINDS]  # type: ignore[valid-type]
    page: StrictStr = Field(max_length=MAX_PAGE, description="the sending tab's random id")
    connection: StrictStr | None = Field(
        None,
        max_length=MAX_PAGE,
        description="optional: the random id of the connection a description or candidate belongs to "
        "(made by the side that offers); signals of a replaced connection are dropped",
    )
    description: SessionDescription | None = None
    candidate: dict[str, Any] | None = Field(None, description="RTCIceCandidate.toJSON()")


class SignalOut(BaseModel):
    """The kind of the relayed signal."""

    kind: str


class AttendanceReport(BaseModel):
    """join when the page starts, beat every 15 s, leave."""

    event: Literal[EVENTS]  # type: ignore[valid-type]
    connection_state: Literal[CONNECTION_STATES] | None = Field(None, description="RTCPeerConnection's")  # type: ignore[valid-type]
    bytes_sent: NonNegativeInt | None = Field(None, description="media bytes sent since the last beat")
    bytes_received: NonNegativeInt | None = Field(None, description="media bytes received since the last beat")


class AttendanceOut(BaseModel):
    """The event merged."""

    event: str
