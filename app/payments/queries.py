"""Read-side queries of the finance console: filters, totals per currency, timeline, queue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

import sqlalchemy as sa
from flask import url_for
from sqlalchemy.orm import aliased, joinedload, load_only, raiseload

from app.accounts.models import User
from app.coaches.models import CoachProfile
from app.core.db import amount_bounds
from app.core.inputs import ascii_int, date_or_none
from app.core.models import AuditLog
from app.core.money import format_money, major_or_none
from app.extensions import db
from app.payments.bookkeeping import WebhookEvent, WebhookStatus
from app.payments.models import Payment, PaymentStatus, Refund, RefundStatus
from app.staff.inbox import InboxItem, QueueKeys, named, waiting_keys

DEFAULT_DAYS = 30  # the list opens on the last 30 days so it stays fast on millions of rows


@dataclass
class PaymentFilters:
    """The console's filters, as typed (kept for the form) and applied to a SELECT."""

    status: str = ""
    date_from: str = ""
    date_to: str = ""
    coach: str = ""
    client: str = ""
    amount_min: str = ""
    amount_max: str = ""
    refunded: str = ""  # "", yes, partly, full, no
    disputed: str = ""
    q: str = ""

    @classmethod
    def from_args(cls, args, zone) -> PaymentFilters:
        """From the query string; no date_from at all means the last DEFAULT_DAYS days."""
        values = {k: (args.get(k) or "").strip() for k in cls.__dataclass_fields__}
        if "date_from" not in args:
            values["date_from"] = (datetime.now(zone).date() - timedelta(days=DEFAULT_DAYS)).isoformat()
        return cls(**values)

    def errors(self) -> dict[str, str]:
        """{field: message} for typed values the list cannot use (they are left out of the filter)."""
        out = {}
        for name in ("amount_min", "amount_max"):
            if getattr(self, name) and not _is_amount(getattr(self, name)):
                out[name] = f"“{getattr(self, name)}” is not an amount; type one such as 25 or 25.50."
        for name in ("date_from", "date_to"):
            if getattr(self, name) and date_or_none(getattr(self, name)) is None:
                out[name] = f"“{getattr(self, name)}” is not a date; use the date picker (YYYY-MM-DD)."
        return out

    def as_args(self) -> dict:
        """The filters as query arguments (for links to the next page and the CSV)."""
        return {k: getattr(self, k) for k in self.__dataclass_fields__ if getattr(self, k) or k == "date_from"}


def list_loads() -> tuple:
    """Loader options of the payments list: the columns and people it shows, nothing else (any other
    attribute raises instead of loading lazily, one query per row)."""
    email = (load_only(User.id, User.email, raiseload=True), raiseload("*"))
    return (
        load_only(
            Payment.id,
            Payment.created_at,
            Payment.client_id,
            Payment.coach_id,
            Payment.amount,
            Payment.amount_refunded,
            Payment.currency,
            Payment.status,
            Payment.is_disputed,
            raiseload=True,
        ),
        joinedload(Payment.client).options(*email),
        joinedload(Payment.coach).options(
            load_only(CoachProfile.id, CoachProfile.user_id, raiseload=True),
            joinedload(CoachProfile.user).options(*email),
            raiseload("*"),
        ),
        raiseload("*"),
    )


def _is_amount(text: str) -> bool:
    """Whether the text reads as a non-negative amount ('0' too, which filters nothing)."""
    return text.strip() in ("0", "0.0", "0.00") or major_or_none(text) is not None


def local_day_start(text: str, zone) -> datetime | None:
    """Midnight of the typed day in the zone, or None for a missing or unreadable date."""
    day = date_or_none(text)  # unreadable or far-off dates are ignored, as the page says
    return datetime.combine(day, time.min, zone) if day else None


def _user_ids_like(f: PaymentFilters, text: str) -> list[int]:
    """Ids of users whose e-mail starts with the text, resolved first so payments use their indexes
    (ix_users_email_prefix serves lower(email) LIKE), once per filter: the page and its totals share it."""
    asked = f.__dict__.setdefault("_user_ids_like", {})
    if text not in asked:
        pattern = text.lower().replace("\\", "").replace("%", "").replace("_", "\\_") + "%"
        stmt = sa.select(User.id).where(sa.func.lower(User.email).like(pattern, escape="\\")).limit(1000)
        asked[text] = list(db.session.scalars(stmt))
    return asked[text]


def _coach_ids(user_ids: list[int]) -> list[int]:
    return (
        list(db.session.scalars(sa.select(CoachProfile.id).where(CoachProfile.user_id.in_(user_ids))))
        if user_ids
        else []
    )


