"""The applicant's pages: the four-step wizard, submission, status and history, answering."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.core.errors import InvalidState, ValidationFailed
from app.core.forms import require_confirm_form, require_valid
from app.core.money import plain
from app.core.security import login_required, public
from app.core.uploads import upload_from_request
from app.verification import queries, services
from app.verification.forms import STEP_FORMS, AnswerForm, apply_errors
from app.verification.models import ApplicationStatus
from app.verification.validation import STEPS, application_values

bp = Blueprint("verification", __name__, url_prefix="/become-a-coach", template_folder="templates")


def _form_values(application) -> dict:
    """Saved answers in the form's shape: the validators' values with lists joined and the rate in major units."""
    if application is None:
        return {"first_name": current_user.first_name, "last_name": current_user.last_name}
    values = application_values(application)
    amount = application.hourly_rate_amount
    return {
        **values,
        "specializations": ", ".join(values["specializations"]),
        "languages": ", ".join(values["languages"]),
        "hourly_rate_major": "" if amount is None else plain(amount, values["currency"] or "EUR"),
        "currency": values["currency"] or "EUR",
    }


@bp.get("/")
@public
def apply():
    """Start or resume the application; visitors are told what it takes and asked to log in."""
    if not current_user.is_authenticated:
        return render_template("verification/apply_intro.html")
    latest = services.latest_application(current_user)
    if latest is None or latest.status == ApplicationStatus.DRAFT:
        return redirect(url_for(".step", number=latest.step if latest else 1))
    if latest.status == ApplicationStatus.REJECTED and services.reapply_blocked_until(current_user) is None:
        return redirect(url_for(".step", number=1))
    return redirect(url_for(".status"))


@bp.route("/step/<int:number>", methods=["GET", "POST"])
@login_required
def step(number: int):
    """One wizard step; saving it keeps the progress so the applicant can resume later."""
    if number not in STEPS:
        return redirect(url_for(".step", number=1))
    latest = services.latest_application(current_user)
    draft = latest if latest is not None and latest.status == ApplicationStatus.DRAFT else None
    if latest is not None and draft is None and request.method == "GET":
        if latest.status != ApplicationStatus.REJECTED or services.reapply_blocked_until(current_user):
            return redirect(url_for(".status"))
    reached = draft.step if draft else 1
    if number > reached:
        return redirect(url_for(".step", number=reached))
    form_cls = STEP_FORMS[number]
    status = 200
    if request.method == "POST":
        form = require_valid(form_cls())  # its token: the step's rules are the service's (validation.py)
        try:
            services.save_step(current_user, number, request.form.to_dict(), upload_from_request("certificate"))
        except ValidationFailed as exc:
            apply_errors(form, exc.fields)
            flash(exc.message, "error")
            status = 400
        except InvalidState as exc:
            flash(exc.message, "error")
            return redirect(url_for(".status"))
        else:
            if number < 4:
                return redirect(url_for(".step", number=number + 1))
            return redirect(url_for(".submit"))
    else:
        # A rejected applicant starting again sees their earlier answers.
        earlier = latest if latest is not None and latest.status == ApplicationStatus.REJECTED else None
        form = form_cls(data=_form_values(draft or earlier))
    document = services.current_document(draft) if draft else None
    return (
        render_template(
            "verification/step.html", form=form, number=number, steps=STEPS, reached=reached, document=document
        ),
        status,
    )


@bp.route("/submit", methods=["GET", "POST"])
@login_required
def submit():
    """Check the answers once more, then submit."""
    draft = services.latest_application(current_user)
    if draft is None or draft.status != ApplicationStatus.DRAFT:
        return redirect(url_for(".apply"))
    if request.method == "POST":
        require_confirm_form()
        try:
            services.submit_application(current_user)
        except ValidationFailed as exc:
            flash(exc.message + " " + " ".join(exc.fields.values()), "error")
            return redirect(url_for(".step", number=min(draft.step, 4)))
        flash("Thank you: your application is submitted. We will write to you.", "success")
        return redirect(url_for(".status"))
    return render_template(
        "verification/submit.html", application=draft, steps=STEPS, document=services.current_document(draft)
    )


@bp.get("/status")
@login_required
def status():
    """The latest application's status, history and (if asked) the answer form."""
    application = services.latest_application(current_user)
    if application is None:
        return redirect(url_for(".apply"))
    return _status_page(application, AnswerForm())


def _status_page(application, form: AnswerForm, status: int = 200):
    return (
        render_template(
            "verification/status.html",
            application=application,
            events=queries.history(application, staff=False),
            form=form,
            blocked_until=services.reapply_blocked_until(current_user),
            wait_days=current_app.config["REAPPLY_WAIT_DAYS"],
        ),
        status,
    )


@bp.post("/answer")
@login_required
def answer():
    """Answer a request for more information, optionally with a replacement file."""
    application = services.latest_application(current_user)
    if application is None:
        return redirect(url_for(".apply"))
    form = require_valid(AnswerForm())
    try:
        services.answer_information_request(
            current_user, application.id, form.answer.data or "", upload_from_request("certificate")
        )
    except ValidationFailed as exc:
        apply_errors(form, exc.fields)
        return _status_page(application, form, 400)
    except InvalidState as exc:
        flash(exc.message, "error")
        return redirect(url_for(".status"))
    flash("Thanks, your answer is with our verification team.", "success")
    return redirect(url_for(".status"))
