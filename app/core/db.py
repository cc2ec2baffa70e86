"""Declarative base, UTC timestamps, enum columns and money columns shared by all models."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import ClassVar

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from app.core.errors import InvalidState
from app.core.money import DEFAULT_EXPONENT, EXPONENTS

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base class of every model; constraint names are deterministic for migrations."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    """The current time, UTC and time-zone aware."""
    return datetime.now(UTC)


class UTCDateTime(sa.types.TypeDecorator):
    """A timestamp stored in UTC that always comes back time-zone aware (SQLite included)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; store aware UTC times only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def enum_column(enum_cls: type[enum.Enum], **kwargs) -> sa.Enum:
    """A portable enum type stored as its string values (VARCHAR, no native type)."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=32,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
        **kwargs,
    )


class StatusMachine:
    """A model whose `status` moves only along `TRANSITIONS`: each status, the statuses it may become."""

    TRANSITIONS: ClassVar[Mapping[enum.Enum, frozenset]] = {}
    NOUN: ClassVar[str] = "record"  # what the refusal calls the row: "A paid payment cannot become ..."

    def transition_to(self, new: enum.Enum) -> None:
        """Move to `new` if TRANSITIONS allow it, else raise InvalidState."""
        if new not in self.TRANSITIONS.get(self.status, frozenset()):
            raise InvalidState(self.refused_transition(new))
        self.status = new

    def refused_transition(self, new: enum.Enum) -> str:
        """Why the status cannot become `new`, in the words the user reads."""
        return f"A {self.status.value} {self.NOUN} cannot become {new.value}."


class TimestampMixin:
    """created_at / updated_at, UTC."""

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False)


def money_column(nullable: bool = False):
    """An amount in integer minor units (cents); pair it with a 3-letter currency column."""
    return mapped_column(sa.BigInteger, nullable=nullable)


def currency_column(nullable: bool = False):
    """An ISO 4217 currency code, upper case."""
    return mapped_column(sa.String(3), nullable=nullable)


def _codes_by_exponent() -> list[tuple[int, list[str]]]:
    """EXPONENTS grouped: each minor-unit exponent with its currency codes, smallest exponent first."""
    by_exponent: dict[int, list[str]] = {}
    for code, digits in EXPONENTS.items():
        by_exponent.setdefault(digits, []).append(code)
    return sorted(by_exponent.items())


def minor_units_of(major: Decimal | int, currency_col, rounding: str = ROUND_FLOOR):
    """SQL: a major-unit amount as minor units of the row's own currency (`currency_col`), from the
    ISO 4217 table in app.core.money, for filters that compare one typed price across currencies
    (ROUND_CEILING for a lower bound, so 12.50 never lets JPY 12 through)."""

    def minor(digits: int):
        return sa.literal(int(Decimal(major).scaleb(digits).to_integral_value(rounding)))

    whens = [(currency_col.in_(codes), minor(digits)) for digits, codes in _codes_by_exponent()]
    return sa.case(*whens, else_=minor(DEFAULT_EXPONENT))


# Amounts compared across currencies in one unit: ten-thousandths of a major unit (the finest
# exponent in EXPONENTS), so a typed bound is one range that an expression index can serve.
SCALE_EXPONENT = max(EXPONENTS.values())


def scaled_amount_sql(table: str) -> str:
    """SQL text: `table`'s amount in ten-thousandths of its currency's major unit (EUR 12.50 and
    KWD 12.500 are both 125000). The expression of ix_payments_amount_scaled: the migration writes
    the same text, and tests/payments/test_filter_indexes.py checks the plan reads that index."""
    whens = " ".join(
        f"WHEN {table}.currency IN ({', '.join(repr(c) for c in codes)}) THEN {10 ** (SCALE_EXPONENT - digits)}"
        for digits, codes in _codes_by_exponent()
    )
    return f"({table}.amount * CASE {whens} ELSE {10 ** (SCALE_EXPONENT - DEFAULT_EXPONENT)} END)"


def amount_bounds(table: str, low: Decimal | None, high: Decimal | None) -> list:
    """SQL conditions: the row's amount, in its own currency, is at least `low` and at most `high`
    major units (either may be None). Exact: amount >= ceil(low * 10^e) is scaled >= low * 10^4."""
    scaled = sa.literal_column(scaled_amount_sql(table))
    out = []
    if low is not None:
        out.append(scaled >= int(Decimal(low).scaleb(SCALE_EXPONENT).to_integral_value(ROUND_CEILING)))
    if high is not None:
        out.append(scaled <= int(Decimal(high).scaleb(SCALE_EXPONENT).to_integral_value(ROUND_FLOOR)))
    return out


def partial_index(name: str, *columns, where: str, **kwargs) -> sa.Index:
    """An index of only the rows matching `where` (PostgreSQL and SQLite): e.g. a queue's waiting rows
    in its order, so reading its oldest stops at the LIMIT whatever the table's history holds."""
    return sa.Index(name, *columns, postgresql_where=sa.text(where), sqlite_where=sa.text(where), **kwargs)
