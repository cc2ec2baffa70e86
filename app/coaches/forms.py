"""The coach's own profile forms: details, photo, payout details."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import IntegerField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange
from wtforms.widgets import CheckboxInput, ListWidget


class CheckboxesField(SelectMultipleField):
    """A multiple choice shown as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ProfileForm(FlaskForm):
    """What the coach may edit; choices are filled by the view from the catalogue."""

    headline = StringField("Headline", validators=[Length(max=160)])
    bio = TextAreaField("About you (Markdown)", validators=[Length(max=10_000)])
    specializations = CheckboxesField("Specializations", coerce=int, choices=[])
    languages = CheckboxesField("Languages you coach in", choices=[])
    years_experience = IntegerField(
        "Years of coaching experience", validators=[InputRequired(), NumberRange(min=0, max=70)]
    )
    timezone = StringField("Time zone", validators=[InputRequired(), Length(max=64)])


class PhotoForm(FlaskForm):
    """A photo upload (checked from its bytes by app.coaches.photos)."""

    photo = FileField("Photo (JPEG, PNG or WebP, up to 5 MB)")


class PayoutForm(FlaskForm):
    """Where the coach is paid."""

    holder_name = StringField("Account holder", validators=[InputRequired(), Length(max=140)])
    iban = StringField("IBAN", validators=[InputRequired(), Length(max=42)])
