"""Money and duration formatting for reports (integer minor units + currency), without Flask."""

from __future__ import annotations

ZERO_DECIMAL = {"JPY", "KRW", "CLP", "VND", "ISK", "HUF"}


def fmt_money(amount: int, currency: str) -> str:
    """'1,234.50 EUR' from 123450 and 'EUR'."""
    if currency in ZERO_DECIMAL:
        return f"{int(amount):,} {currency}"
    sign = "-" if amount < 0 else ""
    major, minor = divmod(abs(int(amount)), 100)
    return f"{sign}{major:,}.{minor:02d} {currency}"


def fmt_amount(amount: int, currency: str) -> str:
    """A plain decimal amount for tables and CSV: '1234.50' from 123450 (no separators)."""
    if currency in ZERO_DECIMAL:
        return str(int(amount))
    sign = "-" if amount < 0 else ""
    major, minor = divmod(abs(int(amount)), 100)
    return f"{sign}{major}.{minor:02d}"


def fmt_hours(value: float | None) -> str:
    """Hours with one decimal, or a dash."""
    return "–" if value is None else f"{value:.1f} h"
