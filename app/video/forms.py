"""Video forms: staff's decision on a session in their queue."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length

from app.video.models import Outcome, Resolution

RESOLUTION_LABELS = {
    Resolution.REFUND_CLIENT: "Refund the client in full",
    Resolution.NO_REFUND: "No refund",
}
OUTCOME_LABELS = {
    Outcome.COMPLETED: "Completed",
    Outcome.CLIENT_NO_SHOW: "Client no-show",
    Outcome.COACH_NO_SHOW: "Coach no-show",
    Outcome.BOTH_NO_SHOW: "Both no-show",
    Outcome.TECHNICAL_FAILURE: "Technical failure",
}


class ResolveOutcomeForm(FlaskForm):
    """Staff decide a technical failure or a double no-show: a refund or not, and why."""

    resolution = RadioField(
        "Decision",
        choices=[SelectChoice(r.value, label) for r, label in RESOLUTION_LABELS.items()],
        validators=[InputRequired("Choose one.")],
    )
    note = TextAreaField(
        "Note (mailed to both parties and kept in the audit log)",
        validators=[DataRequired("A note is required."), Length(max=2000)],
    )


class ContestForm(FlaskForm):
    """The client or the coach disputes a session's outcome."""

    reason = TextAreaField(
        "What happened? (our staff read it with the attendance record)",
        validators=[DataRequired("Say what happened."), Length(max=2000)],
    )
