"""Payments domain: checkout, webhooks, the payments API and the finance console."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("payments", __name__, template_folder="templates")
api_bp = Blueprint("payments_api", __name__)
staff_bp = Blueprint("finance_staff", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    """Register the public, API and finance blueprints, the finance queue summary and the test-mode banner's global."""
    from app.accounts.models import Role
    from app.payments import api, staff_views, views  # noqa: F401 - routes
    from app.payments.gateways import is_test_mode
    from app.payments.queries import finance_queue_summary
    from app.staff.navigation import register_queue

    app.register_blueprint(bp)
    app.register_blueprint(api_bp, url_prefix="/api")
    app.register_blueprint(staff_bp, url_prefix="/staff/finance")
    register_queue("finance", frozenset({Role.FINANCE, Role.ADMIN}), finance_queue_summary)
    app.jinja_env.globals["payment_test_mode"] = is_test_mode
