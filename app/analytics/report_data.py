"""Plain-data gathering for the report builders in reports/ (all sums and counts in SQL)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app

from app.accounts.models import User
from app.analytics.metrics import Filters, count_when
from app.analytics.metrics_money import _gross_rows
from app.analytics.metrics_people import DECIDED, _percentile_series
from app.analytics.periods import Window, as_date
from app.coaches.models import CoachProfile
from app.core.db import utcnow
from app.core.errors import ValidationFailed
from app.extensions import db
from app.moderation.models import ActionKind, Flag, FlagStatus, ModerationAction, ModerationItem
from app.payments.models import Payment, Refund, RefundStatus
from app.verification.models import ApplicationStatus, CoachApplication

_PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def month_window(period: str, tz: str | None = None) -> Window:
    """The whole month 'YYYY-MM' as a one-period window in the reporting zone."""
    match = _PERIOD.match(period or "")
    if not match:
        raise ValidationFailed("period must look like 2026-10.", fields={"period": "Use YYYY-MM."})
    first = date(int(match.group(1)), int(match.group(2)), 1)
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return Window(first, last, "month", tz or current_app.config.get("DEFAULT_TIMEZONE") or "UTC")


def _in(window: Window, col) -> list:
    return [col >= window.start_utc, col < window.end_utc]


def _base(window: Window, period: str) -> dict:
    return {"period": period, "timezone": window.tz, "generated_at": utcnow().strftime("%Y-%m-%d %H:%M UTC")}


def _coach_name():
    return sa.func.trim(User.first_name + " " + User.last_name)


def finance_data(period: str, tz: str | None = None) -> dict:
    """Volume, refunds, fees and net per currency; daily volume; payouts due per coach; disputes."""
    w = month_window(period, tz)
    paid = [Payment.succeeded_at.is_not(None), *_in(w, Payment.succeeded_at)]
    refunded = [Refund.status == RefundStatus.SUCCEEDED, *_in(w, Refund.succeeded_at)]
    pay = {
        r.currency: r
        for r in db.session.execute(
            sa.select(Payment.currency, sa.func.count(Payment.id).label("n"), sa.func.sum(Payment.amount).label("gross"),
                      sa.func.coalesce(sa.func.sum(Payment.fee_amount), 0).label("fees"))
            .where(*paid).group_by(Payment.currency)
        )
    }  # fmt: skip
    ref = {
        r.currency: r
        for r in db.session.execute(
            sa.select(Refund.currency, sa.func.count(Refund.id).label("n"), sa.func.sum(Refund.amount).label("total"))
            .where(*refunded).group_by(Refund.currency)
        )
    }  # fmt: skip
    totals = []
    for cur in sorted(set(pay) | set(ref)):
        gross = int(pay[cur].gross) if cur in pay else 0
        refunds = int(ref[cur].total) if cur in ref else 0
        totals.append({"currency": cur, "payments": pay[cur].n if cur in pay else 0, "gross": gross,
                       "refunds": refunds, "refund_count": ref[cur].n if cur in ref else 0,
                       "fees": int(pay[cur].fees) if cur in pay else 0, "net": gross - refunds})  # fmt: skip
    daily = [
        {"day": as_date(r.period).isoformat(), "currency": r.key, "gross": int(r.value)}
        for r in _gross_rows(w.with_granularity("day"), Filters())
    ]
    gross_by = (
        sa.select(Payment.coach_id, Payment.currency, sa.func.sum(Payment.amount).label("gross"),
                  sa.func.coalesce(sa.func.sum(Payment.fee_amount), 0).label("fees"))
        .where(*paid).group_by(Payment.coach_id, Payment.currency).subquery()
    )  # fmt: skip
    refunds_by = (
        sa.select(Payment.coach_id, Refund.currency, sa.func.sum(Refund.amount).label("refunds"))
        .join(Payment, Payment.id == Refund.payment_id)
        .where(*refunded).group_by(Payment.coach_id, Refund.currency).subquery()
    )  # fmt: skip
    keys = sa.union(
        sa.select(gross_by.c.coach_id, gross_by.c.currency), sa.select(refunds_by.c.coach_id, refunds_by.c.currency)
    ).subquery()
    payout_rows = db.session.execute(
        sa.select(keys.c.coach_id, keys.c.currency, _coach_name().label("coach"),
                  sa.func.coalesce(gross_by.c.gross, 0).label("gross"), sa.func.coalesce(gross_by.c.fees, 0).label("fees"),
                  sa.func.coalesce(refunds_by.c.refunds, 0).label("refunds"))
        .select_from(keys)
        .join(CoachProfile, CoachProfile.id == keys.c.coach_id)
        .join(User, User.id == CoachProfile.user_id)
        .outerjoin(gross_by, sa.and_(gross_by.c.coach_id == keys.c.coach_id, gross_by.c.currency == keys.c.currency))
        .outerjoin(refunds_by, sa.and_(refunds_by.c.coach_id == keys.c.coach_id, refunds_by.c.currency == keys.c.currency))
        .order_by(keys.c.currency, keys.c.coach_id)
    )  # fmt: skip
    payouts = [
        {"coach_id": r.coach_id, "coach": r.coach, "currency": r.currency, "gross": int(r.gross),
         "refunds": int(r.refunds), "fees": int(r.fees), "payout": int(r.gross) - int(r.refunds) - int(r.fees)}
        for r in payout_rows
    ]  # fmt: skip
    disputes = [
        {"payment_id": r.id, "coach": r.coach, "amount": int(r.amount), "currency": r.currency,
         "paid_at": r.succeeded_at.strftime("%Y-%m-%d") if r.succeeded_at else ""}
        for r in db.session.execute(
            sa.select(Payment.id, Payment.amount, Payment.currency, Payment.succeeded_at, _coach_name().label("coach"))
            .join(CoachProfile, CoachProfile.id == Payment.coach_id).join(User, User.id == CoachProfile.user_id)
            .where(Payment.is_disputed.is_(True), *_in(w, Payment.created_at)).order_by(Payment.id)
        )
    ]  # fmt: skip
    return {**_base(w, period), "totals": totals, "daily": daily, "payouts": payouts, "disputes": disputes}


def verification_data(period: str, tz: str | None = None) -> dict:
    """Applications received, decisions, time to decision, waiting at month end, reviewers' workload."""
    w = month_window(period, tz)
    received = db.session.scalar(
        sa.select(sa.func.count(CoachApplication.id)).where(*_in(w, CoachApplication.submitted_at))
    )
    decided = [CoachApplication.status.in_(DECIDED), *_in(w, CoachApplication.decided_at)]
    approved, rejected = db.session.execute(
        sa.select(count_when(CoachApplication.status == ApplicationStatus.APPROVED),
                  count_when(CoachApplication.status == ApplicationStatus.REJECTED)).where(*decided)
    ).one()  # fmt: skip
    info = db.session.scalar(
        sa.select(sa.func.count(CoachApplication.id)).where(CoachApplication.status == ApplicationStatus.INFO_REQUESTED)
    )
    end = min(w.end_utc, utcnow())
    waiting = db.session.scalar(
        sa.select(sa.func.count(CoachApplication.id)).where(
            CoachApplication.submitted_at < end,
            sa.or_(CoachApplication.decided_at.is_(None), CoachApplication.decided_at >= end),
            CoachApplication.status != ApplicationStatus.DRAFT,
        )
    )
    pct = _percentile_series(w, CoachApplication.decided_at, CoachApplication.submitted_at,
                             CoachApplication.status.in_(DECIDED), CoachApplication.submitted_at.is_not(None))[0]  # fmt: skip
    reviewer = sa.func.coalesce(sa.func.nullif(_coach_name(), ""), User.email)
    reviewers = [
        {"reviewer": r.reviewer, "approved": int(r.approved), "rejected": int(r.rejected)}
        for r in db.session.execute(
            sa.select(reviewer.label("reviewer"),
                      count_when(CoachApplication.status == ApplicationStatus.APPROVED).label("approved"),
                      count_when(CoachApplication.status == ApplicationStatus.REJECTED).label("rejected"))
            .join(User, User.id == CoachApplication.decided_by_id).where(*decided)
            .group_by(reviewer).order_by(reviewer)
        )
    ]  # fmt: skip
    levels = [
        {"level": str(r.level.value if r.level else "unknown"), "received": r.n}
        for r in db.session.execute(
            sa.select(CoachApplication.certification_level.label("level"), sa.func.count().label("n"))
            .where(*_in(w, CoachApplication.submitted_at)).group_by(CoachApplication.certification_level)
        )
    ]  # fmt: skip
    return {**_base(w, period), "received": received, "approved": int(approved or 0), "rejected": int(rejected or 0),
            "info_requested": info, "waiting": waiting, "median_hours": pct["value"], "p90_hours": pct["p90"],
            "reviewers": reviewers, "levels": sorted(levels, key=lambda x: x["level"])}  # fmt: skip


