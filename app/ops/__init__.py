"""Operations: liveness and readiness probes, Prometheus metrics, the staff System page."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the probe and metrics routes, the staff System page, `flask jobs` and `flask backup`."""
    from app.ops.cli import backup_cli, jobs_cli
    from app.ops.staff_views import bp as staff_bp
    from app.ops.views import bp

    app.register_blueprint(bp)
    app.register_blueprint(staff_bp, url_prefix="/staff/system")
    app.cli.add_command(jobs_cli)
    app.cli.add_command(backup_cli)
