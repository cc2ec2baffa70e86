"""Forms of the application wizard and the review page.

The fields carry no validators: validation lives in validation.py so that the form and the API
give the same messages; views copy a ValidationFailed's field messages onto these fields.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import FileField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from app.coaches.models import CertificationLevel
from app.verification.validation import CURRENCIES

LEVEL_CHOICES = [SelectChoice("", "Choose…")] + [
    SelectChoice(lvl.value, lvl.value.title()) for lvl in CertificationLevel
]


class PersonalForm(FlaskForm):
    """Step 1."""

    first_name = StringField("First name", render_kw={"autocomplete": "given-name"})
    last_name = StringField("Last name", render_kw={"autocomplete": "family-name"})
    phone = StringField("Phone", render_kw={"autocomplete": "tel", "type": "tel"})


class CertificationForm(FlaskForm):
    """Step 2."""

    ipec_number = StringField("iPEC certification number", render_kw={"placeholder": "IPEC-123456"})
    certification_level = SelectField("Certification level", choices=LEVEL_CHOICES)
    certification_date = StringField("Certification date", render_kw={"type": "date"})
    certificate = FileField("Certificate (PDF, PNG or JPEG, up to 10 MB)", render_kw={"accept": ".pdf,.png,.jpg,.jpeg"})


class ExperienceForm(FlaskForm):
    """Step 3."""

    years_experience = StringField("Years of coaching experience", render_kw={"type": "number", "min": 0, "max": 60})
    specializations = StringField("Specializations (comma separated)", render_kw={"placeholder": "career, leadership"})
    previous_coaching = TextAreaField("Previous coaching work")
    other_certifications = TextAreaField("Other certifications")


class BusinessForm(FlaskForm):
    """Step 4."""

    hourly_rate_major = StringField("Hourly rate", render_kw={"inputmode": "decimal", "placeholder": "90.00"})
    currency = SelectField("Currency", choices=[SelectChoice(c) for c in CURRENCIES])
    availability_summary = TextAreaField("Availability (summary)")
    languages = StringField("Languages (two-letter codes, comma separated)", render_kw={"placeholder": "en, de"})
    services = TextAreaField("Services you offer")
    bio = TextAreaField("Short bio")


STEP_FORMS = {1: PersonalForm, 2: CertificationForm, 3: ExperienceForm, 4: BusinessForm}
# Service field name -> form field name, where they differ.
FIELD_ALIASES = {"hourly_rate": "hourly_rate_major"}


class AnswerForm(FlaskForm):
    """The applicant's answer to a request for information."""

    answer = TextAreaField("Your answer")
    certificate = FileField("Replacement certificate (optional; PDF, PNG or JPEG)")


class DecisionForm(FlaskForm):
    """A reviewer's decision on the whole application."""

    decision = HiddenField()
    reason = TextAreaField("Reason / message to the applicant")


class NoteForm(FlaskForm):
    """A staff-only note."""

    note = TextAreaField("Note (staff only)")


def apply_errors(form: FlaskForm, fields: dict) -> None:
    """Show a ValidationFailed's messages beside the matching form fields."""
    for name, message in fields.items():
        field = getattr(form, FIELD_ALIASES.get(name, name), None)
        if field is not None:
            field.errors = [message]
