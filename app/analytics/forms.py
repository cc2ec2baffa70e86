"""Forms of the reports console."""

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Regexp


class StartReportForm(FlaskForm):
    """Start a report for a month."""

    kind = SelectField("Report", validators=[DataRequired()])
    period = StringField(
        "Month",
        validators=[DataRequired(), Regexp(r"^\d{4}-(0[1-9]|1[0-2])$", message="Use YYYY-MM, e.g. 2026-10.")],
        render_kw={"type": "month", "placeholder": "YYYY-MM"},
    )


class RetryForm(FlaskForm):
    """A bare POST with CSRF."""
