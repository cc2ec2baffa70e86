"""The finance console: payments list with filters and totals, CSV, a payment's page, refunds, approvals."""

from __future__ import annotations

import io
import uuid

import sqlalchemy as sa
from flask import Response, flash, redirect, render_template, request, stream_with_context, url_for
from flask_login import current_user

from app.core.csv_cells import csv_writer
from app.core.db import utcnow
from app.core.money import format_money, plain
from app.core.money import parse as parse_money
from app.core.pagination import keyset_page
from app.core.roles import FINANCE_ROLES
from app.core.security import roles_required
from app.core.template_helpers import viewer_zone
from app.core.view_errors import service_errors
from app.extensions import db
from app.payments import day_totals, queries, refunds, staff_bp, webhooks
from app.payments.forms import REASON_LABELS, RefundConfirmForm, RefundForm
from app.payments.models import Payment, PaymentStatus, RefundReason
from app.staff.forms import ConfirmForm
from app.staff.risk import person_facts

PAGE_SIZE = 50


@staff_bp.get("/")
@roles_required(*FINANCE_ROLES)
def payments():
    """Payments, newest first, with filters, totals per currency and keyset pages."""
    zone = viewer_zone()
    filters = queries.PaymentFilters.from_args(request.args, zone)
    stmt = queries.apply_filters(sa.select(Payment).options(*queries.list_loads()), filters, zone)
    cursor = request.args.get("after")
    page = keyset_page(stmt, [Payment.created_at, Payment.id], True, cursor, PAGE_SIZE)
    return render_template(
        "payments/staff/payments.html",
        page=page,
        filters=filters,
        totals=None if cursor else day_totals.totals(filters, zone),  # the filter's totals: on its first page
        statuses=[s.value for s in PaymentStatus],
        errors=filters.errors(),
    )


@staff_bp.get("/export.csv")
@roles_required(*FINANCE_ROLES)
def export_csv():
    """The filtered list as CSV, streamed."""
    zone = viewer_zone()
    filters = queries.PaymentFilters.from_args(request.args, zone)

    def generate():
        buffer = io.StringIO()
        writer = csv_writer(buffer)
        writer.writerow(
            [
                "payment_id",
                "created_at_utc",
                "status",
                "amount",
                "refunded",
                "currency",
                "booking_id",
                "client_email",
                "coach_email",
                "provider_intent_id",
                "disputed",
            ]
        )
        for i, row in enumerate(queries.csv_rows(filters, zone)):
            writer.writerow(
                [
                    row[0],
                    row[1].isoformat(),
                    row[2].value,
                    row[3],
                    row[4],
                    row[5],
                    row[6],
                    row[7],
                    row[8],
                    row[9] or "",
                    "yes" if row[10] else "no",
                ]
            )
            if i % 500 == 0:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    return Response(
        stream_with_context(generate()),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=payments.csv"},
    )


@staff_bp.get("/payments/<int:payment_id>")
@roles_required(*FINANCE_ROLES)
def payment(payment_id: int):
    """Amounts, booking, client, coach, timeline and the refund form."""
    p = db.get_or_404(Payment, payment_id)
    refundable = refunds.refundable_now(p)
    # The whole amount is offered only while nothing was refunded; after a partial refund staff type it.
    form = RefundForm(formdata=None, amount=plain(refundable, p.currency) if refundable == p.amount else "")
    return _payment_page(p, form)


def _payment_page(p: Payment, form: RefundForm, status: int = 200):
    return (
        render_template(
            "payments/staff/payment.html",
            payment=p,
            form=form,
            refundable=refunds.refundable_now(p),
            timeline=queries.timeline(p),
            risk=[
                ("Client", person_facts(p.client, current_user, utcnow())),
                ("Coach", person_facts(p.coach.user, current_user, utcnow())),
            ],
            action_form=ConfirmForm(),
            reason_labels=REASON_LABELS,
        ),
        status,
    )


