"""The verification API's request and response schemas (declared once: validation and OpenAPI)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, StrictStr

from app.api.fields import BINARY


class Application(BaseModel):
    """multipart/form-data: the whole application in one request. These are the types; the service
    (shared with the page's steps) checks the values and names every field it refuses."""

    first_name: str
    last_name: str
    phone: str
    ipec_number: str = Field(examples=["IPEC-123456"])
    certification_level: Literal["associate", "professional", "master"]
    certification_date: date
    certificate: Any = Field(json_schema_extra={**BINARY, "description": "PDF, PNG or JPEG, at most 10 MB"})
    years_experience: int
    specializations: list[str]
    languages: list[str]
    hourly_rate: int = Field(description="minor units, e.g. 9000 = 90.00")
    currency: str = Field(examples=["EUR"])
    bio: str | None = None


class Verdict(BaseModel):
    """A reviewer's decision."""

    decision: Literal["approve", "reject", "request_info"]
    reason: StrictStr | None = Field(None, description="required to reject or request information")


class Check(BaseModel):
    """One automatic check's result."""

    name: str
    result: Literal["pass", "warn", "fail"]
    message: str


class HistoryEntry(BaseModel):
    """One event of the application's history."""

    kind: str
    message: str
    at: datetime


class ApplicationOut(BaseModel):
    """An application's status, check results and history."""

    id: int
    status: Literal["draft", "submitted", "info_requested", "approved", "rejected"]
    checks_state: Literal["pending", "running", "done", "failed to run"] = Field(
        description="the checks job: results are final only when done"
    )
    checks: list[Check]
    history: list[HistoryEntry]
