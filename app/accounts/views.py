"""Login (with the staff second step), logout, sign-up, TOTP enrolment and settings."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user

from app.accounts import services, sign_up, tokens
from app.accounts.forms import CodeForm, LoginForm, RegisterForm, TokenForm
from app.accounts.known_device import known_device_user_id, remember_device
from app.accounts.models import ApiToken, User
from app.accounts.session_store import rotate_session
from app.core.db import utcnow
from app.core.errors import RateLimited, ServiceError
from app.core.forms import ConfirmForm, require_confirm_form
from app.core.security import client_ip, login_required, public, totp_uri
from app.core.view_errors import service_errors
from app.extensions import db

bp = Blueprint("accounts", __name__, template_folder="templates")

PENDING = "pending_user_id"
PENDING_AT = "pending_since"
SIGN_UP_SENT = "sign_up_sent_to"
PENDING_SECONDS = 600  # a half-finished staff login (password given, code not yet) lapses after this


def is_safe_next(target: str) -> bool:
    """A local path only: browsers read '//host', '/\\host' and '/<tab>/host' as other sites."""
    if not target.startswith("/") or any(c == "\\" or ord(c) < 32 or ord(c) == 127 for c in target):
        return False
    parts = urlsplit(target)
    return not target.startswith("//") and not parts.scheme and not parts.netloc


def _safe_next(default: str) -> str:
    target = request.args.get("next") or request.form.get("next") or ""
    return target if is_safe_next(target) else default


def _landing(user: User) -> str:
    return url_for("staff.home") if user.is_staff else url_for("public.dashboard")


def _finish_login(user: User):
    session.pop(PENDING, None)
    session.clear()
    login_user(user)
    session.permanent = True
    services.record_login(user)
    return remember_device(redirect(_safe_next(_landing(user))), user.id)


def _pending_user() -> User | None:
    user_id = session.get(PENDING)
    if not user_id or time.time() - session.get(PENDING_AT, 0) > PENDING_SECONDS:
        session.pop(PENDING, None)
        return None
    return db.session.get(User, user_id)


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    """First factor; staff continue to the TOTP step."""
    form = LoginForm()
    status, headers = 200, {}
    if form.validate_on_submit():
        with service_errors() as outcome:
            user = services.authenticate(form.email.data, form.password.data, client_ip(), known_device_user_id())
        if outcome.failed:
            status = 429 if isinstance(outcome.error, RateLimited) else 401
            headers = outcome.headers
        else:
            return continue_login(user)
    return render_template("accounts/login.html", form=form), status, headers


def continue_login(user: User):
    """After the first factor (the password, or Google): clients are in, staff go on to their code."""
    if not user.is_staff:
        return _finish_login(user)
    rotate_session()  # the half-finished login gets an id no one saw before the first factor
    session[PENDING] = user.id
    session[PENDING_AT] = time.time()
    nxt = _safe_next("")
    step = "accounts.totp_verify" if user.totp_enabled_at else "accounts.totp_enrol"
    return redirect(url_for(step, next=nxt or None))


@bp.route("/login/verify", methods=["GET", "POST"])
@public
def totp_verify():
    """Second factor for staff: authenticator code or a recovery code."""
    user = _pending_user()
    if user is None or not user.totp_enabled_at:
        return redirect(url_for("accounts.login"))
    form = CodeForm()
    status, headers = 200, {}
    if form.validate_on_submit():
        with service_errors(form, beside="code") as outcome:
            used = services.verify_second_factor(user, form.code.data, client_ip(), known_device_user_id() == user.id)
        if outcome.failed:
            status = outcome.status if isinstance(outcome.error, RateLimited) else 401
            headers = outcome.headers
        else:
            if used == "recovery":
                flash("You signed in with a recovery code. Generate new codes in your settings if few remain.", "info")
            return _finish_login(user)
    return render_template("accounts/totp_verify.html", form=form, user=user), status, headers


@bp.route("/login/enrol", methods=["GET", "POST"])
@public
def totp_enrol():
    """Staff without TOTP set it up before their first login completes."""
    user = _pending_user()
    if user is None or user.totp_enabled_at:
        return redirect(url_for("accounts.login"))
    if user.totp_secret is None:
        services.ensure_totp_secret(user)
    form = CodeForm()
    status, headers = 200, {}
    if form.validate_on_submit():
        with service_errors(form, beside="code") as outcome:
            codes = services.confirm_totp_enrolment(
                user, form.code.data, client_ip(), known_device_user_id() == user.id
            )
        if outcome.failed:
            status, headers = outcome.status, outcome.headers
        else:
            _finish_login(user)
            return remember_device(make_response(_show_recovery_codes(codes)), user.id)
    page = render_template(
        "accounts/totp_enrol.html", form=form, secret=user.totp_secret, uri=totp_uri(user.totp_secret, user.email)
    )
    return page, status, headers


def _show_recovery_codes(codes: list[str]):
    """The new codes in this response only: never kept in the session, never cached (issue 21)."""
    page = render_template("accounts/recovery_codes.html", codes=codes)
    return page, 200, {"Cache-Control": "no-store"}


@bp.get("/settings/recovery-codes")
@login_required
def recovery_codes():
    """Codes are shown only in the answer that made them: nothing to show here."""
    return redirect(url_for("accounts.settings"))


@bp.post("/settings/recovery-codes")
@login_required
def regenerate_recovery_codes():
    """Replace recovery codes (staff) and show the new ones once."""
    require_confirm_form()
    if not current_user.totp_enabled_at:
        abort(404)
    return _show_recovery_codes(services.regenerate_recovery_codes(current_user))


@bp.post("/logout")
@login_required
def logout():
    """End the session."""
    require_confirm_form()
    logout_user()
    session.clear()
    flash("You are logged out.", "info")
    return redirect(url_for("accounts.login"))


@bp.route("/register", methods=["GET", "POST"])
@public
def register():
    """Client sign-up: the same answer whether or not the address has an account (issue 21)."""
    if current_user.is_authenticated:
        return redirect(_landing(current_user))
    form = RegisterForm()
    status, headers = 200, {}
    if form.validate_on_submit():
        with service_errors(form, report=lambda exc: _show_errors(form, exc)) as outcome:
            sign_up.sign_up(
                form.email.data,
                form.password.data,
                form.first_name.data,
                form.last_name.data,
                form.timezone.data,
                client_ip(),
            )
        if not outcome.failed:
            session[SIGN_UP_SENT] = services.normalise_email(form.email.data)
            return redirect(url_for("accounts.sign_up_sent"))
        status, headers = outcome.status, outcome.headers
    if not form.is_submitted():
        form.timezone.render_kw = {"data-timezone-prefill": ""}  # static/js/timezone-prefill.js sets the browser's
    return render_template("accounts/register.html", form=form), status, headers


@bp.get("/register/check-your-inbox")
@public
def sign_up_sent():
    """After the sign-up form: look for our mail (the page is the same for a new or a taken address)."""
    return render_template("accounts/sign_up_sent.html", email=session.get(SIGN_UP_SENT))


@bp.route("/register/confirm/<token>", methods=["GET", "POST"])
@public
def confirm_sign_up(token: str):
    """The welcome mail's link: a button confirms the address and signs in (a mail scanner's GET changes nothing)."""
    form = ConfirmForm()
    if form.validate_on_submit():
        with service_errors() as outcome:
            user = sign_up.confirm_sign_up(token)
        if not outcome.failed:
            response = continue_login(user)  # staff still give their code
            flash("Your e-mail address is confirmed. Welcome to Coach Connect.", "success")
            return response
    user = sign_up.sign_up_token_user(token)
    return render_template("accounts/sign_up_confirm.html", form=form, user=user), 200 if user else 404


def _show_errors(form, exc: ServiceError) -> None:
    """Put a service error beside the fields it names, or flash it when it names none."""
    placed = False
    for name, message in exc.fields.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors.append(exc.message if name == "email" and exc.status == 409 else message)
            placed = True
    if not placed:
        flash(exc.message, "error")


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    """The user's settings: API tokens (created here, shown once) and recovery codes."""
    form = TokenForm()
    form.scopes.choices = [(s, s) for s in tokens.scopes_for(current_user)]
    if not form.is_submitted():
        form.days.data = current_app.config["API_TOKEN_DAYS"]
    new_token = None
    if form.validate_on_submit():  # a script posting only a name (no scope boxes shown) gets read and write
        scopes = form.scopes.data if request.form.get("scopes_shown") else [tokens.READ, tokens.WRITE]
        with service_errors(form, report=lambda exc: _show_errors(form, exc)) as outcome:
            _, new_token = tokens.create_api_token(current_user, form.name.data, current_user, scopes, form.days.data)
        if not outcome.failed:
            flash("Token created. Copy it now: it will not be shown again.", "success")
    rows = db.session.scalars(
        db.select(ApiToken).where(ApiToken.user_id == current_user.id).order_by(ApiToken.id.desc())
    ).all()
    return render_template(
        "accounts/settings.html", form=form, tokens=rows, new_token=new_token, revoke=ConfirmForm(), now=utcnow()
    )


@bp.post("/settings/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    """Revoke one of your tokens."""
    token = db.get_or_404(ApiToken, token_id)
    if token.user_id != current_user.id:
        abort(404)
    require_confirm_form()
    services.revoke_api_token(token, current_user)
    flash(f"Token {token.name} revoked.", "success")
    return redirect(url_for("accounts.settings"))
