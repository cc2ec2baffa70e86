"""The coach search API's schemas (declared once: validation and OpenAPI)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class SearchQuery(BaseModel):
    """The filters of /coaches (each checked as on that page; a bad one is named in the 400)."""

    q: str | None = None
    specialization: str | None = None
    language: str | None = None
    level: str | None = None
    price_min: str | None = Field(None, description="minor units")
    price_max: str | None = Field(None, description="minor units")
    min_rating: str | None = None
    free_within: str | None = Field(None, description="days, 0 to 366")
    sort: str | None = None
    after: str | None = Field(None, description="the previous answer's next")
    limit: str | None = None
    tz: str | None = Field(None, description="IANA time zone of next_slot (default UTC)")


class Price(BaseModel):
    """The lowest price, in minor units."""

    amount: int
    currency: str


class CoachResult(BaseModel):
    """One coach found."""

    id: int
    name: str
    specializations: list[str]
    languages: list[str]
    certification_level: str
    rating: float | None
    price_from: Price
    next_slot: datetime | None


class SearchPage(BaseModel):
    """A page of coaches and the cursor of the next."""

    results: list[CoachResult]
    next: str | None
