"""Per request: bind the request id, count it in progress, then log one line and observe its duration."""

from __future__ import annotations

import logging
import time

import sqlalchemy as sa
from flask import Flask, g, request
from flask_login import current_user

from app.core import metrics
from app.core.error_tracking import tag_request_id
from app.core.request_id import HEADER, accept_or_generate, bind, unbind

log = logging.getLogger("coach_connect.request")


def _user_id() -> int | None:
    try:
        user = current_user._get_current_object()
        state = sa.inspect(user, raiseerr=False)
        if state is not None and state.identity is not None:
            return state.identity[0]  # loaded when the request began; a commit expired it: no reload
        return user.id if user.is_authenticated else None
    except Exception:  # noqa: BLE001 - the user could not be loaded (database down): log without it
        return None


def _start() -> None:
    g.request_id = accept_or_generate(request.headers.get(HEADER))
    g.request_id_token = bind(g.request_id)
    tag_request_id(g.request_id)
    g.request_started = time.perf_counter()
    metrics.IN_PROGRESS.inc()
    g.request_counted = True


def _finish(response):
    started = g.get("request_started")
    if started is None:
        return response
    seconds = time.perf_counter() - started
    route = request.url_rule.rule if request.url_rule is not None else None
    response.headers[HEADER] = g.request_id
    metrics.observe_request(route, request.method, response.status_code, seconds)
    log.info(
        "%s %s %s",
        request.method,
        route or metrics.UNMATCHED_ROUTE,
        response.status_code,
        extra={
            "user_id": _user_id(),
            "method": request.method,
            "route": route or metrics.UNMATCHED_ROUTE,
            "status": response.status_code,
            "duration_ms": round(seconds * 1000, 2),
            # A streamed body (event stream, CSV export) has no length yet; asking for it would
            # read the whole stream into memory before the first byte goes out.
            "bytes": None if response.is_streamed else response.calculate_content_length(),
        },
    )
    return response


def _teardown(exc: BaseException | None) -> None:
    if g.pop("request_counted", False):
        metrics.IN_PROGRESS.dec()
    token = g.pop("request_id_token", None)
    if token is not None:
        unbind(token)


def init_request_log(app: Flask) -> None:
    """First before_request, last after_request, a teardown that always runs; pool gauges."""
    from app.extensions import db

    with app.app_context():
        for engine in db.engines.values():
            metrics.watch_pool(engine)
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.after_request(_finish)
    app.teardown_request(_teardown)
