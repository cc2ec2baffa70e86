"""/login/google: sign in with the configured OpenID provider, and link it to an existing account."""

from __future__ import annotations

import logging
import time

from authlib.integrations.base_client import OAuthError
from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_wtf import FlaskForm
from joserfc.errors import JoseError
from requests import RequestException
from wtforms import PasswordField
from wtforms.validators import DataRequired

from app.accounts import oidc_services
from app.accounts.models import User
from app.accounts.oidc_client import oidc_client, oidc_enabled, oidc_issuer, oidc_provider_name
from app.accounts.settings_forms import form_status
from app.accounts.views import continue_login
from app.core.mail import external_url
from app.core.security import client_ip, public
from app.core.view_errors import service_errors
from app.extensions import db
from app.staff.forms import ConfirmForm

log = logging.getLogger(__name__)
bp = Blueprint("oidc", __name__, template_folder="templates", url_prefix="/login/google")

PENDING_LINK = "oidc_pending_link"
PENDING_LINK_SECONDS = 600


class LinkPasswordForm(FlaskForm):
    """The existing account's password."""

    password = PasswordField("Password of your account here", validators=[DataRequired()])


@bp.before_request
def _configured():
    if not oidc_enabled():
        abort(404)


@bp.get("")
@public
def start():
    """Off to the provider: authorization code with PKCE, a fresh state and nonce kept in the session."""
    return oidc_client().authorize_redirect(external_url("oidc.callback"))


@bp.get("/callback")
@public
def callback():
    """Back from the provider: state, code (with the PKCE verifier), ID token and nonce checked."""
    client = oidc_client()
    try:
        if client.load_server_metadata().get("issuer", "").rstrip("/") != oidc_issuer():
            raise OAuthError(description="the provider's metadata names another issuer")
        token = client.authorize_access_token()
    except (
        OAuthError,
        JoseError,
        RequestException,
    ) as exc:  # a bad state, code, token or nonce; an unreachable provider
        log.info("oidc sign-in refused: %s", exc)
        flash(f"Signing in with {oidc_provider_name()} did not work. Please try again.", "error")
        return redirect(url_for("accounts.login"))
    with service_errors() as outcome:
        identity = oidc_services.identity_from_claims(oidc_issuer(), token.get("userinfo") or {})
        result = oidc_services.sign_in(identity, timezone=request.cookies.get("tz", "UTC"))
    if outcome.failed:
        return redirect(url_for("accounts.login"))
    if result.user is not None:
        return continue_login(result.user)
    session[PENDING_LINK] = {**identity.as_dict(), "user_id": result.link_to.id, "at": time.time()}
    return redirect(url_for("oidc.link"))


def _pending() -> tuple[User | None, dict | None]:
    pending = session.get(PENDING_LINK)
    if not pending or time.time() - pending.get("at", 0) > PENDING_LINK_SECONDS:
        session.pop(PENDING_LINK, None)
        return None, None
    return db.session.get(User, pending["user_id"]), pending


@bp.route("/link", methods=["GET", "POST"])
@public
def link():
    """An account already uses this address: its password (or a mailed link) links the two."""
    user, pending = _pending()
    if user is None:
        return redirect(url_for("accounts.login"))
    form, outcome = LinkPasswordForm(), None
    if form.validate_on_submit():
        with service_errors(form, beside="password") as outcome:
            oidc_services.link_with_password(user, pending, form.password.data, client_ip())
        if not outcome.failed:
            session.pop(PENDING_LINK, None)
            flash(f"{oidc_provider_name()} is linked to your account.", "success")
            return continue_login(user)
    page = render_template(
        "accounts/oidc_link.html", form=form, mail_form=ConfirmForm(), user=user, provider=oidc_provider_name()
    )
    return page, *form_status(form, outcome)


@bp.post("/link/mail")
@public
def mail_link():
    """Ask for the confirmation link at the account's address instead of typing its password."""
    user, pending = _pending()
    if user is None or not ConfirmForm().validate_on_submit():
        return redirect(url_for("accounts.login"))
    with service_errors() as outcome:
        oidc_services.mail_link_confirmation(user, pending)
    if outcome.failed:
        return redirect(url_for("oidc.link"))
    session.pop(PENDING_LINK, None)
    flash(f"We sent a link to {user.email}. Follow it within an hour to link {oidc_provider_name()}.", "info")
    return redirect(url_for("accounts.login"))


@bp.route("/link/confirm/<token>", methods=["GET", "POST"])
@public
def confirm_link(token: str):
    """The mailed link: a button confirms (a mail scanner's GET changes nothing)."""
    form = ConfirmForm()
    if form.validate_on_submit():
        with service_errors() as outcome:
            oidc_services.confirm_link(token)
        if not outcome.failed:
            flash(f"{oidc_provider_name()} is linked. Sign in with it now.", "success")
            return redirect(url_for("accounts.login"))
    user = oidc_services.pending_link_user(token)
    page = render_template("accounts/oidc_confirm_link.html", form=form, user=user, provider=oidc_provider_name())
    return page, 200 if user else 404
