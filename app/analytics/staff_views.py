"""Staff analytics (/staff/analytics): charts by group with range, granularity, filters, tables and CSV."""

from __future__ import annotations

import functools
import importlib.resources

import plotly.offline
import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, render_template, request, url_for
from flask_login import current_user

from app.analytics import charts
from app.analytics.metrics import METRICS, compute
from app.analytics.params import applicable, filters_from_args, window_from_args
from app.analytics.periods import GRANULARITIES, Window
from app.analytics.rollups import freshness
from app.coaches.models import CertificationLevel, CoachProfile, Specialization
from app.core.csp import csp_allows
from app.core.errors import ValidationFailed
from app.core.roles import FINANCE_ROLES
from app.core.security import public, roles_required
from app.extensions import db

bp = Blueprint("analytics_staff", __name__, template_folder="templates")
assets = Blueprint("analytics_assets", __name__)

PLOTLY_VERSION = plotly.offline.get_plotlyjs_version()
GROUPS = list(dict.fromkeys(m.group for m in METRICS.values()))


@assets.get(f"/static/vendor/plotly-{PLOTLY_VERSION}.min.js")
@public
def plotly_js():
    """plotly.js from the installed plotly package (never a CDN), cached for a year (versioned URL)."""
    response = Response(_plotly_bytes(), mimetype="text/javascript")
    response.cache_control.public = True
    response.cache_control.max_age = 365 * 24 * 3600
    response.add_etag()
    return response.make_conditional(request)


@functools.cache
def _plotly_bytes() -> bytes:
    return (importlib.resources.files("plotly") / "package_data" / "plotly.min.js").read_bytes()


def _chart(name: str, window: Window, filters, args: dict) -> dict:
    metric = METRICS[name]
    _, used, result = compute(name, window, applicable(filters, metric.filters))
    ignored = [k for k, v in vars(filters).items() if v and k not in metric.filters]
    return {
        "metric": metric,
        "window": used,
        "result": result,
        "figure": charts.figure_json(metric, result.series) if result.has_data else None,
        "columns": charts.columns(metric),
        "csv_url": url_for(".csv", metric=name, **args),
        "ignored": ignored,
        "points": len(used.periods()),
    }


def _choices() -> dict:
    # From the coaches' currencies (a small table), not a DISTINCT over every payment.
    currencies = db.session.scalars(sa.select(CoachProfile.currency).distinct().order_by(CoachProfile.currency)).all()
    specs = db.session.execute(sa.select(Specialization.slug, Specialization.name).order_by(Specialization.name)).all()
    return {"levels": [lv.value for lv in CertificationLevel], "specializations": specs, "currencies": currencies}


@bp.get("/")
@roles_required(*FINANCE_ROLES)
@csp_allows(script_src=("'unsafe-eval'",))  # plotly.js: the only page that loads it
def dashboard():
    """One group of charts; the form changes range, granularity and filters (GET, so links share)."""
    group = request.args.get("group") or GROUPS[0]
    if group not in GROUPS:
        abort(404)
    args = {k: v for k, v in request.args.items() if k in ("from", "to", "granularity", "tz", *vars_filters()) and v}
    try:
        window = window_from_args(request.args, current_user.timezone)
        filters = filters_from_args(request.args)
    except ValidationFailed as exc:
        flash(exc.message, "error")
        window, filters = window_from_args({}, current_user.timezone), filters_from_args({})
        args = {}
    names = [name for name, m in METRICS.items() if m.group == group]
    items = [_chart(name, window, filters, args) for name in names]
    return render_template(
        "analytics/dashboard.html",
        charts=items,
        group=group,
        groups=GROUPS,
        window=window,
        filters=filters,
        args=args,
        granularities=GRANULARITIES,
        plotly_url=url_for("analytics_assets.plotly_js"),
        freshness=freshness(),
        **_choices(),
    )


def vars_filters() -> tuple[str, ...]:
    return ("level", "specialization", "currency")


@bp.get("/<metric>.csv")
@roles_required(*FINANCE_ROLES)
def csv(metric: str):
    """The numbers of one chart as CSV (money in minor units)."""
    if metric not in METRICS:
        abort(404)
    window = window_from_args(request.args, current_user.timezone)
    m = METRICS[metric]
    _, used, result = compute(metric, window, applicable(filters_from_args(request.args), m.filters))
    filename = f"{metric}_{used.start.isoformat()}_{used.end.isoformat()}_{used.granularity}.csv"
    return Response(
        charts.to_csv(m, result.series),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
