"""Loading the user from the session or a Bearer token, CSRF on unsafe requests, headers."""

from __future__ import annotations

import secrets

from flask import Flask, current_app, g, jsonify, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm import joinedload

from app.accounts import tokens
from app.accounts.models import User
from app.accounts.session_store import ServerSessionInterface, refuse_when_unreachable, session_ended_reason
from app.accounts.session_views import session_expiry
from app.core.csp import response_policy
from app.core.security import PUBLIC
from app.extensions import csrf, db, login_manager

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSRF_EXEMPT_PREFIXES = ("/webhooks/",)  # authenticated by the provider's signature or token instead


def bearer_token() -> str | None:
    """The token in 'Authorization: Bearer …', if any."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return None


def api_unauthenticated():
    """The 401 an /api call gets without a Bearer token or a logged-in session."""
    resp = jsonify(error={"code": "unauthenticated", "message": "Log in or send a valid Bearer token.", "fields": {}})
    resp.status_code = 401
    resp.headers["WWW-Authenticate"] = "Bearer"
    return resp


def _needs_login(endpoint: str | None) -> bool:
    """True unless the matched view is public (an unmatched path is left to its 404/405)."""
    view = current_app.view_functions.get(endpoint) if endpoint else None
    return view is not None and getattr(view, "access", None) != PUBLIC


def _token_error(status: int, code: str, message: str, challenge: str | None = None):
    resp = jsonify(error={"code": code, "message": message, "fields": {}})
    resp.status_code = status
    if challenge:
        resp.headers["WWW-Authenticate"] = challenge
    return resp


def _authenticate_token(plain: str):
    """Bearer requests: only under /api/, with a live token whose scopes allow the method (None: go on)."""
    if not request.path.startswith("/api/"):  # the console and the site never take a token: no TOTP behind it
        return _token_error(403, "token_not_accepted", "API tokens are accepted only under /api/. Log in instead.")
    token = tokens.token_for(plain)
    if token is None:
        message = "The Bearer token is invalid, expired or revoked."
        return _token_error(401, "invalid_token", message, 'Bearer error="invalid_token"')
    missing = tokens.missing_scope(token, request.method)
    if missing is not None:
        message = f"This token lacks the {missing!r} scope."
        return _token_error(403, "insufficient_scope", message, f'Bearer error="insufficient_scope" scope="{missing}"')
    token.user.act_only_as(tokens.acting_roles(token))
    g.token_user = token.user
    return None  # token requests carry no ambient cookie credentials: no CSRF needed


def init_auth(app: Flask) -> None:
    """Wire flask-login, token auth, CSRF and security headers into the app."""
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Please log in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    app.session_interface = ServerSessionInterface()
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_when_unreachable)
    app.jinja_env.globals["session_expiry"] = session_expiry

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        token_user = g.get("token_user")
        if token_user is not None:  # a Bearer token speaks for itself, whatever the cookie says
            return token_user
        user = db.session.get(User, int(user_id), options=[joinedload(User.role_rows)])  # one statement
        if user is None or not user.is_active:  # disabled or banned: logged out
            return None
        if user.is_staff and user.totp_enabled_at is None:  # promoted to staff: log in again with TOTP
            return None
        return user

    @login_manager.request_loader
    def load_user_from_token(req) -> User | None:
        return getattr(g, "token_user", None)

    @login_manager.unauthorized_handler
    def unauthorized():
        from flask import flash, redirect, url_for

        if request.path.startswith("/api/") or request.blueprint == "sessions":
            return api_unauthenticated()  # the expiry warning's calls: JSON, and no flash for a page never shown
        ended = session_ended_reason()
        if ended == "idle":
            flash("You were logged out after a while without activity. Log in again to continue.", "info")
        elif ended == "absolute":
            flash("Your session reached its time limit. Log in again to continue.", "info")
        else:
            flash(login_manager.login_message, "info")
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))

    @app.before_request
    def authenticate_and_protect():
        g.csp_nonce = secrets.token_urlsafe(16)
        if request.path.startswith(CSRF_EXEMPT_PREFIXES):
            return None  # a provider's webhook checks its own signature or shared token; it is never a user
        plain = bearer_token()
        if plain is not None:
            return _authenticate_token(plain)
        if request.path.startswith("/api/") and _needs_login(request.endpoint) and not current_user.is_authenticated:
            return api_unauthenticated()  # who you are comes before whether the request is forged
        if request.method in UNSAFE_METHODS:
            csrf.protect()
        return None

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Content-Security-Policy", response_policy())
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if response.mimetype == "text/html" and current_user.is_authenticated:
            # A page made for one person is never kept by the browser or a proxy: after logout the Back
            # button and a shared computer's cache show nothing (issue 21).
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        from app.core.error_pages import error_response

        return error_response(
            400, "csrf_failed", "The form expired or its security token is missing. Reload the page and try again."
        )
