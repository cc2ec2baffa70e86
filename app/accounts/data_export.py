"""A user's own data as JSON (settings → Your data): account, sign-in, bookings, payments, messages (with
their files' names), push subscriptions, posts."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

import sqlalchemy as sa

from app.accounts.models import ApiToken, OidcIdentity, User
from app.accounts.sessions import active_sessions
from app.booking.models import Booking
from app.community.models import Discussion, Reply
from app.extensions import db
from app.messaging.models import Message
from app.notifications.models import PushSubscription
from app.payments.models import Payment


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _rows(model, *where, order=None) -> list:
    return db.session.scalars(sa.select(model).where(*where).order_by(order or model.id)).all()


def export_my_data(user: User) -> dict:
    """Everything the site keeps about the user that is theirs to take, in one JSON-ready dict."""
    return {
        "account": {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "phone": user.phone,
            "timezone": user.timezone,
            "roles": sorted(user.roles),
            "created_at": _when(user.created_at),
            "last_login_at": _when(user.last_login_at),
            "mails_turned_off": user.muted_mails,
            "two_step_login_since": _when(user.totp_enabled_at),
        },
        "sign_in_identities": [
            {"issuer": i.issuer, "email": i.email, "linked_at": _when(i.created_at)}
            for i in _rows(OidcIdentity, OidcIdentity.user_id == user.id)
        ],
        "api_tokens": [
            {
                "name": t.name,
                "starts_with": t.prefix,
                "created_at": _when(t.created_at),
                "revoked_at": _when(t.revoked_at),
            }
            for t in _rows(ApiToken, ApiToken.user_id == user.id)
        ],
        "sessions": [
            {"browser": s.user_agent, "address": s.ip_address, "signed_in_at": _when(s.created_at)}
            for s in active_sessions(user)
        ],
        "bookings": [
            {
                "id": b.id,
                "coach": b.coach.user.full_name,
                "starts_at": _when(b.starts_at),
                "ends_at": _when(b.ends_at),
                "status": b.status.value,
                "amount": b.amount,
                "currency": b.currency,
            }
            for b in _rows(Booking, Booking.client_id == user.id)
        ],
        "payments": [
            {
                "booking_id": p.booking_id,
                "amount": p.amount,
                "amount_refunded": p.amount_refunded,
                "currency": p.currency,
                "status": p.status.value,
                "paid_at": _when(p.succeeded_at),
            }
            for p in _rows(Payment, Payment.client_id == user.id)
        ],
        "messages_sent": [
            {
                "thread_id": m.thread_id,
                "sent_at": _when(m.created_at),
                "body": m.body,
                "attachments": [
                    {"filename": a.filename, "content_type": a.content_type, "size": a.size_bytes}
                    for a in m.attachments
                ],  # the files themselves download from the conversation
            }
            for m in _rows(Message, Message.sender_id == user.id)
        ],
        "push_subscriptions": [
            {
                "push_service": urlsplit(p.endpoint).hostname,
                "turned_on_at": _when(p.created_at),
                "last_pushed_at": _when(p.last_sent_at),
            }
            for p in _rows(PushSubscription, PushSubscription.user_id == user.id)
        ],
        "community_posts": [
            {"kind": kind, "id": post.id, "written_at": _when(post.created_at), "body": post.body_md}
            for kind, model in (("discussion", Discussion), ("reply", Reply))
            for post in _rows(model, model.author_id == user.id)
        ],
    }
