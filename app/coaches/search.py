"""Coach discovery: filters, full-text search (PostgreSQL; LIKE on SQLite), sorting and cursors.

Search reads denormalised columns on coach_profiles (search_text, price_from_amount,
next_slot_at) kept fresh by refresh_search_fields(), so a page of results never computes slots.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy import orm

from app.accounts.models import User
from app.coaches.models import CertificationLevel, CoachLanguage, CoachProfile, Specialization, coach_specializations
from app.core.db import minor_units_of, utcnow
from app.core.effects import commit
from app.core.ids import MAX_ID
from app.core.inputs import ascii_int
from app.extensions import db

SORTS = ("relevance", "rating", "price", "soonest")
FAR_FUTURE_SQL = {
    "postgresql": "'9999-01-01 00:00:00+00'::timestamptz",
    "sqlite": "'9999-01-01 00:00:00.000000'",
}
PAGE_SIZE = 20
MAX_FREE_WITHIN_DAYS = 366  # the search looks at most a year ahead


@dataclass
class SearchParams:
    """The filters of a search, as they appear in the URL (prices in whole currency units)."""

    q: str = ""
    specialization: str = ""
    language: str = ""
    level: str = ""
    currency: str = ""
    price_min: int | None = None
    price_max: int | None = None
    min_rating: float | None = None
    free_within: int | None = None
    sort: str = "relevance"
    after: str | None = None
    limit: int = PAGE_SIZE
    errors: dict = field(default_factory=dict)

    @classmethod
    def from_args(cls, args) -> SearchParams:
        """Parse request args leniently: a bad value is dropped and named in `errors`."""
        params = cls(
            q=(args.get("q") or "").strip()[:200],
            specialization=(args.get("specialization") or "").strip(),
            language=(args.get("language") or "").strip().lower(),
            level=(args.get("level") or "").strip(),
            currency=(args.get("currency") or "").strip().upper(),
            sort=args.get("sort") or "relevance",
            after=args.get("after") or None,
        )
        for name, maximum in (("price_min", MAX_ID), ("price_max", MAX_ID), ("free_within", MAX_FREE_WITHIN_DAYS)):
            raw = (args.get(name) or "").strip()
            if raw:
                value = ascii_int(raw, maximum=maximum)
                if value is None:
                    params.errors[name] = f"must be a whole number from 0 to {maximum}"
                setattr(params, name, value)
        raw = (args.get("min_rating") or "").strip()
        if raw:
            try:
                params.min_rating = float(raw)
            except ValueError:
                params.min_rating = None
            if params.min_rating is None or not 0 <= params.min_rating <= 5:
                params.errors["min_rating"] = "must be a number from 0 to 5"
                params.min_rating = None
        limit = ascii_int(args.get("limit") or PAGE_SIZE)
        if limit is None:
            params.errors["limit"] = "must be a number"
        params.limit = max(1, min(limit or PAGE_SIZE, 50))
        if params.sort not in SORTS:
            params.errors["sort"] = f"one of {', '.join(SORTS)}"
            params.sort = "relevance"
        if params.currency and not (
            len(params.currency) == 3 and params.currency.isascii() and params.currency.isalpha()
        ):
            params.errors["currency"] = "a three-letter currency code such as EUR"
            params.currency = ""
        if params.level and params.level not in {lv.value for lv in CertificationLevel}:
            params.errors["level"] = "unknown level"
            params.level = ""
        return params

    def require_currency_for_price(self) -> None:
        """Drop a price range given without a currency, and say why: prices in EUR, USD and GBP
        are not comparable (the site's form; the API keeps its documented behaviour)."""
        if not self.currency and (self.price_min is not None or self.price_max is not None):
            self.errors["price"] = "choose a currency for the price range"
            self.price_min = self.price_max = None

    def url_args(self) -> dict:
        """The non-empty filters, for links that keep the search (without the cursor)."""
        skip = {"after", "errors", "limit"}
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name not in skip and getattr(self, f.name)}


@dataclass
class SearchPage:
    """One page of coaches and the cursor of the next page."""

    coaches: list[CoachProfile]
    next_cursor: str | None


def _dialect() -> str:
    return db.engine.dialect.name


def _is_postgres() -> bool:
    return _dialect() == "postgresql"


def _tsvector():
    """The stored vector (a generated column, see migration 20261203_0845), never recomputed per row."""
    return sa.literal_column("coach_profiles.search_vector")


