"""GET /api/analytics/metrics: the numbers behind each staff chart."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_login import current_user

from app.analytics.metrics import FILTER_NAMES, METRICS, compute
from app.analytics.params import filters_from_args, window_from_args
from app.api.openapi import document
from app.core.errors import ValidationFailed
from app.core.roles import FINANCE_ROLES
from app.core.security import roles_required

bp = Blueprint("analytics_api", __name__)

SERIES_POINT = {
    "type": "object",
    "required": ["period", "value"],
    "properties": {
        "period": {"type": "string", "format": "date", "description": "First local day of the period"},
        "value": {"type": ["number", "null"]},
        "currency": {"type": "string"},
        "numerator": {"type": "integer"},
        "denominator": {"type": "integer"},
        "p90": {"type": ["number", "null"]},
        "count": {"type": "integer"},
    },
}


def _parameters() -> list[dict]:
    def q(name, schema, description, required=False):
        return {"name": name, "in": "query", "required": required, "schema": schema, "description": description}

    return [
        q("metric", {"type": "string", "enum": sorted(METRICS)}, "Metric name", required=True),
        q("from", {"type": "string", "format": "date"}, "First local day (default: 29 days before `to`)"),
        q("to", {"type": "string", "format": "date"}, "Last local day, inclusive (default: today)"),
        q("granularity", {"type": "string", "enum": ["day", "week", "month"]}, "Period length (default day)"),
        q("tz", {"type": "string"}, "IANA time zone of the periods (default: your profile's zone)"),
        *[q(name, {"type": "string"}, f"Filter by {name} where the metric supports it") for name in FILTER_NAMES],
    ]


@bp.get("/analytics/metrics")
@document(
    "A metric's series by period",
    parameters=_parameters(),
    responses={
        "200": {
            "type": "object",
            "required": ["metric", "granularity", "timezone", "series"],
            "additionalProperties": False,
            "properties": {
                "metric": {"type": "string", "enum": sorted(METRICS)},
                "granularity": {"type": "string", "enum": ["day", "week", "month"]},
                "timezone": {"type": "string"},
                "series": {"type": "array", "items": SERIES_POINT},
            },
        }
    },
)
@roles_required(*FINANCE_ROLES)
def metrics():
    """Series of one metric: {"metric", "granularity", "timezone", "series": [{"period", "value", ...}]}.

    A metric whose source has no rows yet answers an empty series.
    """
    name = request.args.get("metric", "")
    if not name:
        raise ValidationFailed("metric is required.", fields={"metric": "Required."})
    window = window_from_args(request.args, current_user.timezone)
    _, used, result = compute(name, window, filters_from_args(request.args))
    return jsonify(metric=name, granularity=used.granularity, timezone=used.tz, series=result.series)
