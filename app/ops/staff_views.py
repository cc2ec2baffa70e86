"""The staff System page (admins): is the site healthy, and what needs a hand."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from app.accounts.models import Role
from app.core.db import utcnow
from app.core.models import JobFailure
from app.core.security import roles_required
from app.core.view_errors import service_errors
from app.extensions import db
from app.ops import system
from app.ops.services import delete_failed_job
from app.staff.forms import ConfirmForm

bp = Blueprint("ops_staff", __name__, template_folder="templates")


@bp.get("/")
@roles_required(Role.ADMIN)
def system_page():
    """Queues, failed jobs, webhooks, mail, migrations, version and the last periodic runs."""
    return render_template(
        "ops/system.html",
        queues=system.queues_state(),
        failures=system.recent_job_failures(),
        webhooks=system.webhook_state(),
        mail=system.mail_state(),
        versions=system.versions(),
        runs=system.last_runs(),
        form=ConfirmForm(),
        now=utcnow(),
    )


@bp.post("/failures/<int:failure_id>/delete")
@roles_required(Role.ADMIN)
def delete_failure(failure_id: int):
    """Delete one failed job (audited)."""
    failure = db.get_or_404(JobFailure, failure_id)
    if not ConfirmForm().validate_on_submit():
        flash("The form expired; please try again.", "error")
        return redirect(url_for("ops_staff.system_page"))
    with service_errors():
        func = failure.func
        delete_failed_job(failure, current_user)
        flash(f"Failed job {func} deleted.", "success")
    return redirect(url_for("ops_staff.system_page"))