def _sort_keys(params: SearchParams, rank):
    """(expressions, descending, converters) for the chosen sort; ties broken by id."""
    if params.sort == "relevance" and rank is not None:
        return [rank, CoachProfile.id], True, [float, int]
    # Literal SQL (not bound parameters) so PostgreSQL matches the expression indexes
    # ix_coach_profiles_order_* written in the migration.
    if params.sort in ("relevance", "rating"):
        rating = sa.func.coalesce(CoachProfile.rating_avg, sa.literal_column("0"), type_=CoachProfile.rating_avg.type)
        return [rating, CoachProfile.rating_count, CoachProfile.id], True, [Decimal, int, int]
    if params.sort == "price":
        price = sa.func.coalesce(CoachProfile.price_from_amount, sa.literal_column(str(2**62)), type_=sa.BigInteger)
        return [price, CoachProfile.id], False, [int, int]
    far = sa.literal_column(FAR_FUTURE_SQL[_dialect()], type_=CoachProfile.next_slot_at.type)
    soonest = sa.func.coalesce(CoachProfile.next_slot_at, far, type_=CoachProfile.next_slot_at.type)
    return [soonest, CoachProfile.id], False, [datetime.fromisoformat, int]


def _encode(values: list) -> str:
    plain = [v.isoformat() if isinstance(v, datetime) else str(v) if isinstance(v, Decimal) else v for v in values]
    return base64.urlsafe_b64encode(json.dumps(plain).encode()).decode().rstrip("=")


def _decode(cursor: str | None, converters: list) -> list | None:
    if not cursor:
        return None
    try:
        values = json.loads(base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()))
        if not isinstance(values, list) or len(values) != len(converters):
            return None
        return [conv(v) for conv, v in zip(converters, values, strict=True)]
    except (ValueError, TypeError):
        return None


def search_coaches(params: SearchParams, now: datetime | None = None) -> SearchPage:
    """Active coaches (whose accounts are enabled and not banned) matching the filters, one page."""
    stmt, rank = _matching(params, now or utcnow())
    keys, descending, converters = _sort_keys(params, rank)
    after = _decode(params.after, converters)
    if after is not None:
        bound = sa.tuple_(*[sa.literal(v, k.type) for v, k in zip(after, keys, strict=True)])
        stmt = stmt.where(sa.tuple_(*keys) < bound if descending else sa.tuple_(*keys) > bound)
    # The page's ids and sort keys first (narrow rows to rank and sort), then only those coaches.
    page_ids = (
        stmt.with_only_columns(CoachProfile.id.label("coach_id"), *[k.label(f"key{i}") for i, k in enumerate(keys)])
        .order_by(*[k.desc() if descending else k.asc() for k in keys])
        .limit(params.limit + 1)
        .subquery()
    )
    sort_columns = [page_ids.c[f"key{i}"] for i in range(len(keys))]
    rows = db.session.execute(
        sa.select(CoachProfile, *sort_columns)
        .join(page_ids, page_ids.c.coach_id == CoachProfile.id)
        .options(orm.joinedload(CoachProfile.user).lazyload(User.role_rows))
        .order_by(*[c.desc() if descending else c.asc() for c in sort_columns])
    ).all()
    next_cursor = _encode(list(rows[params.limit - 1][1:])) if len(rows) > params.limit else None
    return SearchPage([row[0] for row in rows[: params.limit]], next_cursor)


COUNT_CAP = 1000  # "1,000+ coaches match": an exact count of every listed coach cost 50 ms at 10,000


def count_coaches(params: SearchParams, now: datetime | None = None) -> int:
    """How many coaches match the filters (all pages), counted up to COUNT_CAP + 1."""
    stmt, _ = _matching(params, now or utcnow())
    capped = stmt.with_only_columns(CoachProfile.id).limit(COUNT_CAP + 1).subquery()
    return db.session.scalar(sa.select(sa.func.count()).select_from(capped))


# The few distinct codes, one index probe each (a "loose index scan"), then one probe for a listed
# coach who speaks it (LIMIT 1 keeps it a probe, not a join): a DISTINCT over every coach's languages cost 8 ms at 10,000 coaches.
_LANGUAGE_CODES_SQL = sa.text(
    """
    WITH RECURSIVE codes(code) AS (
        (SELECT code FROM coach_languages ORDER BY code LIMIT 1)
        UNION ALL
        SELECT (SELECT l.code FROM coach_languages l WHERE l.code > codes.code ORDER BY l.code LIMIT 1)
        FROM codes WHERE codes.code IS NOT NULL
    )
    SELECT codes.code FROM codes CROSS JOIN LATERAL (
        SELECT 1 FROM coach_languages l JOIN coach_profiles p ON p.id = l.coach_id
        WHERE l.code = codes.code AND p.is_active LIMIT 1
    ) AS listed WHERE codes.code IS NOT NULL ORDER BY codes.code
    """
)