@staff_bp.post("/payments/<int:payment_id>/refund")
@roles_required(*FINANCE_ROLES)
def refund_review(payment_id: int):
    """Step 1 → the confirmation page showing the amounts (nothing is refunded yet)."""
    p = db.get_or_404(Payment, payment_id)
    form = RefundForm()
    if not form.validate_on_submit():
        return _payment_page(p, form, 400)
    minor = parse_money(form.amount.data, p.currency)
    remaining = refunds.refundable_now(p)
    if minor is None:
        form.amount.errors.append("Enter an amount such as 25.00.")
        return _payment_page(p, form, 400)
    if minor > remaining:
        form.amount.errors.append(f"At most {format_money(remaining, p.currency)} remains refundable.")
        return _payment_page(p, form, 409)
    confirm = RefundConfirmForm(
        formdata=None,
        amount_minor=minor,
        reason=form.reason.data,
        note=form.note.data or "",
        idempotency_key=uuid.uuid4().hex,
    )
    from flask import current_app

    return render_template(
        "payments/staff/refund_confirm.html",
        payment=p,
        form=confirm,
        amount=minor,
        remaining=remaining,
        reason_label=REASON_LABELS[RefundReason(form.reason.data)],
        needs_approval=minor > current_app.config["REFUND_APPROVAL_THRESHOLD"],
    )


@staff_bp.post("/payments/<int:payment_id>/refund/confirm")
@roles_required(*FINANCE_ROLES)
def refund_submit(payment_id: int):
    """Step 2: request the refund; the form's key makes a double submit one refund."""
    p = db.get_or_404(Payment, payment_id)
    form = RefundConfirmForm()
    if not form.validate_on_submit():
        flash("The refund form was incomplete; please start again.", "error")
        return redirect(url_for("finance_staff.payment", payment_id=p.id))
    with service_errors() as outcome:
        r = refunds.request_refund(
            current_user,
            p.id,
            form.amount_minor.data,
            form.reason.data,
            form.note.data or "",
            form.idempotency_key.data,
        )
    if outcome.failed:
        return redirect(url_for("finance_staff.payment", payment_id=p.id))
    db.session.refresh(r)
    messages = {
        "pending_approval": "Refund requested; it awaits a second finance user's approval.",
        "succeeded": "Refund of {} succeeded.",
        "pending": "Refund of {} sent; waiting for the provider.",
        "sending": "Refund of {} is being sent to the provider.",
        "unknown": "Refund of {}: the provider did not answer; it will be read back before anything is sent again.",
        "failed": "Refund of {} failed: " + (r.failure_message or "") + " You can retry it.",
    }
    text = messages.get(r.status.value, "Refund {} recorded.").format(format_money(r.amount, r.currency))
    flash(text, "error" if r.status.value in ("failed", "unknown") else "success")
    return redirect(url_for("finance_staff.payment", payment_id=p.id))


@staff_bp.get("/approvals")
@roles_required(*FINANCE_ROLES)
def approvals():
    """Refunds awaiting a second approval, failed refunds and failed webhook events."""
    return render_template(
        "payments/staff/approvals.html",
        pending=queries.approval_queue(),
        failed=queries.failed_refunds(),
        hooks=queries.failed_webhooks(),
        action_form=ConfirmForm(),
    )


def _act(fn, object_id: int, done: str, back: str | None = None):
    form = ConfirmForm()
    if form.validate_on_submit():
        with service_errors():
            fn(current_user, object_id)
            flash(done, "success")
    return redirect(back or request.form.get("next") or url_for("finance_staff.approvals"))


def _safe_next() -> str | None:
    target = request.form.get("next", "")
    return target if target.startswith("/staff/finance") else None


@staff_bp.post("/refunds/<int:refund_id>/approve")
@roles_required(*FINANCE_ROLES)
def approve(refund_id: int):
    """Second person approves a refund above the threshold."""
    return _act(
        refunds.approve_refund,
        refund_id,
        "Refund approved and sent.",
        _safe_next() or url_for("finance_staff.approvals"),
    )


@staff_bp.post("/refunds/<int:refund_id>/reject")
@roles_required(*FINANCE_ROLES)
def reject(refund_id: int):
    """Refuse a refund awaiting approval."""
    return _act(
        refunds.reject_refund, refund_id, "Refund rejected.", _safe_next() or url_for("finance_staff.approvals")
    )


@staff_bp.post("/refunds/<int:refund_id>/retry")
@roles_required(*FINANCE_ROLES)
def retry_refund(refund_id: int):
    """Send a failed refund again."""
    return _act(
        refunds.retry_refund, refund_id, "Refund sent again.", _safe_next() or url_for("finance_staff.approvals")
    )


@staff_bp.post("/webhooks/<int:event_id>/retry")
@roles_required(*FINANCE_ROLES)
def retry_webhook(event_id: int):
    """Process a failed webhook event again."""
    return _act(
        webhooks.retry_event,
        event_id,
        "Webhook event processed again.",
        _safe_next() or url_for("finance_staff.approvals"),
    )
