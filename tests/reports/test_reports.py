"""Report builders, the report job (inline and on a real rq worker), the console and the CLI."""

from __future__ import annotations

import csv
import io
import subprocess
import time
from datetime import UTC, datetime
from datetime import time as clock_time

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from app.accounts.models import Role
from app.analytics.models import Report, ReportStatus
from app.analytics.reports_service import build_report, request_report
from app.core.models import AuditLog, OutgoingMail
from app.core.storage import storage
from app.extensions import db
from app.payments.models import PaymentStatus, RefundStatus
from tests.analytics.conftest import FIRST
from tests.clock import first_of_month, last_month, month_label
from tests.conftest import csrf_token_from
from tests.factories import StaffFactory
from tests.reports.rq_worker import ROOT, reports_worker

# The analytics world's month (UTC, the default reporting zone).
PERIOD = month_label(FIRST)
MONTH_START = datetime.combine(FIRST, clock_time(), UTC)
MONTH_END = datetime.combine(first_of_month(FIRST, -1), clock_time(), UTC)


def in_month(ts) -> bool:
    return ts is not None and MONTH_START <= ts < MONTH_END


def written(amount: int, currency: str) -> str:
    """How the report prints an amount of these two-decimal currencies: 'EUR 1,234.50' (as every page does)."""
    sign = "-" if amount < 0 else ""
    return f"{currency} {sign}{abs(amount) // 100:,}.{abs(amount) % 100:02d}"


def expected_totals(world) -> dict[str, dict[str, int]]:
    """Per currency gross, refunds and net for the month, from the rows."""
    out: dict[str, dict[str, int]] = {}
    for p in world.payments:
        if p.status == PaymentStatus.SUCCEEDED and in_month(p.succeeded_at):
            out.setdefault(p.currency, {"gross": 0, "refunds": 0})["gross"] += p.amount
    for r in world.refunds:
        if r.status == RefundStatus.SUCCEEDED and in_month(r.succeeded_at):
            out.setdefault(r.currency, {"gross": 0, "refunds": 0})["refunds"] += r.amount
    for t in out.values():
        t["net"] = t["gross"] - t["refunds"]
    return out


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def assert_finance_files(report: Report, world) -> None:
    totals = expected_totals(world)
    assert set(totals) == {"EUR", "USD"}
    text = pdf_text(storage().get(report.pdf_key))
    assert "Finance report" in text and PERIOD in text
    for cur, t in totals.items():
        for label in ("gross", "refunds", "net"):
            assert written(t[label], cur) in text, (cur, label, written(t[label], cur))
    rows = list(csv.reader(io.StringIO(storage().get(report.csv_key).decode())))
    table = rows[rows.index(["Volume, refunds and net per currency"]) + 2 :]
    got = {}
    for row in table:
        if not row:
            break
        got[row[0]] = {"gross": row[2], "refunds": row[3], "net": row[6]}
    assert got == {
        cur: {k: f"{t[k] // 100}.{t[k] % 100:02d}" for k in ("gross", "refunds", "net")} for cur, t in totals.items()
    }


def test_finance_report_built_inline_holds_the_database_totals_and_is_mailed(world, app):
    finance = StaffFactory(roles=[Role.FINANCE])
    report = request_report("finance", PERIOD, finance)  # inline jobs: built at commit
    db.session.expire_all()
    report = db.session.get(Report, report.id)
    assert report.status == ReportStatus.DONE and report.progress == 100, report.error
    assert_finance_files(report, world)
    mail = db.session.scalars(sa.select(OutgoingMail).where(OutgoingMail.to_address == finance.email)).one()
    assert PERIOD in mail.subject and mail.attachments[0]["filename"] == f"finance-{PERIOD}.pdf"
    assert db.session.scalars(sa.select(AuditLog.action)).all().count("report.requested") == 1


@pytest.mark.parametrize("kind", ["verification", "moderation"])
def test_other_reports_render_their_figures(world, app, kind):
    report = build_report(request_report(kind, PERIOD, None).id)
    assert report.status == ReportStatus.DONE, report.error
    text = pdf_text(storage().get(report.pdf_key))
    csv_text = storage().get(report.csv_key).decode()
    if kind == "verification":
        received = sum(1 for a in world.applications if in_month(a.submitted_at))
        assert f"Applications received {received}" in text.replace("\n", " ")
        assert f"Applications received,{received}" in csv_text
    else:
        flags = sum(1 for f in world.flags if in_month(f.created_at))
        assert f"Flags received {flags}" in text.replace("\n", " ")
        assert f"Flags received,{flags}" in csv_text


def test_a_failure_is_kept_with_its_reason_and_can_be_retried(world, app, client, login_as, monkeypatch):
    import app.analytics.reports_service as service

    monkeypatch.setitem(service.GATHERERS, "finance", lambda period: 1 / 0)
    admin = StaffFactory(roles=[Role.ADMIN])
    report = request_report("finance", PERIOD, admin)
    db.session.expire_all()
    report = db.session.get(Report, report.id)
    assert report.status == ReportStatus.FAILED and "ZeroDivisionError" in report.error
    login_as(admin)
    page = client.get("/staff/reports/").get_data(as_text=True)
    assert "Failed: ZeroDivisionError" in page and "Retry" in page
    assert "Failed reports" in client.get("/staff/").get_data(as_text=True)
    monkeypatch.undo()
    token = csrf_token_from(client, "/staff/reports/")
    assert client.post(f"/staff/reports/{report.id}/retry", data={"csrf_token": token}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Report, report.id).status == ReportStatus.DONE


