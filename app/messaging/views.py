"""Messages pages: the inbox, a conversation, and writing to a coach."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from app.accounts.models import Role, User
from app.community.queries import flagged_by
from app.core.errors import NotFound, ServiceError
from app.core.security import login_required
from app.core.uploads import upload_from_request
from app.core.view_errors import service_errors
from app.extensions import db
from app.messaging import queries, services, threads
from app.messaging.forms import MessageForm, ThreadMessageForm
from app.moderation.models import TargetType
from app.notifications.live_state import live_state

bp = Blueprint("messaging", __name__, template_folder="templates", url_prefix="/messages")

THREAD_MESSAGES = 200


def _form_errors(form: MessageForm, exc: ServiceError) -> None:
    """The refusal beside its field: the file's reason beside the file, anything else beside the text."""
    about_file = getattr(form, "attachment", None) is not None and (
        "attachment" in exc.fields or "attachment_ids" in exc.fields
    )
    field = form.attachment if about_file else form.body
    reason = exc.fields.get("attachment") or exc.fields.get("attachment_ids") if about_file else exc.fields.get("body")
    field.errors = [*field.errors, reason or exc.message]


@bp.get("")
@login_required
def inbox():
    """The user's conversations, most recent first, with unread counts."""
    rows, _ = queries.inbox(current_user, limit=200)
    return render_template("messaging/inbox.html", rows=rows)


@bp.route("/<int:thread_id>", methods=["GET", "POST"])
@login_required
def thread(thread_id: int):
    """One conversation; opening it marks it read."""
    try:
        conversation = threads.readable_thread(thread_id, current_user)
    except NotFound:
        abort(404)
    form = ThreadMessageForm()
    status = 200
    if form.validate_on_submit():
        with service_errors(form, report=lambda exc: _form_errors(form, exc)) as outcome:
            upload = upload_from_request("attachment")
            services.send_message(conversation, current_user, form.body.data, form.client_msg_id.data, upload=upload)
            return redirect(url_for("messaging.thread", thread_id=thread_id, _anchor="latest"))
        status = outcome.status
    elif form.errors:
        status = 400
    services.mark_read(conversation, current_user)
    live_state()  # the stream cursor before the messages: what comes after is replayed, not missed
    messages, more = queries.messages_page(conversation, current_user, limit=THREAD_MESSAGES)
    other = db.session.get(User, conversation.other_id(current_user.id))
    flagged = flagged_by(current_user, TargetType.MESSAGE, [m.id for m in messages if m.sender_id != current_user.id])
    return render_template(
        "messaging/thread.html",
        thread=conversation,
        messages=messages,
        more=more,
        form=form,
        other=other,
        flagged=flagged,
        marks=queries.watermarks(conversation),
        open_for_writing=conversation.is_open_for_writing(current_app.config["MESSAGING_WRITE_DAYS"]),
    ), status


@bp.get("/booking/<int:booking_id>")
@login_required
def booking_thread(booking_id: int):
    """A session's conversation, reached from the booking page and the session lists."""
    found = threads.thread_of_booking(booking_id, current_user)
    if found is None:
        abort(404)
    return redirect(url_for("messaging.thread", thread_id=found.id))


@bp.route("/new/<int:coach_user_id>", methods=["GET", "POST"])
@login_required
def new(coach_user_id: int):
    """Write to a coach; continues your existing conversation if there is one."""
    coach_user = db.session.get(User, coach_user_id)
    if coach_user is None or not coach_user.has_role(Role.COACH):
        abort(404)
    existing = threads.enquiry_between(current_user, coach_user)
    if existing is not None:
        return redirect(url_for("messaging.thread", thread_id=existing.id))
    form = MessageForm()
    status = 200
    if form.validate_on_submit():
        with service_errors(form, report=lambda exc: _form_errors(form, exc)) as outcome:
            conversation = services.start_conversation(current_user, coach_user, form.body.data)
            flash("Message sent.", "success")
            return redirect(url_for("messaging.thread", thread_id=conversation.id))
        status = outcome.status
    elif form.errors:
        status = 400
    return render_template("messaging/new.html", form=form, coach_user=coach_user), status
