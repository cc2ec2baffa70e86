"""Error responses: JSON under /api ({"error": {code, message, fields}}), HTML pages elsewhere."""

from __future__ import annotations

from flask import Flask, g, jsonify, render_template, request
from sqlalchemy.exc import DataError, DBAPIError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException, SecurityError

from app.core.errors import RateLimited, ServiceError

DEFAULT_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "unprocessable",
    429: "rate_limited",
    500: "server_error",
    503: "unavailable",
}


def wants_json() -> bool:
    """API paths and clients that ask for JSON get JSON errors."""
    return (
        request.path.startswith("/api/")
        or request.path.startswith("/webhooks/")
        or (request.accept_mimetypes.best == "application/json")
    )


def error_response(
    status: int, code: str | None, message: str, fields: dict | None = None, headers: dict | None = None
):
    """One error in the shape the request expects."""
    code = code or DEFAULT_CODES.get(status, "error")
    if wants_json():
        resp = jsonify(error={"code": code, "message": message, "fields": fields or {}})
    else:
        resp = render_template("errors/error.html", status=status, message=message), status
        from flask import make_response

        resp = make_response(resp)
    resp.status_code = status
    for k, v in (headers or {}).items():
        resp.headers[k] = v
    return resp


UNTRUSTED_HOST = "This site does not answer for that host name."


def refuse_untrusted_host():
    """A Host outside TRUSTED_HOSTS: 400 before any other hook runs (no URL can be built for it)."""
    if not isinstance(request.routing_exception, SecurityError):
        return None
    if wants_json():
        return jsonify(error={"code": "untrusted_host", "message": UNTRUSTED_HOST, "fields": {}}), 400
    page = f"<!doctype html><title>Bad request</title><h1>Bad request</h1><p>{UNTRUSTED_HOST}</p>"
    return page, 400, {"Content-Type": "text/html; charset=utf-8"}


def init_error_handlers(app: Flask) -> None:
    """Register handlers for HTTP errors and service errors."""
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_untrusted_host)

    @app.errorhandler(ServiceError)
    def service_error(exc: ServiceError):
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
        return error_response(exc.status, exc.code, exc.message, exc.fields, headers)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        original = getattr(exc, "original_exception", None)
        if isinstance(original, (OperationalError, InterfaceError)):
            # Raised after the view (saving the session, in finalize_request): Flask hands it here
            # wrapped in a 500, but it is the same outage as one raised inside the view.
            return database_unavailable(original)
        if exc.code == 413:
            limit = app.config["UPLOAD_MAX_BYTES"] // (1024 * 1024)
            return error_response(413, "too_large", f"The upload is too large; the limit is {limit} MB.")
        message = exc.description or exc.name
        resp = error_response(exc.code or 500, None, message)
        if exc.code == 405 and exc.valid_methods:
            resp.headers["Allow"] = ", ".join(exc.valid_methods)
        return resp

    @app.errorhandler(DataError)
    def data_error(exc: DataError):
        # The database refused a value (e.g. a number beyond its column's range): bad input, not a crash.
        from app.extensions import db

        db.session.rollback()
        return error_response(400, "invalid_value", "A value in the request is out of range or malformed.")

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def database_unavailable(exc: DBAPIError):
        # The database is down or unreachable: a friendly 503 that asks to retry (Stripe retries
        # webhooks on 5xx); pool_pre_ping reconnects by itself once the database is back.
        import contextlib

        from app.extensions import db

        app.logger.warning("database unavailable: %s", exc.orig.__class__.__name__ if exc.orig else exc)
        with contextlib.suppress(Exception):
            db.session.rollback()
        # The page's navigation asks who is logged in; loading the user would hit the database again.
        g._login_user = app.login_manager.anonymous_user()
        return error_response(
            503,
            "database_unavailable",
            "We cannot reach our database right now. Nothing was saved; please try again in a minute.",
            headers={"Retry-After": "30"},
        )

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        app.logger.exception("unhandled error")
        from app.core import metrics

        metrics.EXCEPTIONS.labels(request.url_rule.rule if request.url_rule else metrics.UNMATCHED_ROUTE).inc()
        from app.extensions import db

        db.session.rollback()
        return error_response(
            500, "server_error", "Something went wrong on our side. Nothing was changed; please try again."
        )
