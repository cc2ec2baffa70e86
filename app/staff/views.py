"""Console pages: home, outbox, audit log, failed jobs, accounts."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.accounts import account_deletion
from app.accounts import services as account_services
from app.accounts.models import STAFF_ROLES, Role, User, UserRole
from app.core.csp import SANDBOXED_MAIL
from app.core.db import utcnow
from app.core.errors import ServiceError
from app.core.forms import require_confirm_form
from app.core.mail import bodies_for_staff, links_hidden
from app.core.models import AuditLog, JobFailure, OutgoingMail
from app.core.pagination import keyset_page
from app.core.security import roles_required
from app.core.view_errors import service_errors
from app.extensions import db
from app.staff import bp
from app.staff.forms import CloseAccountForm, ConfirmForm, CreateUserForm, RolesForm
from app.staff.inbox import inbox_for
from app.staff.services import open_person_timeline, retry_failed_job
from app.staff.timeline import PER_SECTION, timeline_for

STAFF = tuple(STAFF_ROLES)
PAGE_SIZE = 50


def _escape_like(text: str) -> str:
    """Search text with LIKE's wildcards taken literally."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _show_errors(form, exc: ServiceError) -> None:
    """Field messages beside the fields; the message flashed only when it names no field."""
    for field, message in exc.fields.items():
        getattr(form, field).errors.append(message)
    if not exc.fields:
        flash(exc.message, "error")


@bp.get("/")
@roles_required(*STAFF)
def home():
    """The work inbox: every queue the user works, merged (past target first, then oldest), with counts."""
    return render_template("staff/home.html", inbox=inbox_for(current_user, utcnow()))


@bp.get("/people/<int:user_id>")
@roles_required(*STAFF)
def person(user_id: int):
    """A person's timeline: the sections the viewer's roles may see, merged newest first (opening it is audited)."""
    person = db.get_or_404(User, user_id)
    timeline = timeline_for(current_user, person, request.args.getlist("show"))
    open_person_timeline(person, current_user, timeline.shown)
    return render_template("staff/person.html", person=person, timeline=timeline, per_section=PER_SECTION)


@bp.get("/outbox")
@roles_required(Role.ADMIN)
def outbox():
    """Every mail the application wrote, newest first (admins only: mails carry personal data)."""
    stmt = sa.select(OutgoingMail)
    q = request.args.get("q", "").strip()
    if q:
        pattern = f"%{_escape_like(q)}%"
        stmt = stmt.where(
            sa.or_(
                OutgoingMail.to_address.ilike(pattern, escape="\\"), OutgoingMail.subject.ilike(pattern, escape="\\")
            )
        )
    page = keyset_page(stmt, [OutgoingMail.id], True, request.args.get("after"), PAGE_SIZE)
    return render_template("staff/outbox.html", page=page, q=q)


@bp.get("/outbox/<int:mail_id>")
@roles_required(Role.ADMIN)
def outbox_mail(mail_id: int):
    """One mail, text and HTML (the HTML shown sandboxed; sign-in links hidden outside embedded mode)."""
    mail = db.get_or_404(OutgoingMail, mail_id)
    text, _ = bodies_for_staff(mail)
    return render_template("staff/outbox_mail.html", mail=mail, text_body=text, links_hidden=links_hidden(mail))


@bp.get("/outbox/<int:mail_id>/html")
@roles_required(Role.ADMIN)
def outbox_mail_html(mail_id: int):
    """The HTML body alone, for the sandboxed frame."""
    mail = db.get_or_404(OutgoingMail, mail_id)
    return (
        bodies_for_staff(mail)[1],
        200,
        {
            "Content-Type": "text/html; charset=utf-8",
            "Content-Security-Policy": SANDBOXED_MAIL,
            "X-Frame-Options": "SAMEORIGIN",
        },
    )


@bp.get("/audit")
@roles_required(Role.ADMIN)
def audit():
    """The audit log, newest first, filterable by action, object and actor."""
    stmt = sa.select(AuditLog)
    filters = {k: request.args.get(k, "").strip() for k in ("action", "object_type", "object_id", "actor")}
    if filters["action"]:
        stmt = stmt.where(AuditLog.action == filters["action"])
    if filters["object_type"]:
        stmt = stmt.where(AuditLog.object_type == filters["object_type"])
    if filters["object_id"]:
        stmt = stmt.where(AuditLog.object_id == filters["object_id"])
    if filters["actor"]:
        actor = account_services.find_user(filters["actor"])
        stmt = stmt.where(AuditLog.actor_id == (actor.id if actor else -1))
    page = keyset_page(stmt, [AuditLog.id], True, request.args.get("after"), PAGE_SIZE)
    return render_template("staff/audit.html", page=page, filters=filters)


