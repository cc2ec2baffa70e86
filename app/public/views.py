"""Home page, each user's dashboard, and the health check."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, jsonify, render_template
from flask_login import current_user

from app.core.jobs import jobs
from app.core.security import login_required, public
from app.extensions import db

bp = Blueprint("public", __name__, template_folder="templates")


@bp.get("/")
@public
def home():
    """Landing page."""
    return render_template("public/home.html")


@bp.get("/dashboard")
@login_required
def dashboard():
    """The signed-in user's dashboard."""
    from app.analytics.dashboards import dashboard_context
    from app.verification.services import unfinished_application

    return render_template(
        "public/dashboard.html",
        user=current_user,
        application=unfinished_application(current_user),
        **dashboard_context(current_user),
    )


@bp.get("/healthz")
@public
def healthz():
    """Database and queue status; 503 when the database is unreachable."""
    try:
        db.session.execute(sa.text("SELECT 1"))
        database = {"ok": True}
    except Exception as exc:  # noqa: BLE001 - any failure means the database is down
        db.session.rollback()
        database = {"ok": False, "error": exc.__class__.__name__}
    queue = jobs().status()
    status = 200 if database["ok"] else 503
    return jsonify(status="ok" if status == 200 else "unavailable", database=database, queue=queue), status
