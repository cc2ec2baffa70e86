"""Risk at a glance: a few facts about a person, computed in SQL, each linking to its evidence.

Shown on the verification review, the moderation item and the payment page. A fact links to its
evidence only when the viewer may open it; the numbers are the same for every staff role.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import url_for

from app.accounts.models import User
from app.coaches.models import CoachProfile
from app.core.roles import FINANCE_ROLES, MODERATOR_ROLES
from app.extensions import db
from app.moderation.models import ActionKind, ModerationAction
from app.payments.models import Payment

NEW_ACCOUNT = timedelta(days=7)
HIGH_REFUND_RATE = 0.3  # refunded payments over paid ones, from 3 paid payments on
STRIKES = {  # kind -> (one, many)
    ActionKind.WARN: ("warning", "warnings"),
    ActionKind.SUSPEND: ("suspension", "suspensions"),
    ActionKind.BAN: ("ban", "bans"),
    ActionKind.HIDE: ("post hidden", "posts hidden"),
    ActionKind.REMOVE: ("post removed", "posts removed"),
    ActionKind.AUTO_HIDE: ("post hidden automatically", "posts hidden automatically"),
}


@dataclass(frozen=True)
class RiskFact:
    """One fact: what, its value in words, how much it matters (info, warn, bad) and its evidence."""

    label: str
    value: str
    level: str = "info"
    url: str | None = None


def _money(where) -> sa.Select:
    """Paid payments, how many were (partly) refunded and how many disputed."""
    paid = Payment.succeeded_at.is_not(None)
    return sa.select(
        sa.func.count().filter(paid),
        sa.func.count().filter(paid, Payment.amount_refunded > 0),
        sa.func.count().filter(Payment.is_disputed.is_(True)),
    ).where(where)


def _money_fact(label: str, counts, url: str | None) -> RiskFact:
    paid, refunded, disputed = counts
    if not paid and not disputed:
        return RiskFact(label, "no paid payments", "info", url)
    rate = refunded / paid if paid else 0
    text = f"{disputed} dispute{'s' if disputed != 1 else ''}; {refunded} of {paid} payments refunded ({rate:.0%})"
    level = "bad" if disputed else ("warn" if paid >= 3 and rate >= HIGH_REFUND_RATE else "info")
    return RiskFact(label, text, level, url)


def person_facts(person: User, viewer: User, now: datetime) -> list[RiskFact]:
    """Account age, disputes and refund rate as client and as coach, past strikes (four small queries)."""
    finance = viewer.has_role(*FINANCE_ROLES)
    moderator = viewer.has_role(*MODERATOR_ROLES)
    timeline = url_for("staff.person", user_id=person.id)
    age = now - person.created_at
    facts = [
        RiskFact(
            "Account age",
            f"{age.days} days" if age.days >= 1 else "under a day",
            "warn" if age < NEW_ACCOUNT else "info",
            timeline,
        )
    ]
    as_client = db.session.execute(_money(Payment.client_id == person.id)).one()
    facts.append(_money_fact("As client", as_client,
                             url_for("finance_staff.payments", client=person.email, date_from="") if finance else None))  # fmt: skip
    coach_id = db.session.scalar(sa.select(CoachProfile.id).where(CoachProfile.user_id == person.id))
    if coach_id is not None:
        as_coach = db.session.execute(_money(Payment.coach_id == coach_id)).one()
        facts.append(_money_fact("As coach", as_coach,
                                 url_for("finance_staff.payments", coach=person.email, date_from="") if finance else None))  # fmt: skip
    strikes = dict(
        db.session.execute(
            sa.select(ModerationAction.kind, sa.func.count())
            .where(ModerationAction.target_user_id == person.id, ModerationAction.kind.in_(list(STRIKES)))
            .group_by(ModerationAction.kind)
        ).all()
    )
    words = [f"{strikes[k]} {STRIKES[k][strikes[k] != 1]}" for k in STRIKES if strikes.get(k)]
    severe = strikes.get(ActionKind.BAN) or strikes.get(ActionKind.SUSPEND)
    facts.append(
        RiskFact(
            "Past strikes",
            ", ".join(words) or "none",
            "bad" if severe else ("warn" if words else "info"),
            f"{timeline}?show=moderation" if moderator else None,
        )
    )
    return facts
