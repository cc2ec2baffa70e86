"""Forms of the account settings pages: name and time zone, password, e-mail, mail preferences."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField, ValidationError
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length

from app.accounts.forms import TIMEZONE_CHOICES
from app.accounts.models import OPTIONAL_MAILS
from app.staff.forms import MultiCheckboxField

KNOWN_ZONES = frozenset(["UTC", *TIMEZONE_CHOICES])
PASSWORD_LENGTH = Length(min=10, max=200, message="Use between 10 and 200 characters.")


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def form_status(form, outcome=None) -> tuple[int, dict]:
    """The status (and Retry-After) of a form page shown again: the service's error, 400 for field errors, else 200."""
    if outcome is not None and outcome.failed:
        return outcome.status, outcome.headers
    return (400 if form.errors else 200), {}


def _known_zone(form, field) -> None:
    if field.data not in KNOWN_ZONES:
        raise ValidationError("Pick a time zone from the list, e.g. Europe/Berlin.")


class ProfileForm(FlaskForm):
    """Name and time zone (typed into a search box backed by the list of IANA zones)."""

    first_name = StringField("First name", validators=[DataRequired(), Length(max=80)], filters=[_strip])
    last_name = StringField("Last name", validators=[DataRequired(), Length(max=80)], filters=[_strip])
    timezone = StringField(
        "Time zone",
        validators=[DataRequired(), _known_zone],
        filters=[_strip],
        render_kw={"list": "timezones", "autocomplete": "off", "spellcheck": "false"},
    )


class NewPasswordForm(FlaskForm):
    """A new password, twice (the reset link's form)."""

    password = PasswordField(
        "New password", validators=[DataRequired(), PASSWORD_LENGTH], render_kw={"autocomplete": "new-password"}
    )
    confirm = PasswordField(
        "Repeat new password",
        validators=[DataRequired(), EqualTo("password", "Passwords differ.")],
        render_kw={"autocomplete": "new-password"},
    )


class PasswordChangeForm(NewPasswordForm):
    """The current password, then the new one twice."""

    current_password = PasswordField(
        "Current password", validators=[DataRequired()], render_kw={"autocomplete": "current-password"}
    )


class EmailChangeForm(FlaskForm):
    """The new address and the current password."""

    email = EmailField("New e-mail address", validators=[DataRequired(), Email(), Length(max=254)], filters=[_strip])
    current_password = PasswordField(
        "Current password", validators=[DataRequired()], render_kw={"autocomplete": "current-password"}
    )


class NotificationsForm(FlaskForm):
    """Which optional mails to receive."""

    wanted = MultiCheckboxField(
        "Mails I want", choices=[SelectChoice(k, label) for k, label in OPTIONAL_MAILS.items()], validate_choice=True
    )


class DeleteAccountForm(FlaskForm):
    """The address typed again, and the password when the account has one."""

    confirm_email = StringField("Your e-mail address", validators=[DataRequired()], filters=[_strip])
    password = PasswordField("Password", render_kw={"autocomplete": "current-password"})
