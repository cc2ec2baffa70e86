"""The staff lists `make bench BENCH_ARGS=--combinations` walks: where each is, as which role, the terms
its free-text filters get, and its statement under a filter with its keyset order (benchmarks/combinations.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa


@dataclass
class Context:
    """What a list's statement needs: the viewer, their zone and the time."""

    me: object
    zone: ZoneInfo
    now: datetime


@dataclass(frozen=True)
class Order:
    """A list's statement under a filter and its keyset order."""

    stmt: sa.Select
    columns: list
    descending: bool


@dataclass(frozen=True)
class StaffList:
    """One staff list: where it is, who sees it, its free-text terms, and its statement under a filter."""

    name: str
    path: str
    role: str  # requested as the demo account of this role (benchmarks.run.ROLE_LOGINS)
    statement: Callable[[dict, Context], Order] | None
    row_ids: str = ""  # regex of a row's id on the page, in order
    texts: dict[str, tuple[str, str]] = field(
        default_factory=dict
    )  # field: (SQL giving a term that matches, one that does not)
    crossed: dict[str, tuple[str | None, ...]] = field(default_factory=dict)  # None: absent from the query string
    page_size: int = 50


def _finance(args: dict, ctx: Context) -> Order:
    from app.payments.models import Payment
    from app.payments.queries import PaymentFilters, apply_filters

    filters = PaymentFilters.from_args(args, ctx.zone)
    return Order(apply_filters(sa.select(Payment), filters, ctx.zone), [Payment.created_at, Payment.id], True)


def _verification(args: dict, ctx: Context) -> Order:
    from app.verification.models import CoachApplication
    from app.verification.queries import QueueFilters, filtered

    filters = QueueFilters.from_args(args)
    stmt = filtered(filters, ctx.me, ctx.now)
    return Order(stmt, [CoachApplication.submitted_at, CoachApplication.id], filters.sort == "newest")


def _moderation(args: dict, ctx: Context) -> Order:
    from app.moderation.models import ModerationItem
    from app.moderation.queries import QueueFilters, queue_statement

    filters = QueueFilters.from_args(args)
    stmt = queue_statement(filters, ctx.me.id)
    if filters.sort == "age":
        return Order(stmt, [ModerationItem.first_flagged_at, ModerationItem.id], False)
    return Order(stmt, [ModerationItem.priority, ModerationItem.id], True)


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _users(args: dict, ctx: Context) -> Order:
    """As app/staff/views.py's users() builds it."""
    from app.accounts.models import Role, User, UserRole

    stmt = sa.select(User)
    q, role = (args.get("q") or "").strip(), args.get("role", "")
    if q:
        stmt = stmt.where(sa.or_(User.email.ilike(_like(q), escape="\\"), User.last_name.ilike(_like(q), escape="\\")))
    if role in {r.value for r in Role}:
        stmt = stmt.where(User.id.in_(sa.select(UserRole.user_id).where(UserRole.role == Role(role))))
    return Order(stmt, [User.id], True)


def _audit(args: dict, ctx: Context) -> Order:
    """As app/staff/views.py's audit() builds it."""
    from app.accounts.services import find_user
    from app.core.models import AuditLog

    stmt = sa.select(AuditLog)
    for name in ("action", "object_type", "object_id"):
        if (args.get(name) or "").strip():
            stmt = stmt.where(getattr(AuditLog, name) == args[name].strip())
    if (args.get("actor") or "").strip():
        actor = find_user(args["actor"].strip())
        stmt = stmt.where(AuditLog.actor_id == (actor.id if actor else -1))
    return Order(stmt, [AuditLog.id], True)


NEWEST_PAYMENT = "SELECT {col} FROM payments p JOIN users u ON u.id = {who} ORDER BY p.id DESC LIMIT 1"
CLIENT_EMAIL = NEWEST_PAYMENT.format(col="u.email", who="p.client_id")
COACH_EMAIL = (
    "SELECT u.email FROM payments p JOIN coach_profiles cp ON cp.id = p.coach_id JOIN users u ON u.id = cp.user_id "
    "ORDER BY p.id DESC LIMIT 1"
)
NEWEST_AUDIT = "SELECT {col} FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id {where} ORDER BY a.id DESC LIMIT 1"
MISS = "SELECT 'nobody-{0}@example.invalid'"

LISTS = [
    StaffList("finance", "/staff/finance/", "finance", _finance, r'data-href="/staff/finance/payments/(\d+)"',
              texts={"q": (CLIENT_EMAIL, MISS.format("q")), "coach": (COACH_EMAIL, MISS.format("coach")),
                     "client": (CLIENT_EMAIL, MISS.format("client")),
                     "amount_min": ("SELECT '50'", "SELECT '1000000'"), "amount_max": ("SELECT '150'", "SELECT '0.01'"),
                     "date_to": ("SELECT to_char(now(), 'YYYY-MM-DD')", "SELECT '2000-01-01'")},
              crossed={"date_from": (None, "")}),
    StaffList("verification", "/staff/verification/", "verifier", _verification,
              r'data-href="/staff/verification/(\d+)"'),
    StaffList("moderation", "/staff/moderation/", "moderator", _moderation,
              r'name="item_ids" value="(\d+)"'),
    StaffList("users", "/staff/users", "admin", _users, r'href="/staff/users/(\d+)"',
              texts={"q": ("SELECT last_name FROM users WHERE last_name <> '' ORDER BY id DESC LIMIT 1",
                           "SELECT 'zz-no-such-person'")}),
    StaffList("audit", "/staff/audit", "admin", _audit, r'<tr data-id="(\d+)"',
              texts={"action": (NEWEST_AUDIT.format(col="a.action", where=""), "SELECT 'no.such.action'"),
                     "object_type": (NEWEST_AUDIT.format(col="a.object_type", where=""), "SELECT 'no_such_table'"),
                     "object_id": (NEWEST_AUDIT.format(col="a.object_id", where=""), "SELECT '999999999'"),
                     "actor": (NEWEST_AUDIT.format(col="u.email", where="WHERE u.email IS NOT NULL"),
                               MISS.format("actor"))}),
    StaffList("inbox", "/staff/", "admin", None),  # no filters and no pages: one request
]  # fmt: skip


def context_for(login_email: str) -> Context:
    """The viewer as the app sees them (in an app context)."""
    from app.accounts.models import User
    from app.extensions import db

    me = db.session.scalar(sa.select(User).where(User.email == login_email))
    try:
        zone = ZoneInfo(me.timezone or "UTC")
    except (ValueError, KeyError):
        zone = ZoneInfo("UTC")
    return Context(me, zone, datetime.now(UTC))
