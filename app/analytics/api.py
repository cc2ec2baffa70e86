"""GET /api/analytics/metrics: the numbers behind each staff chart."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_login import current_user

from app.analytics.metrics import compute
from app.analytics.params import filters_from_args, window_from_args
from app.analytics.schemas import MetricQuery, MetricSeries
from app.api.spec import args, operation
from app.core.roles import FINANCE_ROLES
from app.core.security import roles_required

bp = Blueprint("analytics_api", __name__)


@bp.get("/analytics/metrics")
@roles_required(*FINANCE_ROLES)
@operation("A metric's series by period", query=MetricQuery, resp={200: MetricSeries})
def metrics():
    """Series of one metric: {"metric", "granularity", "timezone", "series": [{"period", "value", ...}]}.

    A metric whose source has no rows yet answers an empty series.
    """
    name = args().metric
    window = window_from_args(request.args, current_user.timezone)
    _, used, result = compute(name, window, filters_from_args(request.args))
    return jsonify(metric=name, granularity=used.granularity, timezone=used.tz, series=result.series)
