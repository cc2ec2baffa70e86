"""The registry of staff metrics: name -> function(window, filters) -> MetricResult.

Every figure is computed in SQL (grouped by period in the viewer's zone). Periods without rows
are filled with zeros for counts and sums, and None for rates; a metric whose source table has no
rows at all returns an empty series with has_data False, so charts say "no data yet".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa

from app.analytics.periods import Window, as_date, period_sql
from app.coaches.models import CoachProfile, Specialization, coach_specializations
from app.core.errors import ValidationFailed
from app.extensions import db

FILTER_NAMES = ("level", "specialization", "currency")


@dataclass(frozen=True)
class Filters:
    """Optional narrowing: coach certification level, specialization slug, currency code."""

    level: str | None = None
    specialization: str | None = None
    currency: str | None = None


@dataclass
class MetricResult:
    """A metric's series plus what the page says about it."""

    series: list[dict]
    has_data: bool = True
    refreshed_at: datetime | None = None  # set when the figures come from rollups


@dataclass(frozen=True)
class Metric:
    """A registered metric and how it is shown."""

    name: str
    title: str
    unit: str  # count | money | percent | hours
    source: str  # what it is computed from, for "no data yet"
    fn: Callable[[Window, Filters], MetricResult]
    filters: tuple[str, ...] = ()
    group: str = ""
    target: str = ""
    fixed_granularity: str | None = None
    extra: tuple[str, ...] = field(default=())  # series keys beyond period and value


METRICS: dict[str, Metric] = {}


def metric(name: str, title: str, unit: str, source: str, **options) -> Callable:
    """Register a metric function under `name`."""

    def decorator(fn: Callable[[Window, Filters], MetricResult]) -> Callable:
        METRICS[name] = Metric(name=name, title=title, unit=unit, source=source, fn=fn, **options)
        return fn

    return decorator


def compute(name: str, window: Window, filters: Filters | None = None) -> tuple[Metric, Window, MetricResult]:
    """Run a metric by name; returns the metric, the window actually used and the result."""
    m = METRICS.get(name)
    if m is None:
        raise ValidationFailed(f"Unknown metric {name!r}.", fields={"metric": "Unknown metric."})
    if m.fixed_granularity and window.granularity != m.fixed_granularity:
        window = window.with_granularity(m.fixed_granularity)
    filters = filters or Filters()
    used = {k: v for k, v in vars(filters).items() if v}
    if unknown := set(used) - set(m.filters):
        raise ValidationFailed(f"{name} cannot be filtered by {', '.join(sorted(unknown))}.")
    from app.analytics.rollups import rolled_up

    rollup = rolled_up(name, window, filters)
    if rollup is not None:
        return m, window, rollup
    return m, window, m.fn(window, filters)


# --- Helpers shared by the metric modules -----------------------------------------------------


def dialect() -> str:
    """The database dialect name (postgresql or sqlite)."""
    return db.session.get_bind().dialect.name


def has_rows(model, *where) -> bool:
    """True when the source table holds any row (optionally matching `where`)."""
    return db.session.scalar(sa.select(sa.literal(1)).select_from(model).where(*where).limit(1)) is not None


def grouped(window: Window, ts_col, columns: list, *where, select_from=None, by=None) -> list[sa.Row]:
    """Rows of (period, *columns[, key]) for rows whose `ts_col` lies in the window."""
    period = period_sql(ts_col, window, dialect())
    cols = [period.label("period"), *columns] + ([by.label("key")] if by is not None else [])
    stmt = sa.select(*cols).where(ts_col >= window.start_utc, ts_col < window.end_utc, *where)
    if select_from is not None:
        stmt = stmt.select_from(select_from)
    stmt = stmt.group_by(period, *([by] if by is not None else []))
    return db.session.execute(stmt).all()


def coach_filters(coach_id_col, filters: Filters) -> list:
    """WHERE clauses narrowing a coach id column by level and specialization."""
    clauses = []
    if filters.level:
        clauses.append(
            coach_id_col.in_(sa.select(CoachProfile.id).where(CoachProfile.certification_level == filters.level))
        )
    if filters.specialization:
        clauses.append(
            coach_id_col.in_(
                sa.select(coach_specializations.c.coach_id)
                .join(Specialization, Specialization.id == coach_specializations.c.specialization_id)
                .where(Specialization.slug == filters.specialization)
            )
        )
    return clauses


def count_series(window: Window, rows) -> list[dict]:
    """One point per period; periods without rows count zero."""
    values = {as_date(r.period): int(r.value or 0) for r in rows}
    return [{"period": p.isoformat(), "value": values.get(p, 0)} for p in window.periods()]


def money_series(window: Window, rows, currency: str | None = None) -> list[dict]:
    """One point per period and currency (rows carry .key = currency), zero-filled."""
    values: dict[tuple[date, str], int] = {}
    for r in rows:
        values[(as_date(r.period), r.key)] = values.get((as_date(r.period), r.key), 0) + int(r.value or 0)
    currencies = sorted({c for _, c in values} | ({currency} if currency else set()))
    return [
        {"period": p.isoformat(), "currency": c, "value": values.get((p, c), 0)}
        for p in window.periods()
        for c in currencies
    ]


def rate_series(window: Window, rows) -> list[dict]:
    """Percent = 100 * numerator / denominator per period (rows carry .num and .den); None when den is 0."""
    values = {as_date(r.period): (int(r.num or 0), int(r.den or 0)) for r in rows}
    out = []
    for p in window.periods():
        num, den = values.get(p, (0, 0))
        out.append(
            {
                "period": p.isoformat(),
                "value": round(100.0 * num / den, 1) if den else None,
                "numerator": num,
                "denominator": den,
            }
        )
    return out


def ratio_rows(window: Window, num_rows, den_rows) -> list[dict]:
    """rate_series from two separately grouped counts."""
    nums = {as_date(r.period): r.value for r in num_rows}
    dens = {as_date(r.period): r.value for r in den_rows}
    rows = [_Row(p, nums.get(p, 0), dens.get(p, 0)) for p in set(nums) | set(dens)]
    return rate_series(window, rows)


@dataclass
class _Row:
    period: date
    num: int
    den: int
    value: int = 0


def count_when(condition) -> sa.ColumnElement:
    """SUM(CASE WHEN condition THEN 1 ELSE 0 END)."""
    return sa.func.sum(sa.case((condition, 1), else_=0))


from app.analytics import metrics_money, metrics_people, metrics_sessions  # noqa: E402,F401 - register the metrics