def listed_languages() -> list[str]:
    """The language codes that listed coaches speak, for the language filter."""
    if _is_postgres():
        return list(db.session.scalars(_LANGUAGE_CODES_SQL))
    stmt = (
        sa.select(CoachLanguage.code)
        .join(CoachProfile, CoachProfile.id == CoachLanguage.coach_id)
        .where(CoachProfile.is_active == sa.true())
        .distinct()
    )
    return sorted(db.session.scalars(stmt))


def listed_currencies() -> list[str]:
    """The currencies listed coaches charge in, for the price filter (ix_coach_profiles_active_currency)."""
    stmt = sa.select(CoachProfile.currency).where(CoachProfile.is_active == sa.true()).distinct()
    return sorted(db.session.scalars(stmt))


def _matching(params: SearchParams, now: datetime):
    """(the select of matching listed coaches, the full-text rank or None)."""
    listed = sa.exists().where(User.id == CoachProfile.user_id, User.is_enabled.is_(True), User.banned_at.is_(None))
    stmt = sa.select(CoachProfile).where(CoachProfile.is_active == sa.true(), listed)
    rank = None
    if params.q:
        if _is_postgres():
            query = sa.func.websearch_to_tsquery(sa.literal_column("'simple'"), params.q)
            stmt = stmt.where(_tsvector().op("@@")(query))
            rank = sa.func.ts_rank(_tsvector(), query)
        else:
            for word in params.q.lower().split()[:8]:
                stmt = stmt.where(CoachProfile.search_text.contains(word, autoescape=True))
    if params.specialization:
        stmt = stmt.where(
            sa.exists()
            .where(coach_specializations.c.coach_id == CoachProfile.id)
            .where(coach_specializations.c.specialization_id == Specialization.id)
            .where(Specialization.slug == params.specialization)
        )
    if params.language:
        stmt = stmt.where(
            sa.exists().where(CoachLanguage.coach_id == CoachProfile.id, CoachLanguage.code == params.language)
        )
    if params.level:
        stmt = stmt.where(CoachProfile.certification_level == CertificationLevel(params.level))
    if params.currency:
        stmt = stmt.where(CoachProfile.currency == params.currency)
    if params.price_min is not None:  # whole units of each coach's own currency
        stmt = stmt.where(CoachProfile.price_from_amount >= minor_units_of(params.price_min, CoachProfile.currency))
    if params.price_max is not None:
        stmt = stmt.where(CoachProfile.price_from_amount <= minor_units_of(params.price_max, CoachProfile.currency))
    if params.min_rating is not None:
        stmt = stmt.where(CoachProfile.rating_avg >= params.min_rating)
    if params.free_within is not None:
        stmt = stmt.where(
            CoachProfile.next_slot_at >= now, CoachProfile.next_slot_at <= now + timedelta(days=params.free_within)
        )
    return stmt, rank


def refresh_search_fields(coach_id: int) -> None:
    """Recompute search_text, price_from_amount and next_slot_at for one coach."""
    coach = db.session.get(CoachProfile, coach_id)
    if coach is None:
        return
    update_search_fields(coach)
    commit()


def update_search_fields(coach: CoachProfile) -> None:
    """Set the coach's denormalised search columns from their profile and hours (no commit)."""
    from app.booking.availability import active_session_types, next_free_slot

    parts = [coach.user.full_name, coach.headline, coach.bio, *[s.name for s in coach.specializations]]
    coach.search_text = " ".join(p for p in parts if p).lower()
    types = active_session_types(coach.id)
    coach.price_from_amount = types[0].price_amount if types else None
    slot = next_free_slot(coach) if types else None
    coach.next_slot_at = slot.starts_at if slot else None


def refresh_all(batch: int = 500) -> int:
    """Refresh every active coach (run daily: next free slots move as time passes)."""
    ids = list(db.session.scalars(sa.select(CoachProfile.id).where(CoachProfile.is_active == sa.true())))
    for coach_id in ids:
        refresh_search_fields(coach_id)
    return len(ids)


def refresh_stale(now: datetime | None = None) -> int:
    """Refresh coaches whose stored next free slot has passed (cheap enough to run every minute)."""
    now = now or utcnow()
    ids = list(
        db.session.scalars(
            sa.select(CoachProfile.id).where(CoachProfile.is_active == sa.true(), CoachProfile.next_slot_at < now)
        )
    )
    for coach_id in ids:
        refresh_search_fields(coach_id)
    return len(ids)