def moderation_data(period: str, tz: str | None = None) -> dict:
    """Flags by reason, actions by kind, items decided and time to action, suspensions and bans."""
    w = month_window(period, tz)
    flags = [
        {"reason": r.reason.value, "count": r.n}
        for r in db.session.execute(
            sa.select(Flag.reason, sa.func.count().label("n")).where(*_in(w, Flag.created_at))
            .group_by(Flag.reason).order_by(Flag.reason)
        )
    ]  # fmt: skip
    actions = {
        r.kind: r.n
        for r in db.session.execute(
            sa.select(ModerationAction.kind, sa.func.count().label("n")).where(*_in(w, ModerationAction.created_at))
            .group_by(ModerationAction.kind)
        )
    }  # fmt: skip
    upheld, dismissed = db.session.execute(
        sa.select(count_when(Flag.status == FlagStatus.UPHELD), count_when(Flag.status == FlagStatus.DISMISSED))
        .where(*_in(w, Flag.resolved_at))
    ).one()  # fmt: skip
    pct = _percentile_series(w, ModerationItem.decided_at, ModerationItem.first_flagged_at,
                             ModerationItem.decided_at.is_not(None))[0]  # fmt: skip
    return {**_base(w, period), "flags_by_reason": flags,
            "actions": [{"action": k.value, "count": n} for k, n in sorted(actions.items())],
            "items_decided": pct["count"], "median_hours": pct["value"], "p90_hours": pct["p90"],
            "suspensions": actions.get(ActionKind.SUSPEND, 0), "bans": actions.get(ActionKind.BAN, 0),
            "upheld": int(upheld or 0), "dismissed": int(dismissed or 0)}  # fmt: skip


GATHERERS = {"finance": finance_data, "verification": verification_data, "moderation": moderation_data}