def apply_filters(stmt: sa.Select, f: PaymentFilters, zone) -> sa.Select:
    """Narrow a SELECT over Payment by the filters (dates are the viewer's local days)."""
    if f.status in {s.value for s in PaymentStatus}:
        stmt = stmt.where(Payment.status == PaymentStatus(f.status))
    start = local_day_start(f.date_from, zone) if f.date_from else None
    if start:
        stmt = stmt.where(Payment.created_at >= start)
    end = local_day_start(f.date_to, zone) if f.date_to else None
    if end:
        stmt = stmt.where(Payment.created_at < end + timedelta(days=1))
    if f.coach:
        stmt = stmt.where(Payment.coach_id.in_(_coach_ids(_user_ids_like(f, f.coach))))
    if f.client:
        stmt = stmt.where(Payment.client_id.in_(_user_ids_like(f, f.client)))
    # In each payment's own currency, as one range that ix_payments_amount_scaled serves.
    stmt = stmt.where(*amount_bounds("payments", major_or_none(f.amount_min), major_or_none(f.amount_max)))
    if f.refunded == "no":
        stmt = stmt.where(Payment.amount_refunded == 0)
    elif f.refunded == "yes":
        stmt = stmt.where(Payment.amount_refunded > 0)
    elif f.refunded == "partly":
        stmt = stmt.where(Payment.amount_refunded > 0, Payment.amount_refunded < Payment.amount)
    elif f.refunded == "full":  # "> 0" as well (amounts are positive) so ix_payments_refunded serves it
        stmt = stmt.where(Payment.amount_refunded > 0, Payment.amount_refunded == Payment.amount)
    if f.disputed == "yes":
        stmt = stmt.where(Payment.is_disputed)  # not "IS true": ix_payments_disputed's predicate must match
    if f.q:
        q = f.q.lstrip("#")
        if ascii_int(q) is not None:
            stmt = stmt.where(Payment.id == ascii_int(q))
        elif q.startswith(("pi_", "ch_")):
            stmt = stmt.where(sa.or_(Payment.provider_intent_id == q, Payment.provider_charge_id == q))
        else:
            ids = _user_ids_like(f, q)
            stmt = stmt.where(sa.or_(Payment.client_id.in_(ids), Payment.coach_id.in_(_coach_ids(ids))))
    return stmt


def totals(f: PaymentFilters, zone, where=None) -> list:
    """Count, paid, refunded and net per currency for the filter (and `where`), computed in SQL."""
    stmt = (
        sa.select(
            Payment.currency,
            sa.func.count().label("count"),
            sa.func.coalesce(
                sa.func.sum(sa.case((Payment.status == PaymentStatus.SUCCEEDED, Payment.amount), else_=0)), 0
            ).label("paid"),
            sa.func.coalesce(sa.func.sum(Payment.amount_refunded), 0).label("refunded"),
        )
        .where(sa.true() if where is None else where)
        .group_by(Payment.currency)
        .order_by(Payment.currency)
    )
    return list(db.session.execute(apply_filters(stmt, f, zone)))


def csv_rows(f: PaymentFilters, zone):
    """Rows for the CSV export, streamed from the database in batches."""
    client, coach_user = aliased(User), aliased(User)
    stmt = (
        sa.select(
            Payment.id,
            Payment.created_at,
            Payment.status,
            Payment.amount,
            Payment.amount_refunded,
            Payment.currency,
            Payment.booking_id,
            client.email,
            coach_user.email,
            Payment.provider_intent_id,
            Payment.is_disputed,
        )
        .join(client, client.id == Payment.client_id)
        .join(CoachProfile, CoachProfile.id == Payment.coach_id)
        .join(coach_user, coach_user.id == CoachProfile.user_id)
        .order_by(Payment.created_at.desc(), Payment.id.desc())
    )
    return db.session.execute(apply_filters(stmt, f, zone).execution_options(yield_per=1000))


@dataclass
class TimelineEntry:
    """One thing that happened to a payment."""

    at: datetime
    kind: str
    text: str
    status: str = ""
    event_id: int | None = None


def timeline(payment: Payment) -> list[TimelineEntry]:
    """Intent, success/failure, refunds, disputes (from the audit log) and webhooks, oldest first."""
    refund_ids = [str(r.id) for r in payment.refunds]
    rows = db.session.scalars(
        sa.select(AuditLog).where(
            sa.or_(
                sa.and_(AuditLog.object_type == "payments", AuditLog.object_id == str(payment.id)),
                sa.and_(AuditLog.object_type == "refunds", AuditLog.object_id.in_(refund_ids)),
            )
        )
    )
    from app.payments.timeline_words import describe

    entries = []
    for row in rows:
        entries.append(TimelineEntry(row.created_at, "audit", describe(row, payment.currency)))
    for ev in db.session.scalars(sa.select(WebhookEvent).where(WebhookEvent.payment_id == payment.id)):
        text = f"Provider event {ev.type} ({ev.provider_event_id})" + (f": {ev.error}" if ev.error else "")
        entries.append(TimelineEntry(ev.received_at, "webhook", text, ev.status.value, ev.id))
    return sorted(entries, key=lambda e: e.at)


