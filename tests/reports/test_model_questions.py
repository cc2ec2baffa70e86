"""What a report answers about its state (issue 17): in progress, ready to download, retriable; the
reports page and the retry service ask the same."""

from __future__ import annotations

import pytest

from app.analytics.models import Report, ReportStatus
from app.analytics.reports_service import retry_report
from app.core.errors import InvalidState
from app.extensions import db
from tests.factories import StaffFactory


@pytest.mark.parametrize(
    "status, in_progress, ready, retriable",
    [
        (ReportStatus.QUEUED, True, False, False),
        (ReportStatus.RUNNING, True, False, False),
        (ReportStatus.DONE, False, True, False),
        (ReportStatus.FAILED, False, False, True),
    ],
)
def test_each_status_answers_once(app, status, in_progress, ready, retriable):
    report = Report(kind="finance", period="2026-11", status=status)
    assert (report.is_in_progress, report.is_ready, report.can_be_retried) == (in_progress, ready, retriable)


def test_only_a_failed_report_is_retried(app):
    admin = StaffFactory()
    report = Report(kind="finance", period="2026-11", status=ReportStatus.DONE)
    db.session.add(report)
    db.session.commit()
    with pytest.raises(InvalidState, match="Only a failed report can be retried."):
        retry_report(report, admin)
