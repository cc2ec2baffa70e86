"""A report for a month that has not begun is refused, not built as an empty "done" report."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.analytics.models import Report
from app.analytics.reports_service import request_report
from app.core.errors import ValidationFailed
from app.extensions import db
from tests.clock import first_of_month, month_label
from tests.conftest import csrf_token_from
from tests.factories import StaffFactory


def _today(app):
    """Today in the reporting zone (the month the refusal is about)."""
    return datetime.now(ZoneInfo(app.config.get("DEFAULT_TIMEZONE") or "UTC")).date()


def test_a_future_month_is_refused_by_the_service(app):
    next_month = month_label(first_of_month(_today(app), -1))
    with pytest.raises(ValidationFailed, match="has not begun yet"):
        request_report("finance", next_month, None)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Report)) == 0


def test_the_console_says_why_and_this_month_is_still_allowed(app, client, login_as):
    next_month, this_month = month_label(first_of_month(_today(app), -1)), month_label(_today(app))
    login_as(StaffFactory(roles=[Role.FINANCE]))
    token = csrf_token_from(client, "/staff/reports/")
    resp = client.post(
        "/staff/reports/", data={"csrf_token": token, "kind": "finance", "period": next_month}, follow_redirects=True
    )
    assert f"{next_month} has not begun yet" in resp.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Report)) == 0
    client.post("/staff/reports/", data={"csrf_token": token, "kind": "finance", "period": this_month})
    assert db.session.scalar(sa.select(Report.period)) == this_month
