"""Client pages (checkout, own payments) and the Stripe webhook endpoint."""

from __future__ import annotations

import json
import logging

import sqlalchemy as sa
import sqlalchemy.orm as so
import stripe
from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from app.booking.models import Booking
from app.coaches.models import CoachProfile
from app.core.csp import response_policy
from app.core.db import utcnow
from app.core.error_pages import error_response
from app.core.errors import ServiceError
from app.core.security import login_required, public
from app.core.view_errors import service_errors
from app.extensions import db
from app.payments import bp, services
from app.payments.forms import TestAuthenticationForm, TestCardForm
from app.payments.models import Payment, PaymentStatus
from app.payments.webhooks import record_event

log = logging.getLogger(__name__)

STRIPE_JS = "https://js.stripe.com/v3/"  # the one external script, loaded only with PAYMENT_GATEWAY=stripe


def _own_booking(booking_id: int) -> Booking:
    booking = db.session.get(Booking, booking_id)
    if booking is None or booking.client_id != current_user.id:
        abort(404)
    return booking


def _stripe_csp() -> str:
    """The site's policy plus what Stripe.js needs on the checkout page."""
    return response_policy(
        img_src=("https://*.stripe.com",),
        script_src=("https://js.stripe.com",),
        frame_src=("https://js.stripe.com", "https://hooks.stripe.com"),
        connect_src=("'self'", "https://api.stripe.com"),
    )


@bp.route("/bookings/<int:booking_id>/pay", methods=["GET", "POST"])
@login_required
def checkout(booking_id: int):
    """Pay for the client's own held booking: test cards offline, Stripe's Payment Element otherwise."""
    booking = _own_booking(booking_id)
    stripe_mode = current_app.config["PAYMENT_GATEWAY"] == "stripe"
    form = TestCardForm()
    paid = db.session.scalar(
        sa.select(Payment).where(Payment.booking_id == booking.id, Payment.status == PaymentStatus.SUCCEEDED)
    )
    if paid is not None:
        return redirect(url_for("payments.payment", payment_id=paid.id))
    if not stripe_mode and form.validate_on_submit():
        with service_errors() as outcome:
            intent = services.create_intent(current_user, booking.id)
            payment = services.confirm_payment(current_user, intent.payment.id, form.payment_method.data)
        if outcome.failed:
            return redirect(url_for("payments.checkout", booking_id=booking.id))
        if payment.status == PaymentStatus.SUCCEEDED:
            flash("Payment received. Thank you!", "success")
            return redirect(url_for("payments.payment", payment_id=payment.id))
        if payment.status == PaymentStatus.REQUIRES_ACTION:
            return redirect(url_for("payments.authenticate", payment_id=payment.id))
        flash(
            f"{payment.failure_message or 'The payment did not go through.'} Your slot stays held until the hold expires.",
            "error",
        )
        return redirect(url_for("payments.checkout", booking_id=booking.id))
    now = utcnow()
    body = render_template(
        "payments/checkout.html",
        booking=booking,
        form=form,
        stripe_mode=stripe_mode,
        stripe_js=STRIPE_JS,
        publishable_key=current_app.config.get("STRIPE_PUBLISHABLE_KEY") or "",
        payable=booking.can_be_paid_by(current_user, now),
        hold_expired=booking.is_hold_expired(now),
    )
    headers = {"Content-Security-Policy": _stripe_csp()} if stripe_mode else {}
    return body, 200, headers


@bp.route("/payments/<int:payment_id>/authenticate", methods=["GET", "POST"])
@login_required
def authenticate(payment_id: int):
    """Test mode's 3-D Secure page, as Stripe's test mode shows it: Complete or Fail the authentication."""
    with service_errors(report=_not_found_or_flash) as outcome:
        found = services.payment_for_client(current_user, payment_id)
    if outcome.failed:
        return redirect(url_for("payments.my_payments"))
    form = TestAuthenticationForm()
    waiting = found.gateway == "offline" and found.status == PaymentStatus.REQUIRES_ACTION
    if waiting and form.validate_on_submit():
        approve = form.complete.data
        with service_errors() as outcome:
            found = services.complete_test_authentication(current_user, payment_id, approve)
        if outcome.failed:
            return redirect(url_for("payments.authenticate", payment_id=payment_id))
        if found.status == PaymentStatus.SUCCEEDED:
            flash("Authentication complete. Payment received. Thank you!", "success")
            return redirect(url_for("payments.payment", payment_id=found.id))
        flash(f"{found.failure_message} Your slot stays held until the hold expires.", "error")
        return redirect(url_for("payments.checkout", booking_id=found.booking_id))
    if not waiting:
        return redirect(url_for("payments.payment", payment_id=found.id))
    return render_template("payments/authenticate.html", payment=found, form=form)


@bp.get("/payments")
@login_required
def my_payments():
    """The client's own payments and their refunds, newest first, each with its session."""
    stmt = (
        sa.select(Payment)
        .where(Payment.client_id == current_user.id)
        .options(so.selectinload(Payment.booking).selectinload(Booking.session_type))
        .options(so.selectinload(Payment.booking).selectinload(Booking.coach).selectinload(CoachProfile.user))
        .order_by(Payment.created_at.desc(), Payment.id.desc())
        .limit(100)
    )
    return render_template("payments/my_payments.html", payments=list(db.session.scalars(stmt)))


def _not_found_or_flash(exc: ServiceError) -> None:
    """A payment that is not the client's is a 404; any other refusal is flashed."""
    if exc.status == 404:
        abort(404)
    flash(exc.message, "error")


@bp.get("/payments/<int:payment_id>")
@login_required
def payment(payment_id: int):
    """One of the client's payments, with each refund; after Stripe.js confirmed, syncs the status."""
    with service_errors(report=_not_found_or_flash) as outcome:
        found = services.payment_for_client(current_user, payment_id)
        if found.gateway == "stripe" and found.status in services.OPEN_STATUSES and request.args.get("payment_intent"):
            found = services.confirm_payment(current_user, payment_id, None)
    if outcome.failed:
        found = db.session.get(Payment, payment_id)
    return render_template("payments/payment.html", payment=found, now=utcnow())


def _well_formed(body) -> bool:
    """A Stripe event we can store once: an object with a string id and type (our columns' size)."""
    return isinstance(body, dict) and all(
        isinstance(body.get(k), str) and 0 < len(body[k]) <= 80 for k in ("id", "type")
    )


@bp.post("/webhooks/stripe")
@public
def stripe_webhook():
    """Stripe events: signature checked (400, nothing written, when missing, wrong or stale), stored once."""
    secret = current_app.config.get("STRIPE_WEBHOOK_SECRET")
    signature = request.headers.get("Stripe-Signature")
    if not secret or not signature:
        return error_response(400, "bad_signature", "Missing Stripe-Signature.")
    payload = request.get_data()
    try:
        stripe.WebhookSignature.verify_header(payload, signature, secret, stripe.Webhook.DEFAULT_TOLERANCE)
    except (ValueError, stripe.SignatureVerificationError) as exc:
        log.warning("rejected webhook: %s", exc)
        return error_response(400, "bad_signature", "Invalid or stale signature.")
    try:
        body = json.loads(payload)  # the verified payload, stored as sent
    except ValueError:
        body = None
    if not _well_formed(body):
        log.warning("rejected signed webhook without a usable id or type")
        message = "The event has no id or type (a string of at most 80 characters each)."
        return error_response(400, "malformed_event", message)
    created = record_event(body)
    log.info("webhook %s %s (duplicate: %s)", body["id"], body["type"], not created)
    return jsonify(received=True, duplicate=not created), 200
