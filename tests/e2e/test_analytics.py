"""An admin opens analytics, changes range and granularity, downloads a CSV, and follows a report
built by a real rq worker until its progress bar completes."""

from __future__ import annotations

import csv
import io
import subprocess
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from app.accounts.models import Role
from app.core.jobs import RQJobs
from tests.clock import SUITE_NOW, first_of_month, last_of_month, month_label
from tests.e2e.conftest import assert_accessible, snap, staff_login
from tests.factories import StaffFactory, UserFactory
from tests.factories.analytics import BookingFactory, CoachProfileFactory, PaymentFactory
from tests.reports.rq_worker import ROOT, reports_worker

pytestmark = pytest.mark.e2e


def points(page, name: str) -> int:
    page.locator(f"#chart-{name}[data-drawn='true']").wait_for()
    return page.evaluate(f"document.getElementById('chart-{name}').data[0].x.length")


def test_admin_charts_csv_and_report_progress(page, base, app, redis_url, monkeypatch):
    coach = CoachProfileFactory(currency="EUR")
    client = UserFactory()
    month = first_of_month(SUITE_NOW.date(), 1)  # last month: complete and in the past
    first, last = month.isoformat(), last_of_month(month).isoformat()
    start = datetime.combine(month, time(12), UTC)
    for day in range(0, 28, 2):
        booking = BookingFactory(coach=coach, client=client, created_at=start + timedelta(days=day))
        PaymentFactory(booking=booking, created_at=start + timedelta(days=day))
    admin = StaffFactory(roles=[Role.ADMIN, Role.FINANCE], first_name="Ana", timezone="Europe/Berlin")
    monkeypatch.setitem(app.extensions, "jobs", RQJobs(redis_url))

    staff_login(page, base, admin)
    page.get_by_role("navigation", name="Console sections").get_by_role("link", name="Analytics").click()
    expect(page.get_by_role("heading", name="Analytics", level=1)).to_be_visible()
    assert points(page, "bookings_made") == 30  # the default range: the last 30 days

    page.get_by_label("From", exact=True).fill(first)
    page.get_by_label("To", exact=True).fill(last)
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url(f"**from={first}**")
    assert points(page, "bookings_made") == last_of_month(month).day
    page.get_by_label("Granularity", exact=True).select_option("week")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**granularity=week**")
    mondays = []  # every week (Monday first) that touches the month
    monday = month - timedelta(days=month.weekday())
    while monday <= last_of_month(month):
        mondays.append(monday.isoformat())
        monday += timedelta(days=7)
    assert points(page, "bookings_made") == len(mondays)
    page.locator("#title-bookings_made").scroll_into_view_if_needed()
    snap(page, "analytics-bookings-week")
    assert_accessible(page)

    section = page.locator("section", has=page.locator("#title-bookings_made"))
    section.locator("summary", has_text="Table view").click()
    expect(section.get_by_role("table")).to_be_visible()
    with page.expect_download() as info:
        section.get_by_role("link", name="Download CSV").click()
    rows = list(csv.DictReader(io.StringIO(Path(info.value.path()).read_text())))
    assert [r["period"] for r in rows] == mondays
    assert sum(int(r["value"]) for r in rows) == 14

    page.get_by_role("link", name="Money").click()
    page.locator("#chart-gross_volume[data-drawn='true']").wait_for()
    snap(page, "analytics-money")

    page.get_by_role("navigation", name="Console sections").get_by_role("link", name="Reports").click()
    page.get_by_label("Report", exact=True).select_option("finance")
    page.get_by_label("Month", exact=True).fill(month_label(month))
    page.get_by_role("button", name="Start report").click()
    bar = page.get_by_role("progressbar")
    expect(bar).to_be_visible()
    snap(page, "reports-queued")
    assert_accessible(page)
    argv, env = reports_worker(app, redis_url)
    worker = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        # A function, not an expression string: Playwright evals a string in the page, which the
        # reports page's CSP (no 'unsafe-eval' outside the analytics dashboard) refuses.
        page.wait_for_function("() => document.querySelector('[data-progress]')?.value === 100", timeout=60_000)
        expect(page.get_by_role("link", name="PDF")).to_be_visible(timeout=30_000)
    finally:
        worker.wait(timeout=60)
    expect(page.get_by_role("progressbar")).to_have_count(0)
    expect(page.locator("[data-status-label]").first).to_have_text("done")
    snap(page, "reports-done")


def test_coach_and_client_dashboards(page, base, app):
    from app.booking.models import BookingStatus
    from app.core.db import utcnow
    from tests.e2e.conftest import client_login
    from tests.factories.analytics import SpecializationFactory
    from tests.factories.booking import AvailabilityRuleFactory

    now = utcnow()
    career = SpecializationFactory(slug="career", name="Career")
    coach = CoachProfileFactory(currency="EUR", headline="Career clarity coach")
    coach.specializations = [career]
    other = CoachProfileFactory(currency="EUR", headline="Leadership for new managers")
    other.specializations = [career]
    AvailabilityRuleFactory(coach_id=coach.id)
    client = UserFactory(first_name="Cleo")
    PaymentFactory(booking=BookingFactory(coach=coach, client=client, amount=12000), created_at=now)
    BookingFactory(coach=coach, client=client, status=BookingStatus.COMPLETED, completed_at=now)
    BookingFactory(
        coach=coach, client=client, starts_at=now + timedelta(days=2), ends_at=now + timedelta(days=2, hours=1)
    )

    client_login(page, base, coach.user)
    page.goto(f"{base}/dashboard")
    expect(page.get_by_role("heading", name="Your coaching")).to_be_visible()
    expect(page.locator('[data-figure="revenue-EUR"]')).to_have_text("EUR 120.00")
    snap(page, "dashboard-coach")
    assert_accessible(page)

    page.context.clear_cookies()
    client_login(page, base, client)
    page.goto(f"{base}/dashboard")
    expect(page.get_by_role("heading", name="Your sessions")).to_be_visible()
    expect(page.locator("[data-recommendations]")).to_contain_text("Leadership for new managers")
    snap(page, "dashboard-client")
    assert_accessible(page)
