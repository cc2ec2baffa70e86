"""Forms for groups, discussions, replies, edits and flags."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from app.moderation.models import FlagReason

FLAG_REASON_CHOICES = [
    SelectChoice(FlagReason.SPAM.value, "Spam"),
    SelectChoice(FlagReason.HARASSMENT.value, "Harassment"),
    SelectChoice(FlagReason.INAPPROPRIATE.value, "Inappropriate"),
    SelectChoice(FlagReason.OFF_TOPIC.value, "Off-topic"),
    SelectChoice(FlagReason.OTHER.value, "Something else (tell us)"),
]


class GroupForm(FlaskForm):
    """Start a group."""

    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=2000)])
    is_private = BooleanField("Private: members join on request, only members can read")


class DiscussionForm(FlaskForm):
    """Start a discussion."""

    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    body = TextAreaField("Text (Markdown)", validators=[DataRequired(), Length(max=20_000)])


class ReplyForm(FlaskForm):
    """Reply in a discussion."""

    body = TextAreaField("Your reply (Markdown)", validators=[DataRequired(), Length(max=20_000)])


class EditForm(FlaskForm):
    """Edit a post within the edit window."""

    title = StringField("Title", validators=[Optional(), Length(max=200)])
    body = TextAreaField("Text (Markdown)", validators=[DataRequired(), Length(max=20_000)])


class FlagForm(FlaskForm):
    """Flag a post, profile or message."""

    target_type = HiddenField(validators=[DataRequired()])
    target_id = IntegerField(validators=[DataRequired()])
    reason = RadioField("Reason", choices=FLAG_REASON_CHOICES, validators=[DataRequired()])
    note = TextAreaField("Note for the moderators", validators=[Optional(), Length(max=2000)])
    next = HiddenField()


def flag_form_for(target_type: str, target_id: int, next_url: str) -> FlagForm:
    """The flag form for one target, as the flag macro renders it (never bound to the request)."""
    return FlagForm(formdata=None, target_type=target_type, target_id=target_id, next=next_url)
