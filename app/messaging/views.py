"""Messages pages: the inbox, a conversation, and writing to a coach."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy.orm import aliased

from app.accounts.models import Role, User
from app.community.queries import flagged_by
from app.core.errors import ServiceError
from app.core.security import login_required
from app.core.view_errors import service_errors
from app.extensions import db
from app.messaging import services
from app.messaging.forms import MessageForm
from app.messaging.models import Message, MessageThread
from app.moderation.models import TargetType

bp = Blueprint("messaging", __name__, template_folder="templates", url_prefix="/messages")

THREAD_MESSAGES = 200


def _form_errors(form: MessageForm, exc: ServiceError) -> None:
    form.body.errors = [*form.body.errors, exc.fields.get("body", exc.message)]


@bp.get("")
@login_required
def inbox():
    """The user's conversations, most recent first, with unread counts (one query)."""
    other = aliased(User)
    unread = (
        sa.select(sa.func.count())
        .select_from(Message)
        .where(
            Message.thread_id == MessageThread.id, Message.recipient_id == current_user.id, Message.read_at.is_(None)
        )
        .scalar_subquery()
    )
    other_id = sa.case(
        (MessageThread.client_id == current_user.id, MessageThread.coach_user_id), else_=MessageThread.client_id
    )
    rows = db.session.execute(
        sa.select(MessageThread, other, unread.label("unread"))
        .join(other, other.id == other_id)
        .where(sa.or_(MessageThread.client_id == current_user.id, MessageThread.coach_user_id == current_user.id))
        .order_by(MessageThread.last_message_at.desc().nulls_last(), MessageThread.id.desc())
        .limit(200)
    ).all()
    return render_template("messaging/inbox.html", rows=rows)


@bp.route("/<int:thread_id>", methods=["GET", "POST"])
@login_required
def thread(thread_id: int):
    """One conversation; opening it marks the messages to you as read."""
    conversation = db.session.get(MessageThread, thread_id)
    if conversation is None or not services.is_participant(conversation, current_user):
        abort(404)
    form = MessageForm()
    status = 200
    if form.validate_on_submit():
        with service_errors(form, report=lambda exc: _form_errors(form, exc)) as outcome:
            services.send_message(conversation, current_user, form.body.data)
            return redirect(url_for("messaging.thread", thread_id=thread_id, _anchor="latest"))
        status = outcome.status
    elif form.errors:
        status = 400
    services.mark_read(conversation, current_user)
    messages = db.session.scalars(
        sa.select(Message)
        .where(Message.thread_id == thread_id, Message.is_hidden.is_(False))
        .order_by(Message.id.desc())
        .limit(THREAD_MESSAGES)
    ).all()[::-1]
    other_id = conversation.coach_user_id if current_user.id == conversation.client_id else conversation.client_id
    flagged = flagged_by(current_user, TargetType.MESSAGE, [m.id for m in messages if m.sender_id != current_user.id])
    return render_template(
        "messaging/thread.html",
        thread=conversation,
        messages=messages,
        form=form,
        other=db.session.get(User, other_id),
        flagged=flagged,
    ), status


@bp.route("/new/<int:coach_user_id>", methods=["GET", "POST"])
@login_required
def new(coach_user_id: int):
    """Write to a coach; continues your existing conversation if there is one."""
    coach_user = db.session.get(User, coach_user_id)
    if coach_user is None or not coach_user.has_role(Role.COACH):
        abort(404)
    existing = services.thread_between(current_user, coach_user)
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
