"""Probes and metrics: /livez (the process answers), /readyz (it can serve), /metrics (Prometheus)."""

from __future__ import annotations

import base64
import hmac
import ipaddress

from flask import Blueprint, Response, abort, current_app, jsonify, request

from app.core import metrics
from app.core.security import client_ip, public

bp = Blueprint("ops", __name__)

METRICS_USER = "prometheus"


@bp.get("/livez")
@public
def livez():
    """200 while the process can answer at all; checks nothing external (a restart would not help)."""
    return jsonify(status="ok")


@bp.get("/readyz")
@public
def readyz():
    """Database, Redis and migration head; 503 with each check's result when one fails."""
    from app.ops.readiness import check_all

    checks = check_all()
    ready = all(check["ok"] for check in checks.values())
    return jsonify(status="ready" if ready else "unavailable", checks=checks), 200 if ready else 503


def _is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def _token_matches(token: str) -> bool:
    header = request.headers.get("Authorization", "")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        user, _, password = base64.b64decode(encoded, validate=True).decode().partition(":")
    except ValueError:
        return False
    return hmac.compare_digest(user, METRICS_USER) and hmac.compare_digest(password.encode(), token.encode())


@bp.get("/metrics")
@public
def metrics_view():
    """Prometheus text format. With METRICS_TOKEN: HTTP basic auth `prometheus:<token>`; without: loopback only."""
    token = current_app.config.get("METRICS_TOKEN")
    if token:
        if not _token_matches(token):
            return Response(
                "metrics need credentials\n", 401, {"WWW-Authenticate": 'Basic realm="metrics"'}, mimetype="text/plain"
            )
    elif not _is_loopback(client_ip()):
        abort(404)
    from app.core.event_counters import CounterCollector
    from app.core.queue_metrics import QueueCollector
    from app.ops.business_metrics import BusinessCollector

    connection = getattr(current_app.extensions["jobs"], "connection", None)
    collectors = [BusinessCollector(), CounterCollector(connection)]
    if connection is not None:
        collectors.append(QueueCollector(connection))
    body, content_type = metrics.render(collectors)
    return Response(body, 200, {"Content-Type": content_type, "Cache-Control": "no-store"})
