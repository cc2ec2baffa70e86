"""/staff/reports: list, start, follow (progress polling), retry and download generated reports."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from app.analytics.forms import RetryForm, StartReportForm
from app.analytics.models import Report
from app.analytics.reports_service import KIND_TITLES, check_access, kinds_for, request_report, retry_report
from app.core.pagination import keyset_page
from app.core.roles import STAFF_ROLES
from app.core.security import roles_required
from app.core.storage import storage
from app.core.view_errors import service_errors
from app.extensions import db

bp = Blueprint("reports_staff", __name__, template_folder="templates")

CONTENT_TYPES = {"pdf": "application/pdf", "csv": "text/csv"}


def _form() -> StartReportForm:
    form = StartReportForm()
    form.kind.choices = [(k, KIND_TITLES[k]) for k in kinds_for(current_user)]
    if not form.period.data:
        form.period.data = (date.today().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    return form


def _visible(report_id: int) -> Report:
    report = db.get_or_404(Report, report_id)
    if report.kind not in kinds_for(current_user):
        abort(404)
    return report


@bp.route("/", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def index():
    """Reports of the kinds the user may see, newest first, and the form to start one."""
    form = _form()
    if form.validate_on_submit():
        with service_errors():
            report = request_report(form.kind.data, form.period.data, current_user)
            flash(f"{KIND_TITLES[report.kind]} report for {report.period} queued.", "success")
            return redirect(url_for(".index"))
    stmt = sa.select(Report).where(Report.kind.in_(kinds_for(current_user)))
    page = keyset_page(stmt, [Report.id], True, request.args.get("after"), 50)
    return render_template("analytics/reports.html", form=form, page=page, titles=KIND_TITLES, retry_form=RetryForm())


@bp.get("/<int:report_id>/status")
@roles_required(*STAFF_ROLES)
def status(report_id: int):
    """The job's progress, polled by the page: {"status", "progress", "error"}."""
    report = _visible(report_id)
    return jsonify(status=report.status.value, progress=report.progress, error=report.error)


@bp.post("/<int:report_id>/retry")
@roles_required(*STAFF_ROLES)
def retry(report_id: int):
    """Queue a failed report again."""
    report = _visible(report_id)
    if RetryForm().validate_on_submit():
        with service_errors():
            retry_report(report, current_user)
            flash("Report queued again.", "success")
    return redirect(url_for(".index"))


@bp.get("/<int:report_id>/download.<fmt>")
@roles_required(*STAFF_ROLES)
def download(report_id: int, fmt: str):
    """The finished PDF or CSV, for holders of the report's roles."""
    report = _visible(report_id)
    check_access(current_user, report.kind)
    key = {"pdf": report.pdf_key, "csv": report.csv_key}.get(fmt)
    if not report.is_ready or not key:
        abort(404)
    filename = f"{report.kind}-{report.period}.{fmt}"
    url = storage().download_url(key, filename)
    if url:
        return redirect(url)
    return Response(
        storage().get(key),
        mimetype=CONTENT_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
