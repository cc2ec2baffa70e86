"""Login, second factor, sign-up and token forms."""

from zoneinfo import available_timezones

from flask_wtf import FlaskForm
from wtforms import EmailField, IntegerField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

TIMEZONE_CHOICES = sorted(z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/")))


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class LoginForm(FlaskForm):
    """E-mail and password."""

    email = EmailField("E-mail", validators=[DataRequired(), Email()], filters=[_strip])
    password = PasswordField("Password", validators=[DataRequired()])


class CodeForm(FlaskForm):
    """A 6-digit authenticator code or a recovery code."""

    code = StringField(
        "Code",
        validators=[DataRequired(), Length(min=6, max=12)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True},
    )


class RegisterForm(FlaskForm):
    """Client sign-up."""

    first_name = StringField("First name", validators=[DataRequired(), Length(max=80)])
    last_name = StringField("Last name", validators=[DataRequired(), Length(max=80)])
    email = EmailField("E-mail", validators=[DataRequired(), Email(), Length(max=254)], filters=[_strip])
    timezone = SelectField("Time zone", choices=[SelectChoice(z) for z in ["UTC", *TIMEZONE_CHOICES]], default="UTC")
    password = PasswordField(
        "Password",
        validators=[DataRequired(), Length(min=10, max=200, message="Use between 10 and 200 characters.")],
    )
    confirm = PasswordField("Repeat password", validators=[DataRequired(), EqualTo("password", "Passwords differ.")])


class TokenForm(FlaskForm):
    """Name a new personal access token."""

    name = StringField("Token name", validators=[DataRequired(), Length(max=80)])
    scopes = SelectMultipleField(
        "Scopes", default=["read", "write"], widget=ListWidget(prefix_label=False), option_widget=CheckboxInput()
    )
    days = IntegerField("Expires after (days)", validators=[Optional(), NumberRange(min=1, max=366)])
