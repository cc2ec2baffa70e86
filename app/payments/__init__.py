"""Payments domain: checkout, webhooks, the payments API and the finance console."""

from __future__ import annotations

from flask import Blueprint, Flask

from app.core.roles import FINANCE_ROLES

bp = Blueprint("payments", __name__, template_folder="templates")
api_bp = Blueprint("payments_api", __name__)
staff_bp = Blueprint("finance_staff", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    """Register the blueprints, the CLI, the finance queues of the inbox and timeline section, the test-mode global, the cancellation refunds and the check before a hold expires."""
    from app.booking.signals import booking_cancelled, hold_expiring
    from app.payments import api, queries, reconciliation_views, staff_views, views  # noqa: F401 - routes
    from app.payments.cli import payments_cli
    from app.payments.gateways import is_test_mode
    from app.payments.hold_checks import check_hold_before_expiry
    from app.payments.person_timeline import money_read
    from app.staff.inbox import InboxQueue, register_inbox_queue
    from app.staff.timeline import TimelineSection, register_timeline_section

    app.cli.add_command(payments_cli)
    app.register_blueprint(bp)
    app.register_blueprint(api_bp, url_prefix="/api")
    app.register_blueprint(staff_bp, url_prefix="/staff/finance")
    finance = frozenset(FINANCE_ROLES)
    for name, title, endpoint, setting, keys, load in (
        ("refund_approvals", "Refund approvals", "finance_staff.approvals", "REFUND_APPROVAL_TARGET_HOURS",
         queries.approvals_keys, queries.approvals_load),
        ("failed_refunds", "Failed refunds", "finance_staff.approvals", "FAILURE_TARGET_HOURS",
         queries.failed_refunds_keys, queries.failed_refunds_load),
        ("failed_webhooks", "Failed webhooks", "finance_staff.approvals", "FAILURE_TARGET_HOURS",
         queries.failed_webhooks_keys, queries.failed_webhooks_load),
        ("reconciliation", "Differences with Stripe", "finance_staff.reconciliation", "FAILURE_TARGET_HOURS",
         queries.reconciliation_keys, queries.reconciliation_load),
    ):  # fmt: skip
        register_inbox_queue(InboxQueue(name, title, endpoint, finance, setting, keys, load))
    register_timeline_section(TimelineSection("money", "Bookings, payments and refunds", finance, money_read))
    app.jinja_env.globals["payment_test_mode"] = is_test_mode
    booking_cancelled.connect(_refund_cancellation)
    hold_expiring.connect(check_hold_before_expiry)


def _refund_cancellation(booking, refund: int) -> None:
    """A cancelled booking's policy refund (if any) and the closing of its open intents, after commit."""
    from app.core.jobs import enqueue_after_commit

    if refund > 0:
        enqueue_after_commit("workers.refunds.refund_cancelled_booking", booking.id, refund, queue="payments")
    enqueue_after_commit("workers.payments.cancel_open_intents", booking.id, queue="payments")
