"""The analytics API's schemas (declared once: validation and OpenAPI)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.analytics.metrics import METRICS

Granularity = Literal["day", "week", "month"]


class MetricQuery(BaseModel):
    """Which metric, over which local days, by which period; the dates are checked as on the staff page."""

    metric: str = Field(json_schema_extra={"enum": sorted(METRICS)}, description="Metric name")
    from_: str | None = Field(
        None,
        alias="from",
        json_schema_extra={"format": "date"},
        description="First local day (default: 29 days before `to`)",
    )
    to: str | None = Field(
        None, json_schema_extra={"format": "date"}, description="Last local day, inclusive (default: today)"
    )
    granularity: Granularity | None = Field(None, description="Period length (default day)")
    tz: str | None = Field(None, description="IANA time zone of the periods (default: your profile's zone)")
    level: str | None = Field(None, description="Filter by level where the metric supports it")
    specialization: str | None = Field(None, description="Filter by specialization where the metric supports it")
    currency: str | None = Field(None, description="Filter by currency where the metric supports it")


class SeriesPoint(BaseModel):
    """One period's value (rates add numerator/denominator; durations add p90/count)."""

    period: date = Field(description="First local day of the period")
    value: float | None
    currency: str | None = None
    numerator: int | None = None
    denominator: int | None = None
    p90: float | None = None
    count: int | None = None


class MetricSeries(BaseModel):
    """A metric's series by period."""

    model_config = ConfigDict(extra="forbid")

    metric: str = Field(json_schema_extra={"enum": sorted(METRICS)})
    granularity: Granularity
    timezone: str
    series: list[SeriesPoint]