@bp.get("/jobs")
@roles_required(Role.ADMIN)
def jobs():
    """Failed background jobs, with a retry button."""
    page = keyset_page(sa.select(JobFailure), [JobFailure.id], True, request.args.get("after"), PAGE_SIZE)
    from app.core.jobs import jobs as job_backend

    return render_template("staff/jobs.html", page=page, backend=job_backend().status(), form=ConfirmForm())


@bp.post("/jobs/<int:failure_id>/retry")
@roles_required(Role.ADMIN)
def retry_job(failure_id: int):
    """Retry one failed job."""
    failure = db.get_or_404(JobFailure, failure_id)
    require_confirm_form()
    with service_errors():
        retry_failed_job(failure, current_user)
        flash(f"Job {failure.func} queued again.", "success")
    return redirect(url_for("staff.jobs"))


@bp.route("/users", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def users():
    """Accounts: search, and create a new one."""
    form = CreateUserForm()
    if form.validate_on_submit():
        with service_errors(form, report=lambda exc: _show_errors(form, exc)):
            user = account_services.create_user(
                form.email.data,
                [Role(r) for r in form.roles.data],
                form.password.data,
                actor=current_user,
                first_name=form.first_name.data,
                last_name=form.last_name.data,
            )
            flash(f"Account {user.email} created.", "success")
            return redirect(url_for("staff.user_detail", user_id=user.id))
    stmt = sa.select(User)
    q = request.args.get("q", "").strip()
    role = request.args.get("role", "")
    if q:
        pattern = f"%{_escape_like(q)}%"
        stmt = stmt.where(sa.or_(User.email.ilike(pattern, escape="\\"), User.last_name.ilike(pattern, escape="\\")))
    if role in {r.value for r in Role}:
        stmt = stmt.where(User.id.in_(sa.select(UserRole.user_id).where(UserRole.role == Role(role))))
    page = keyset_page(stmt, [User.id], True, request.args.get("after"), PAGE_SIZE)
    return render_template("staff/users.html", page=page, form=form, q=q, role=role, roles=list(Role))


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def user_detail(user_id: int):
    """One account: roles, second factor, enable/disable."""
    user = db.get_or_404(User, user_id)
    form = RolesForm(roles=[r.value for r in user.roles])
    if form.validate_on_submit():
        with service_errors():
            account_services.set_roles(user, [Role(r) for r in form.roles.data], current_user)
            flash("Roles saved.", "success")
            return redirect(url_for("staff.user_detail", user_id=user.id))
    return _user_page(user, form, CloseAccountForm(formdata=None))


def _user_page(user: User, form: RolesForm, close: CloseAccountForm, status: int = 200):
    page = render_template("staff/user_detail.html", user=user, form=form, toggle=ConfirmForm(), close=close)
    return page, status


@bp.post("/users/<int:user_id>/enabled")
@roles_required(Role.ADMIN)
def set_user_enabled(user_id: int):
    """Disable or re-enable an account."""
    user = db.get_or_404(User, user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    enable = request.form.get("enable") == "1"
    with service_errors():
        account_services.set_enabled(user, enable, current_user)
        flash("Account enabled." if enable else "Account disabled.", "success")
    return redirect(url_for("staff.user_detail", user_id=user.id))


@bp.post("/users/<int:user_id>/close")
@roles_required(Role.ADMIN)
def close_user_account(user_id: int):
    """Close an account for good (staff and coaches cannot close their own); a reason is required."""
    user = db.get_or_404(User, user_id)
    close = CloseAccountForm()
    outcome = None
    if close.validate_on_submit():
        with service_errors(close) as outcome:
            account_deletion.close_account(user, current_user, close.reason.data, close.confirm_email.data)
            flash(
                "Account closed: the personal data is removed; bookings and payments stay under a tombstone.", "success"
            )
            return redirect(url_for("staff.user_detail", user_id=user.id))
    form = RolesForm(formdata=None, roles=[r.value for r in user.roles])
    return _user_page(user, form, close, outcome.status if outcome and outcome.failed else 400)
