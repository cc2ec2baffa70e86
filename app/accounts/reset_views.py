"""/password-reset: ask for a link by e-mail, then choose a new password through it."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import EmailField
from wtforms.validators import DataRequired, Email, Length

from app.accounts import password_reset
from app.accounts.session_store import current_session_id
from app.accounts.settings_forms import NewPasswordForm, form_status
from app.core.security import client_ip, public
from app.core.view_errors import service_errors

bp = Blueprint("password_reset", __name__, template_folder="templates", url_prefix="/password-reset")


class ResetRequestForm(FlaskForm):
    """The address the link goes to."""

    email = EmailField("E-mail", validators=[DataRequired(), Email(), Length(max=254)])


@bp.route("", methods=["GET", "POST"])
@public
def request_reset():
    """Ask for a link; the answer is the same whether or not the address has an account."""
    form, outcome = ResetRequestForm(), None
    if form.validate_on_submit():
        with service_errors(form, beside="email") as outcome:
            password_reset.request_password_reset(form.email.data, client_ip())
        if not outcome.failed:
            flash(
                "If an account uses that address, a link to reset its password is on its way. "
                "It works once, within an hour.",
                "info",
            )
            return redirect(url_for("password_reset.request_reset"))
    return render_template("accounts/reset_request.html", form=form), *form_status(form, outcome)


@bp.route("/<token>", methods=["GET", "POST"])
@public
def choose_password(token: str):
    """The link in the mail: choose a new password, then log in (staff with their code, as always)."""
    user = password_reset.reset_token_user(token)
    if user is None:
        return render_template("accounts/reset_expired.html"), 404
    form, outcome = NewPasswordForm(), None
    if form.validate_on_submit():
        keep = current_session_id() if current_user.is_authenticated and current_user.id == user.id else None
        with service_errors(form) as outcome:
            password_reset.reset_password(token, form.password.data, keep_session=keep)
        if not outcome.failed:
            flash("Your password is changed, and you are signed out everywhere else. Log in with it now.", "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_choose.html", form=form, user=user), *form_status(form, outcome)
