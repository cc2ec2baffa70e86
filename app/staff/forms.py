"""Forms of the console's own pages (accounts)."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectMultipleField, StringField, TextAreaField, widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional

from app.accounts.models import Role
from app.core.forms import ConfirmForm as ConfirmForm  # the console's pages import it from here


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


ROLE_CHOICES = [SelectChoice(r.value, r.value.title()) for r in Role]  # tuples are deprecated in wtforms 3.3


class CreateUserForm(FlaskForm):
    """Admin creates an account."""

    email = EmailField("E-mail", validators=[DataRequired(), Email(), Length(max=254)])
    first_name = StringField("First name", validators=[Optional(), Length(max=80)])
    last_name = StringField("Last name", validators=[Optional(), Length(max=80)])
    password = PasswordField("Initial password", validators=[DataRequired(), Length(min=10, max=200)])
    roles = MultiCheckboxField("Roles", choices=ROLE_CHOICES, validators=[DataRequired()])


class RolesForm(FlaskForm):
    """Admin changes a user's roles."""

    roles = MultiCheckboxField("Roles", choices=ROLE_CHOICES)


class CloseAccountForm(FlaskForm):
    """Admin closes an account: why, and the account's address typed again."""

    reason = TextAreaField("Reason (kept in the audit log)", validators=[DataRequired(), Length(max=500)])
    confirm_email = StringField("Type the account's e-mail address to confirm", validators=[DataRequired()])
