"""/settings pages: name and time zone, password, e-mail address, mails wanted, signed-in sessions, your data."""

from __future__ import annotations

import json

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, logout_user

from app.accounts import account_deletion, sessions
from app.accounts import settings_services as account
from app.accounts.data_export import export_my_data
from app.accounts.forms import TIMEZONE_CHOICES
from app.accounts.models import OPTIONAL_MAILS
from app.accounts.session_store import current_session_id
from app.accounts.settings_forms import (
    DeleteAccountForm,
    EmailChangeForm,
    NotificationsForm,
    PasswordChangeForm,
    ProfileForm,
    form_status,
)
from app.core.db import utcnow
from app.core.forms import ConfirmForm, require_confirm_form
from app.core.security import client_ip, login_required, public
from app.core.view_errors import service_errors

bp = Blueprint("settings", __name__, template_folder="templates", url_prefix="/settings")


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    """Name and time zone."""
    form = ProfileForm(obj=current_user if request.method == "GET" else None)
    if form.validate_on_submit():
        account.update_profile(current_user, form.first_name.data, form.last_name.data, form.timezone.data)
        flash("Saved. Times are shown in " + current_user.timezone + ".", "success")
        return redirect(url_for("settings.profile"))
    page = render_template("accounts/settings_profile.html", form=form, zones=["UTC", *TIMEZONE_CHOICES])
    return page, *form_status(form)


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    """Change the password: every other session and API token ends."""
    form, outcome = PasswordChangeForm(), None
    if form.validate_on_submit():
        with service_errors(form) as outcome:
            ended = account.change_password(current_user, form.current_password.data, form.password.data, client_ip())
        if not outcome.failed:
            flash(
                f"Password changed. {ended['sessions_ended']} other session(s) signed out, "
                f"{ended['api_tokens_revoked']} API token(s) revoked.",
                "success",
            )
            return redirect(url_for("settings.password"))
    return render_template("accounts/settings_password.html", form=form), *form_status(form, outcome)


@bp.route("/email", methods=["GET", "POST"])
@login_required
def email():
    """Ask for a new address; a link sent to it confirms the change."""
    form, outcome = EmailChangeForm(), None
    if form.validate_on_submit():
        with service_errors(form) as outcome:
            new = account.request_email_change(current_user, form.email.data, form.current_password.data, client_ip())
        if not outcome.failed:
            flash(f"We sent a link to {new}. Your address changes when you follow it (within 24 hours).", "info")
            return redirect(url_for("settings.email"))
    return render_template("accounts/settings_email.html", form=form), *form_status(form, outcome)


@bp.route("/email/confirm/<token>", methods=["GET", "POST"])
@public
def confirm_email(token: str):
    """The link in the mail: a button confirms (a mail scanner's GET changes nothing)."""
    form = ConfirmForm()
    if form.validate_on_submit():
        with service_errors() as outcome:
            account.confirm_email_change(token)
        if not outcome.failed:
            flash("Your e-mail address is changed. Use it the next time you log in.", "success")
            return redirect(url_for("settings.profile" if current_user.is_authenticated else "accounts.login"))
    new = account.pending_email(token)
    return render_template("accounts/confirm_email.html", form=form, new=new), 200 if new else 404


@bp.route("/notifications", methods=["GET", "POST"])
@login_required
def notifications():
    """Which optional mails the user gets."""
    form = NotificationsForm()
    if form.validate_on_submit():
        account.set_mail_preferences(current_user, form.wanted.data or [])
        flash("Mail preferences saved.", "success")
        return redirect(url_for("settings.notifications"))
    if request.method == "GET":
        form.wanted.data = [k for k in OPTIONAL_MAILS if current_user.wants_mail(k)]
    return render_template("accounts/settings_notifications.html", form=form)


@bp.get("/sessions")
@login_required
def session_list():
    """Where the user is signed in; each can be ended."""
    active = sessions.active_sessions(current_user)
    return render_template("accounts/settings_sessions.html", active=active, end=ConfirmForm())


@bp.post("/sessions/<int:session_id>/end")
@login_required
def end_session(session_id: int):
    """Sign one of the user's sessions out (not this one: that is Log out)."""
    require_confirm_form()
    if session_id == current_session_id():
        flash("This is the session you are using: log out instead.", "info")
        return redirect(url_for("settings.session_list"))
    with service_errors() as outcome:
        sessions.end_session(current_user, session_id)
    if outcome.failed:
        abort(404)  # not one of yours (or already ended)
    flash("That session is signed out.", "success")
    return redirect(url_for("settings.session_list"))


@bp.post("/sessions/end-others")
@login_required
def end_other_sessions():
    """Sign out everywhere but here."""
    require_confirm_form()
    ended = sessions.end_other_sessions(current_user, keep=current_session_id(), reason="settings")
    flash(f"{ended} other session(s) signed out.", "success")
    return redirect(url_for("settings.session_list"))


@bp.get("/data")
@login_required
def your_data():
    """Download what the site keeps about you, or close the account."""
    with service_errors(report=lambda exc: None) as outcome:
        account_deletion.check_can_delete(current_user)
    refusal = outcome.error.message if outcome.failed else None
    return render_template("accounts/settings_data.html", form=DeleteAccountForm(), refusal=refusal)


@bp.get("/data/export.json")
@login_required
def export_data():
    """The user's own data as a JSON download."""
    body = json.dumps(export_my_data(current_user), indent=2, ensure_ascii=False)
    filename = f"coach-connect-data-{utcnow():%Y-%m-%d}.json"
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


@bp.post("/delete")
@login_required
def delete_account():
    """Close the account for good: personal data goes, bookings and payments stay under a tombstone."""
    form = DeleteAccountForm()
    outcome = None
    if form.validate_on_submit():
        with service_errors(form) as outcome:
            account_deletion.delete_account(current_user, form.confirm_email.data, form.password.data, client_ip())
        if not outcome.failed:
            logout_user()
            session.clear()
            flash("Your account is closed and your personal data is deleted. Goodbye.", "info")
            return redirect(url_for("public.home"))
    page = render_template("accounts/settings_data.html", form=form, refusal=None)
    return page, *form_status(form, outcome)
