"""Booking and availability forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DecimalField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, NumberRange, Optional


class BookingForm(FlaskForm):
    """The final step of the book flow (values chosen on the previous steps)."""

    session_type_id = HiddenField(validators=[DataRequired()])
    starts_at = HiddenField(validators=[DataRequired()])
    notes = HiddenField()


class CancelForm(FlaskForm):
    """Cancel with an optional (clients) or required (coaches) reason."""

    reason = TextAreaField("Reason", validators=[Optional(), Length(max=1000)])


class RescheduleForm(FlaskForm):
    """Pick the new slot."""

    starts_at = RadioField("New time", validators=[DataRequired(message="Pick a time.")], choices=[])
    reason = TextAreaField("Reason (required from coaches at short notice)", validators=[Optional(), Length(max=1000)])


class ReviewForm(FlaskForm):
    """Rate a completed session once."""

    rating = SelectField(
        "Rating", choices=[SelectChoice(str(n), f"{n} ★") for n in range(5, 0, -1)], validators=[DataRequired()]
    )
    body = TextAreaField("Your review", validators=[Optional(), Length(max=4000)])


class SettingsForm(FlaskForm):
    """Buffer, notice and horizon."""

    buffer_minutes = IntegerField(
        "Buffer between sessions (minutes)", validators=[InputRequired(), NumberRange(0, 240)]
    )
    min_notice_hours = IntegerField(
        "Minimum notice for new bookings (hours)", validators=[InputRequired(), NumberRange(0, 336)]
    )
    horizon_days = IntegerField("Booking horizon (days ahead)", validators=[InputRequired(), NumberRange(1, 365)])
    client_cancel_notice_hours = IntegerField(
        "Clients may cancel or reschedule until (hours before)", validators=[InputRequired(), NumberRange(0, 336)]
    )


class ExceptionForm(FlaskForm):
    """Time off or extra hours on a date."""

    on_date = DateField("Date", validators=[DataRequired()])
    kind = SelectField(
        "Kind", choices=[SelectChoice("time_off", "Time off"), SelectChoice("extra_hours", "Extra hours")]
    )
    start_time = TimeField("From (empty: whole day)", validators=[Optional()])
    end_time = TimeField("Until", validators=[Optional()])


class SessionTypeForm(FlaskForm):
    """A new session type."""

    name = StringField("Name", validators=[DataRequired(), Length(max=80)])
    duration_minutes = IntegerField("Length (minutes)", validators=[InputRequired(), NumberRange(15, 480)])
    price = DecimalField("Price", places=2, validators=[InputRequired(), NumberRange(min=1)])


WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


class WeeklyHoursForm(FlaskForm):
    """Up to two windows a weekday: d<day>_start<n> and d<day>_end<n> (day 0 is Monday, n is 1 or 2)."""

    def windows(self) -> list:
        """(weekday, start, end) for every window with both times filled."""
        found = []
        for day in range(7):
            for n in (1, 2):
                start, end = self[f"d{day}_start{n}"].data, self[f"d{day}_end{n}"].data
                if start is not None and end is not None:
                    found.append((day, start, end))
        return found


for _day, _name in enumerate(WEEKDAYS):
    for _n in (1, 2):
        setattr(WeeklyHoursForm, f"d{_day}_start{_n}", TimeField(f"{_name} window {_n} from", validators=[Optional()]))
        setattr(WeeklyHoursForm, f"d{_day}_end{_n}", TimeField(f"{_name} window {_n} until", validators=[Optional()]))


def weekly_hours_data(rules) -> dict:
    """The form's values from the coach's saved rules (sorted by weekday and start)."""
    data = {}
    for day in range(7):
        for n, rule in enumerate([r for r in rules if r.weekday == day][:2], start=1):
            data[f"d{day}_start{n}"], data[f"d{day}_end{n}"] = rule.start_time, rule.end_time
    return data


class SessionTypeToggleForm(FlaskForm):
    """Offer (active=1) or withdraw (active=0) a session type."""

    active = HiddenField(validators=[AnyOf(["0", "1"])])