def test_report_built_by_a_real_rq_worker(world, app, client, login_as, redis_url, monkeypatch):
    from app.core.jobs import RQJobs

    monkeypatch.setitem(app.extensions, "jobs", RQJobs(redis_url))
    login_as(StaffFactory(roles=[Role.FINANCE]))
    token = csrf_token_from(client, "/staff/reports/")
    resp = client.post("/staff/reports/", data={"kind": "finance", "period": PERIOD, "csrf_token": token})
    assert resp.status_code == 302
    report_id = db.session.scalar(sa.select(Report.id))
    assert client.get(f"/staff/reports/{report_id}/status").get_json() == {
        "status": "queued",
        "progress": 0,
        "error": None,
    }
    argv, env = reports_worker(app, redis_url)
    subprocess.run(argv, cwd=ROOT, env=env, timeout=120, check=True, capture_output=True)
    db.session.expire_all()
    deadline = time.monotonic() + 10
    while client.get(f"/staff/reports/{report_id}/status").get_json()["status"] != "done":
        assert time.monotonic() < deadline, client.get(f"/staff/reports/{report_id}/status").get_json()
        time.sleep(0.2)
    report = db.session.get(Report, report_id)
    assert report.progress == 100
    assert_finance_files(report, world)
    with client.get(f"/staff/reports/{report_id}/download.pdf") as resp:
        assert resp.status_code == 200 and resp.mimetype == "application/pdf"
        assert resp.get_data() == storage().get(report.pdf_key)


@pytest.mark.parametrize(
    ("role", "kind", "allowed"),
    [
        (Role.FINANCE, "finance", True),
        (Role.VERIFIER, "finance", False),
        (Role.MODERATOR, "finance", False),
        (Role.VERIFIER, "verification", True),
        (Role.FINANCE, "verification", False),
        (Role.MODERATOR, "moderation", True),
        (Role.ADMIN, "moderation", True),
    ],
)
def test_downloads_only_for_the_right_roles(app, client, login_as, role, kind, allowed):
    report = build_report(request_report(kind, last_month(), None).id)
    login_as(StaffFactory(roles=[role]))
    for fmt in ("pdf", "csv"):
        with client.get(f"/staff/reports/{report.id}/download.{fmt}") as resp:
            assert resp.status_code == (200 if allowed else 404)
    assert client.get(f"/staff/reports/{report.id}/status").status_code == (200 if allowed else 404)
    listing = client.get("/staff/reports/").get_data(as_text=True)
    assert (f"/staff/reports/{report.id}/download.pdf" in listing) is allowed


def test_clients_and_coaches_cannot_open_reports(app, client, login_as):
    from tests.factories import UserFactory

    login_as(UserFactory(roles=[Role.CLIENT, Role.COACH]))
    assert client.get("/staff/reports/").status_code == 403


def test_cli_build_prints_the_stored_key_last(world, app):
    result = app.test_cli_runner().invoke(args=["reports", "build", "finance", "--period", PERIOD])
    assert result.exit_code == 0, result.output
    key = result.output.strip().splitlines()[-1]
    assert key.endswith(".pdf") and storage().exists(key)
    bad = app.test_cli_runner().invoke(args=["reports", "build", "finance", "--period", f"{FIRST.year}-13"])
    assert bad.exit_code != 0


def test_cli_schedule_queues_last_months_finance_report(app):
    result = app.test_cli_runner().invoke(args=["reports", "schedule", "--period", last_month()])
    assert result.exit_code == 0, result.output
    report = db.session.scalars(sa.select(Report)).one()
    assert (report.kind, report.period) == ("finance", last_month())


def test_cli_schedule_follows_the_configured_kinds(app, monkeypatch):
    monkeypatch.setitem(app.config, "REPORTS_MONTHLY_KINDS", "finance, moderation")
    result = app.test_cli_runner().invoke(args=["reports", "schedule"])
    assert result.exit_code == 0, result.output
    assert sorted(db.session.scalars(sa.select(Report.kind)).all()) == ["finance", "moderation"]


def test_the_finance_pdf_lists_the_largest_payouts_of_each_currency_and_the_csv_all(monkeypatch):
    import reports
    from reports import finance

    monkeypatch.setattr(finance, "PDF_PAYOUTS_PER_CURRENCY", 2)
    payouts = [
        {"coach_id": i, "coach": f"Coach {i}", "currency": cur, "gross": g, "refunds": 0, "fees": 0, "payout": g}
        for i, (cur, g) in enumerate([("EUR", 100), ("EUR", 300), ("EUR", 200), ("USD", 50), ("USD", 70)])
    ]
    pdf, csv_bytes = reports.render(
        "finance",
        {"period": "2026-10", "timezone": "UTC", "generated_at": "x", "totals": [], "daily": [], "payouts": payouts,
         "disputes": []},
    )  # fmt: skip
    text = pdf_text(pdf)
    assert "4 of 5 rows shown; the CSV lists all." in text
    assert "Coach 1" in text and "Coach 2" in text and "Coach 0" not in text  # EUR 300 and 200, not 100
    assert "Coach 4" in text and "Coach 3" in text
    csv_text = csv_bytes.decode()
    assert [line.split(",")[0] for line in csv_text.splitlines() if line.startswith("Coach ")] == [
        "Coach 1", "Coach 2", "Coach 0", "Coach 4", "Coach 3"
    ]  # fmt: skip
