"""Analytics domain: events, metrics, staff charts, generated reports and their CLI."""

from __future__ import annotations

from flask import Flask

from app.core.roles import FINANCE_ROLES


def init_app(app: Flask) -> None:
    """Register the analytics and reports blueprints, the metrics API and the CLI groups."""
    from app.analytics.api import bp as api_bp
    from app.analytics.cli import analytics_cli, reports_cli
    from app.analytics.report_views import bp as reports_bp
    from app.analytics.staff_views import assets, bp

    app.register_blueprint(assets)
    app.register_blueprint(bp, url_prefix="/staff/analytics")
    app.register_blueprint(reports_bp, url_prefix="/staff/reports")
    app.register_blueprint(api_bp, url_prefix="/api")
    app.cli.add_command(analytics_cli)
    app.cli.add_command(reports_cli)

    from app.analytics.reports_service import failed_reports_keys, failed_reports_load
    from app.staff.inbox import InboxQueue, register_inbox_queue

    register_inbox_queue(
        InboxQueue(
            "failed_reports",
            "Failed reports",
            "reports_staff.index",
            frozenset(FINANCE_ROLES),
            "FAILURE_TARGET_HOURS",
            failed_reports_keys,
            failed_reports_load,
        )
    )