def approval_queue() -> list[Refund]:
    """Refunds awaiting a second approval, oldest first."""
    stmt = sa.select(Refund).where(Refund.status == RefundStatus.PENDING_APPROVAL).order_by(Refund.created_at)
    return list(db.session.scalars(stmt.limit(200)))


def failed_refunds() -> list[Refund]:
    """Refunds the provider refused or whose outcome is unknown, newest first."""
    stmt = sa.select(Refund).where(Refund.status.in_((RefundStatus.FAILED, RefundStatus.UNKNOWN)))
    return list(db.session.scalars(stmt.order_by(Refund.id.desc()).limit(200)))


def failed_webhooks() -> list[WebhookEvent]:
    """Webhook events whose processing failed, oldest first."""
    stmt = sa.select(WebhookEvent).where(WebhookEvent.status == WebhookStatus.FAILED).order_by(WebhookEvent.received_at)
    return list(db.session.scalars(stmt.limit(200)))


def _loader(model, item, *options):
    """load(ids) for the inbox: the shown rows of `model` as {id: InboxItem}, in one query."""

    def load(ids: list[int]) -> dict[int, InboxItem]:
        rows = db.session.scalars(sa.select(model).where(model.id.in_(ids)).options(*options))
        return {row.id: item(row) for row in rows}

    return load


def _refund_item(kind: str, refund: Refund) -> InboxItem:
    amount = format_money(refund.amount, refund.currency)
    if kind == "refund_approvals":
        who = refund.requested_by.full_name if refund.requested_by else "the system"
        note = f"requested by {who}; another finance user decides"
        detail = f"{amount} · {refund.reason.value.replace('_', ' ')}"
    else:
        note, detail = "", f"{amount} · {refund.status.value}: {refund.failure_message or 'no answer'}"
    return InboxItem(
        kind,
        f"Refund #{refund.id} of payment #{refund.payment_id}",
        detail,
        url_for("finance_staff.payment", payment_id=refund.payment_id),
        refund.created_at,
        holder_note=note,
        person=refund.payment.client,
    )


def _refunds_load(kind: str, ids: list[int]) -> dict[int, InboxItem]:
    loads = (named(Refund.requested_by), joinedload(Refund.payment).options(named(Payment.client)))
    return _loader(Refund, lambda r: _refund_item(kind, r), *loads)(ids)


def approvals_keys() -> QueueKeys:
    """The inbox's part: refunds awaiting a second approval."""
    return waiting_keys(Refund.id, Refund.created_at, Refund.status == RefundStatus.PENDING_APPROVAL)


def approvals_load(ids: list[int]) -> dict[int, InboxItem]:
    """The shown refunds awaiting approval, with who asked."""
    return _refunds_load("refund_approvals", ids)


def failed_refunds_keys() -> QueueKeys:
    """The inbox's part: refunds the provider refused or left unknown."""
    return waiting_keys(Refund.id, Refund.created_at, Refund.status.in_((RefundStatus.FAILED, RefundStatus.UNKNOWN)))


def failed_refunds_load(ids: list[int]) -> dict[int, InboxItem]:
    """The shown failed refunds, with the provider's answer."""
    return _refunds_load("failed_refunds", ids)


def failed_webhooks_keys() -> QueueKeys:
    """The inbox's part: webhook events whose processing failed."""
    return waiting_keys(WebhookEvent.id, WebhookEvent.received_at, WebhookEvent.status == WebhookStatus.FAILED)


def failed_webhooks_load(ids: list[int]) -> dict[int, InboxItem]:
    """The shown failed webhook events, with their error."""
    url = url_for("finance_staff.approvals")

    def item(e: WebhookEvent) -> InboxItem:
        detail = f"{e.provider_event_id}: {(e.error or '').strip()[:120]}"
        return InboxItem("failed_webhooks", f"Webhook {e.type}", detail, url, e.received_at)

    return _loader(WebhookEvent, item)(ids)


def reconciliation_keys() -> QueueKeys:
    """The inbox's part: open differences between our books and Stripe's."""
    from app.payments.bookkeeping import ReconciliationItem

    return waiting_keys(ReconciliationItem.id, ReconciliationItem.found_at, ReconciliationItem.resolved_at.is_(None))


def reconciliation_load(ids: list[int]) -> dict[int, InboxItem]:
    """The shown differences, ours beside Stripe's."""
    from app.payments.bookkeeping import ReconciliationItem

    def item(r: ReconciliationItem) -> InboxItem:
        return InboxItem(
            "reconciliation",
            f"Payment #{r.payment_id}: {r.kind.replace('_', ' ')}",
            f"ours {r.ours} · Stripe {r.theirs}",
            url_for("finance_staff.reconciliation_item", item_id=r.id),
            r.found_at,
        )

    return _loader(ReconciliationItem, item)(ids)
