"""Checkout and refund forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from app.payments.bookkeeping import ReconciliationResolution
from app.payments.gateways.offline import TEST_CARD_CHOICES
from app.payments.models import RefundReason

REASON_LABELS = {
    RefundReason.REQUESTED_BY_CUSTOMER: "Requested by the client",
    RefundReason.DUPLICATE: "Duplicate payment",
    RefundReason.FRAUDULENT: "Fraudulent",
    RefundReason.SESSION_CANCELLED: "Session cancelled",
    RefundReason.COACH_NO_SHOW: "Coach did not show up",
    RefundReason.GOODWILL: "Goodwill gesture",
}

RESOLUTION_LABELS = {
    ReconciliationResolution.OURS_CORRECTED: "Our books corrected",
    ReconciliationResolution.STRIPE_CORRECTED: "Corrected at Stripe",
    ReconciliationResolution.ACCEPTED: "Accepted as is: explained, nothing to correct",
}


class TestCardForm(FlaskForm):
    """Test mode: pick one of Stripe's test cards."""

    payment_method = RadioField(
        "Test card",
        choices=[SelectChoice(v, label) for v, label in TEST_CARD_CHOICES],
        default="pm_card_visa",
        validators=[InputRequired()],
    )


class TestAuthenticationForm(FlaskForm):
    """Test mode: the two answers of Stripe's test 3-D Secure page."""

    complete = SubmitField("Complete authentication")
    fail = SubmitField("Fail authentication")


class RefundForm(FlaskForm):
    """Step 1: amount, reason, note."""

    amount = StringField("Amount to refund", validators=[DataRequired(), Length(max=20)])
    reason = SelectField("Reason", choices=[SelectChoice(r.value, label) for r, label in REASON_LABELS.items()])
    note = TextAreaField("Note (kept in the audit log)", validators=[Length(max=2000)])


class RefundConfirmForm(FlaskForm):
    """Step 2: the confirmed request; the key makes a double submit one refund."""

    amount_minor = IntegerField(validators=[NumberRange(min=1)])
    reason = HiddenField(validators=[DataRequired()])
    note = HiddenField()
    idempotency_key = HiddenField(validators=[DataRequired(), Length(max=80)])


class ResolveDifferenceForm(FlaskForm):
    """Finance settles a difference with Stripe: how, and a note saying what was done or why."""

    resolution = RadioField(
        "How was it resolved?",
        choices=[SelectChoice(r.value, label) for r, label in RESOLUTION_LABELS.items()],
        validators=[InputRequired("Choose one.")],
    )
    note = TextAreaField(
        "Note (what was done, or why nothing needs doing; kept in the audit log)",
        validators=[DataRequired("A note is required."), Length(max=2000)],
    )
