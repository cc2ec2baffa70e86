"""Generated reports: requesting, retrying, building (by the job) with progress, storing and mailing."""

from __future__ import annotations

import logging
from datetime import datetime

import sqlalchemy as sa

from app.accounts.models import Role, User, UserRole
from app.analytics.models import Report, ReportStatus
from app.analytics.report_data import GATHERERS, month_window
from app.analytics.signals import report_ready
from app.core import audit
from app.core.db import utcnow
from app.core.effects import commit
from app.core.errors import InvalidState, PermissionDenied, ValidationFailed
from app.core.jobs import enqueue_after_commit
from app.core.mail import queue_mail
from app.core.storage import storage
from app.extensions import db

log = logging.getLogger(__name__)

REPORT_ROLES: dict[str, frozenset[Role]] = {
    "finance": frozenset({Role.FINANCE, Role.ADMIN}),
    "verification": frozenset({Role.VERIFIER, Role.ADMIN}),
    "moderation": frozenset({Role.MODERATOR, Role.ADMIN}),
}
KIND_TITLES = {"finance": "Finance", "verification": "Verification", "moderation": "Moderation (transparency)"}
QUEUE = "reports"


def kinds_for(user: User) -> list[str]:
    """The report kinds this user may start and download."""
    return [kind for kind, roles in REPORT_ROLES.items() if user.has_role(*roles)]


def check_access(user: User | None, kind: str) -> None:
    """PermissionDenied unless the user holds a role for this kind (None: the CLI or scheduler)."""
    if kind not in REPORT_ROLES:
        raise ValidationFailed(f"Unknown report kind {kind!r}.", fields={"kind": "Unknown kind."})
    if user is not None and not user.has_role(*REPORT_ROLES[kind]):
        raise PermissionDenied("You may not see this report.")


def request_report(kind: str, period: str, actor: User | None) -> Report:
    """Queue a report for the month; the job builds it."""
    check_access(actor, kind)
    window = month_window(period)  # validates YYYY-MM
    today = datetime.now(window.zone).date()
    if window.start > today:  # nothing has happened yet: a report would claim an empty month as done
        raise ValidationFailed(
            f"{period} has not begun yet (today is {today:%Y-%m-%d} in {window.tz}); choose this month or an earlier one.",
            fields={"period": "A month that has begun."},
        )
    report = Report(kind=kind, period=period, requested_by_id=getattr(actor, "id", None))
    db.session.add(report)
    db.session.flush()
    audit.record(actor, "report.requested", report, after={"kind": kind, "period": period})
    enqueue_after_commit("workers.reports.build_report", report.id, queue=QUEUE)
    commit()
    return report


def retry_report(report: Report, actor: User) -> Report:
    """Send a failed report back to the queue."""
    check_access(actor, report.kind)
    if not report.can_be_retried:
        raise InvalidState("Only a failed report can be retried.")
    before = {"status": report.status.value, "error": report.error}
    report.status, report.progress, report.error, report.finished_at = ReportStatus.QUEUED, 0, None, None
    audit.record(actor, "report.retried", report, before=before, after={"status": "queued"})
    enqueue_after_commit("workers.reports.build_report", report.id, queue=QUEUE)
    commit()
    return report


def _progress(report: Report, percent: int, status: ReportStatus = ReportStatus.RUNNING) -> None:
    report.status, report.progress = status, percent
    db.session.commit()  # visible to the page polling it


def _file_key(report: Report, ext: str) -> str:
    return f"reports/{report.kind}/{report.period}/{report.kind}-{report.period}-{report.id}.{ext}"


def _mail_finance(report: Report, pdf: bytes) -> None:
    recipients = db.session.scalars(
        sa.select(User.email).join(UserRole).where(UserRole.role == Role.FINANCE, User.is_enabled.is_(True))
    ).all()
    for email in recipients:
        queue_mail(
            email,
            "report_ready",
            f"Finance report {report.period} is ready",
            {"report": report, "title": KIND_TITLES[report.kind]},
            attachments=[{"filename": f"finance-{report.period}.pdf", "content_type": "application/pdf", "data": pdf}],
        )


def build_report(report_id: int) -> Report | None:
    """Build, store and (finance) mail one report; safe to retry; failures are kept on the row."""
    import reports

    report = db.session.get(Report, report_id)
    if report is None or report.status == ReportStatus.DONE:
        return report
    try:
        _progress(report, 10)
        data = GATHERERS[report.kind](report.period)
        _progress(report, 40)
        pdf, csv_bytes = reports.render(report.kind, data)
        _progress(report, 75)
        report.pdf_key, report.csv_key = _file_key(report, "pdf"), _file_key(report, "csv")
        storage().put(report.pdf_key, pdf, "application/pdf")
        storage().put(report.csv_key, csv_bytes, "text/csv")
        _progress(report, 95)
        report.status, report.progress, report.finished_at = ReportStatus.DONE, 100, utcnow()
        if report.kind == "finance":
            _mail_finance(report, pdf)
        report_ready.send(report)
        commit()
    except Exception as exc:  # noqa: BLE001 - any failure is shown on the report with its reason
        log.exception("report %s failed", report_id)
        db.session.rollback()
        report = db.session.get(Report, report_id)
        report.status, report.error, report.finished_at = ReportStatus.FAILED, f"{type(exc).__name__}: {exc}", utcnow()
        db.session.commit()
    return report


def failed_reports_keys():  # -> app.staff.inbox.QueueKeys
    """The inbox's part: failed reports waiting for a retry."""
    from app.staff.inbox import waiting_keys

    return waiting_keys(Report.id, Report.created_at, Report.status == ReportStatus.FAILED)


def failed_reports_load(ids: list[int]) -> dict:  # -> {id: app.staff.inbox.InboxItem}
    """The shown failed reports, with their error."""
    from flask import url_for

    from app.staff.inbox import InboxItem

    url = url_for("reports_staff.index")
    return {
        r.id: InboxItem(
            "failed_reports",
            f"{KIND_TITLES.get(r.kind, r.kind)} report {r.period}",
            ((r.error or "").strip().splitlines() or ["failed"])[-1][:120],
            url,
            r.created_at,
        )
        for r in db.session.scalars(sa.select(Report).where(Report.id.in_(ids)))
    }
