"""Forms of the application wizard and the review page.

The fields carry no validators: validation lives in validation.py and the review services so that
the form and the API give the same messages; views copy a ValidationFailed's field messages onto
these fields. Validating a form on POST checks its CSRF token and its shape (a known decision).
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import FileField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.fields.core import Label
from wtforms.validators import AnyOf

from app.coaches.models import CertificationLevel
from app.core.forms import IdField
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
    certification_level = SelectField("Certification level", choices=LEVEL_CHOICES, validate_choice=False)
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
    currency = SelectField("Currency", choices=[SelectChoice(c) for c in CURRENCIES], validate_choice=False)
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


DECISION_LABELS = {"approve": "Approved", "reject": "Rejected", "request_info": "Information requested"}


class DecisionForm(FlaskForm):
    """A reviewer's decision on the whole application: one form a decision (approve, reject, request_info)."""

    decision = HiddenField(validators=[AnyOf(list(DECISION_LABELS))])
    reason = TextAreaField("Reason / message to the applicant")


class ReopenForm(FlaskForm):
    """Send a decided application back to the queue, with the reason."""

    reason = TextAreaField("Reason for reopening (audited)")


class ReleaseForm(FlaskForm):
    """Give the claim back; `beacon` when the page sent it on leaving (answered 204)."""

    beacon = HiddenField()


class ReassignForm(FlaskForm):
    """Hand the claim to another reviewer (a hand-rendered <select> of the reviewers)."""

    assignee_id = IdField()


class RetryChecksForm(FlaskForm):
    """Run the checks again; `back` is "queue" when the Retry button sat in the queue."""

    back = HiddenField()


class DocumentDecisionForm(FlaskForm):
    """Accept one document or ask for a re-upload with a reason."""

    decision = HiddenField()
    reason = StringField("Reason for a re-upload")


class NoteForm(FlaskForm):
    """A staff-only note."""

    note = TextAreaField("Note (staff only)")


class RejectionTemplateForm(FlaskForm):
    """Add a rejection template (no template_id) or edit one; the page shows one form per template."""

    template_id = IdField()
    title = StringField("Title", render_kw={"maxlength": 80, "required": True})
    body = TextAreaField("Text", render_kw={"rows": 3, "required": True})

    def place(self, prefix: str) -> RejectionTemplateForm:
        """Give the fields ids unique on the page ("new-title", "t7-body"); their names stay the same."""
        for field in (self.title, self.body):
            field.id = f"{prefix}-{field.short_name}"
            field.label = Label(field.id, field.label.text)
        return self

    def is_blank(self) -> bool:
        """Nothing typed: no title and no text."""
        return not (self.title.data or "").strip() and not (self.body.data or "").strip()


def apply_errors(form: FlaskForm, fields: dict) -> None:
    """Show a ValidationFailed's messages beside the matching form fields."""
    for name, message in fields.items():
        field = getattr(form, FIELD_ALIASES.get(name, name), None)
        if field is not None:
            field.errors = [message]
