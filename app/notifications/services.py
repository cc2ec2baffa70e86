"""Notifying users, marking notifications read, and the delayed mail that may follow one.

One unread notification per subject: a second event on the same subject updates the unread row
(its count, title, time) instead of adding one. Each change adds a `notification` or
`notifications.read` event to the user's stream, so every open tab's bell follows.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from app.accounts.models import User
from app.core.db import utcnow
from app.core.effects import on_commit, transaction
from app.core.errors import NotFound
from app.core.ids import fits
from app.core.jobs import jobs
from app.core.mail import queue_mail
from app.extensions import db
from app.notifications import push
from app.notifications.models import MailState, Notification
from app.notifications.preferences import mail_refusal
from app.realtime import events

log = logging.getLogger(__name__)
EventItems = list[tuple[int, str, dict]]


def notification_json(n: Notification) -> dict:
    """A notification as the stream and the API show it."""
    return {
        "id": n.id,
        "kind": n.kind,
        "title": n.title,
        "body": n.body,
        "link": n.link,
        "count": n.count,
        "updated_at": n.updated_at.isoformat(),
        "unread": n.is_unread,
    }


def unread_count(user_id: int) -> int:
    """The user's unread notifications (the bell's number)."""
    return db.session.scalar(
        sa.select(sa.func.count(Notification.id)).where(Notification.user_id == user_id, Notification.read_at.is_(None))
    )


def _emit(items: EventItems, out: EventItems | None) -> None:
    if out is None:
        events.append_many(items)
    else:
        out.extend(items)


def notify(
    user_id: int,
    kind: str,
    subject_key: str,
    title: str,
    link: str,
    body: str = "",
    *,
    mailed_elsewhere: str | None = None,
    events_out=None,
) -> Notification:
    """Tell a user about something; joins the caller's transaction (flushes only).

    The unread notification of the same subject is updated (count + 1) rather than duplicated; a
    new one schedules its mail for NOTIFY_MAIL_DELAY_SECONDS later (sent only if still unread).
    `mailed_elsewhere` names the mail already sent for the event (a booking confirmation with
    its calendar file): then none follows, and that is the recorded reason. Pass `events_out` to collect the stream event instead of appending it (a caller that appends
    its own events must append once per transaction)."""
    now = utcnow()
    row = db.session.scalar(  # the unread one of this subject, counted up in one statement (if any)
        sa.update(Notification)
        .where(Notification.user_id == user_id, Notification.subject_key == subject_key, Notification.read_at.is_(None))
        .values(count=Notification.count + 1, kind=kind, title=title, body=body, link=link, updated_at=now)
        .returning(Notification)
        .execution_options(populate_existing=True, synchronize_session=False)
    )
    if row is None:
        delay = timedelta(seconds=current_app.config["NOTIFY_MAIL_DELAY_SECONDS"])
        row = Notification(
            user_id=user_id,
            kind=kind,
            subject_key=subject_key,
            title=title,
            body=body,
            link=link,
            created_at=now,
            updated_at=now,
            mail_state=MailState.SUPPRESSED if mailed_elsewhere else MailState.PENDING,
            mail_due_at=None if mailed_elsewhere else now + delay,
            mail_note=f"mailed directly: {mailed_elsewhere}" if mailed_elsewhere else "",
        )
        db.session.add(row)
        try:
            with db.session.begin_nested():
                db.session.flush()
        except sa.exc.IntegrityError:  # a concurrent notify created it first: update that one
            return notify(
                user_id, kind, subject_key, title, link, body, mailed_elsewhere=mailed_elsewhere, events_out=events_out
            )
        if row.mail_state is MailState.PENDING:
            on_commit(_schedule_mail, row.id, row.mail_due_at)
    payload = {"notification": notification_json(row), "unread": unread_count(user_id)}
    _emit([(user_id, "notification", payload)], events_out)
    push.schedule(row)
    return row


def _schedule_mail(notification_id: int, due) -> None:
    """Ask the job queue to decide the mail when it is due; if it cannot, the sweep will."""
    try:
        jobs().enqueue("workers.notifications.mail_notification", notification_id, queue="mail", at=due)
    except Exception:  # noqa: BLE001 - Redis down: `flask notifications send-due` picks it up
        log.warning("could not schedule the mail of notification %s; the sweep sends it", notification_id)


def _read(user_id: int, rows: list[Notification], events_out=None) -> int:
    now = utcnow()
    for row in rows:
        row.read_at = now
    if rows:
        db.session.flush()
        payload = {"ids": [r.id for r in rows], "unread": unread_count(user_id)}
        _emit([(user_id, "notifications.read", payload)], events_out)
    return len(rows)


def _unread(user_id: int, *conditions) -> list[Notification]:
    return list(
        db.session.scalars(
            sa.select(Notification)
            .where(Notification.user_id == user_id, Notification.read_at.is_(None), *conditions)
            .order_by(Notification.id)
            .with_for_update()
        )
    )


def own_notification(user: User, notification_id) -> Notification:
    """The user's notification; NotFound for anybody else's."""
    row = db.session.get(Notification, notification_id) if fits(notification_id) else None
    if row is None or row.user_id != user.id:
        raise NotFound("No such notification.")
    return row


def mark_read(user: User, notification_id: int) -> Notification:
    """Mark one of the user's notifications read."""
    with transaction():
        row = own_notification(user, notification_id)
        _read(user.id, _unread(user.id, Notification.id == row.id))
    return row


def mark_all_read(user: User) -> int:
    """Mark every unread notification of the user read; how many."""
    with transaction():
        return _read(user.id, _unread(user.id))


def mark_subject_read(user_id: int, subject_key: str, events_out=None) -> int:
    """The subject was seen elsewhere (the thread was read): its notification is read too.
    Joins the caller's transaction."""
    return _read(user_id, _unread(user_id, Notification.subject_key == subject_key), events_out)


def send_mail(notification_id: int, now=None) -> MailState | None:
    """Mail a notification that is due and still unread, once; otherwise record why not.

    Safe to run any number of times (the job, its retries, the clock's sweep): the row is locked
    and its mail state decided only while PENDING."""
    with transaction():
        row = db.session.get(Notification, notification_id, with_for_update=True)
        if row is None or row.mail_state is not MailState.PENDING:
            return row.mail_state if row else None
        if row.mail_due_at and row.mail_due_at > (now or utcnow()):
            return row.mail_state  # not due yet: the sweep sends it later
        user = db.session.get(User, row.user_id)
        reason = "read before the mail was due" if row.read_at else mail_refusal(user, row.kind)
        if reason:
            row.mail_state, row.mail_note = MailState.SUPPRESSED, reason
        else:
            queue_mail(
                user.email,
                "notification",
                row.title,
                {
                    "user": user,
                    "notification": row,
                    "url": current_app.config["PUBLIC_BASE_URL"].rstrip("/") + row.link,
                },
            )
            row.mail_state, row.mail_note = MailState.SENT, "sent"
        return row.mail_state


def send_due_mails(now=None) -> int:
    """The sweep (every minute): decide each due pending mail; how many were decided."""
    now = now or utcnow()
    due = db.session.scalars(
        sa.select(Notification.id)
        .where(Notification.mail_state == MailState.PENDING, Notification.mail_due_at <= now)
        .order_by(Notification.id)
        .limit(500)
    ).all()
    db.session.rollback()
    for notification_id in due:
        send_mail(notification_id, now)
    return len(due)
