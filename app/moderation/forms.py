"""Moderators' forms: decisions, bulk decisions and settings."""

from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, NumberRange, Optional

from app.core.forms import IdListField

ACTION_CHOICES = [
    SelectChoice("hide", "Hide"),
    SelectChoice("remove", "Remove"),
    SelectChoice("edit", "Edit out a passage"),
    SelectChoice("keep", "Keep (dismiss the flags)"),
]
AUTHOR_CHOICES = [
    SelectChoice("", "No action on the author"),
    SelectChoice("warn", "Warn"),
    SelectChoice("suspend", "Suspend"),
    SelectChoice("ban", "Ban"),
]


class DecisionForm(FlaskForm):
    """Decide one item."""

    action = RadioField("Decision", choices=ACTION_CHOICES, validators=[DataRequired()])
    reason = TextAreaField("Reason (sent to the author)", validators=[Optional()])
    edited_body = TextAreaField("Edited text (for 'Edit out')", validators=[Optional()])
    author_action = SelectField("And the author", choices=AUTHOR_CHOICES, validators=[Optional()])
    suspend_days = IntegerField("Suspend for (days)", validators=[Optional(), NumberRange(min=1, max=365)])


class BulkForm(FlaskForm):
    """Decide the selected items alike."""

    item_ids = IdListField()
    action = SelectField("Decision for the selected items", choices=ACTION_CHOICES[:2] + ACTION_CHOICES[3:])
    reason = TextAreaField("Reason (sent to each author)", validators=[Optional()])
    author_action = SelectField("And their authors", choices=AUTHOR_CHOICES, validators=[Optional()])
    suspend_days = IntegerField("Suspend for (days)", validators=[Optional(), NumberRange(min=1, max=365)])


class SettingsForm(FlaskForm):
    """Watched words and the auto-hide threshold."""

    words = TextAreaField("Watched words (one per line)", validators=[Optional()])
    threshold = IntegerField("Auto-hide after this many flags from users in good standing",
                             validators=[DataRequired(), NumberRange(min=1, max=100)])  # fmt: skip
