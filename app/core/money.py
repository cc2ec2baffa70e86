"""Money: integer minor units plus an ISO 4217 currency, parsed, shown and sent to Stripe from one table.

Every amount we store is in the currency's ISO 4217 minor unit (EUR cents, whole yen, KWD fils,
a thousandth of a dinar). `EXPONENTS` holds each currency whose minor unit is not a hundredth;
every other three-letter code has two decimals. Stripe's own amounts differ from ISO for a few
currencies (ISK counted in hundredths, MGA in whole units, three-decimal currencies ending in 0):
`to_provider` and `from_provider` convert, and nothing else multiplies or divides by 100.
Pure Python (Babel for digit grouping): the report builders use it without Flask.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from babel.numbers import format_decimal

# ISO 4217 minor units of the active currencies that do not have two decimals.
EXPONENTS: dict[str, int] = {
    # no minor unit
    "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0, "PYG": 0,
    "RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
    # thousandths
    "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
    # ten-thousandths (units of account)
    "CLF": 4, "UYW": 4,
}  # fmt: skip
DEFAULT_EXPONENT = 2

# Where Stripe's API counts a currency in other units than ISO 4217 (stripe.com/docs/currencies).
STRIPE_EXPONENTS: dict[str, int] = {"ISK": 2, "MGA": 0}
# Stripe accepts three-decimal amounts only with a last digit of 0.
STRIPE_THREE_DECIMAL_STEP = 10

# Typed amounts stay far below BIGINT's range in every exponent (1e18 minor units).
MAX_MAJOR = Decimal(10**12)
CODE = re.compile(r"^[A-Z]{3}$")
LOCALE = "en"


class MoneyError(ValueError):
    """An amount that cannot be represented in a currency (or at the provider)."""


def currency_code(currency: str) -> str:
    """The upper-case three-letter code; MoneyError for anything else."""
    code = (currency or "").strip().upper()
    if not CODE.match(code):
        raise MoneyError(f"{currency!r} is not a currency code.")
    return code


def exponent(currency: str) -> int:
    """How many decimals the currency's minor unit has: EUR 2, JPY 0, KWD 3."""
    return EXPONENTS.get(currency_code(currency), DEFAULT_EXPONENT)


def to_major(amount: int, currency: str) -> Decimal:
    """Minor units as an exact Decimal in major units: 1250 EUR -> 12.50, 1250 KWD -> 1.250."""
    digits = exponent(currency)
    return Decimal(int(amount)).scaleb(-digits).quantize(Decimal(1).scaleb(-digits))


def to_minor(value: Decimal | int, currency: str) -> int:
    """A major-unit Decimal as minor units; MoneyError when it has more decimals than the currency."""
    minor = Decimal(value).scaleb(exponent(currency))
    if not minor.is_finite() or minor != minor.to_integral_value():
        raise MoneyError(f"{value} {currency_code(currency)} has more decimals than the currency has.")
    return int(minor)


def major_or_none(text: str | None) -> Decimal | None:
    """A typed positive amount in major units, or None. A lone comma is read as the decimal mark
    ('12,50'); with both marks the comma groups ('1,234.50')."""
    raw = (text or "").strip().replace(" ", "").replace("\u00a0", "")
    raw = raw.replace(",", "") if "." in raw else raw.replace(",", ".")
    if not raw.isascii() or len(raw) > 24:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        return None
    if not value.is_finite() or not 0 < value < MAX_MAJOR:  # "Infinity" and "NaN" are Decimals too
        return None
    return value


def parse(text: str | None, currency: str) -> int | None:
    """'12.50' EUR -> 1250, '1.250' KWD -> 1250, '500' JPY -> 500; None unless a positive amount
    with at most the currency's decimals (read as major_or_none reads it)."""
    value = major_or_none(text)
    if value is None:
        return None
    try:
        return to_minor(value, currency)
    except MoneyError:
        return None


def plain(amount: int, currency: str) -> str:
    """The amount for a form field or CSV, without grouping: 123450 EUR -> '1234.50', 500 JPY -> '500'."""
    return str(to_major(amount, currency))


def _pattern(currency: str) -> str:
    digits = exponent(currency)
    return "#,##0" + ("." + "0" * digits if digits else "")


def format_amount(amount: int, currency: str, locale: str = LOCALE) -> str:
    """The amount with grouping and the currency's decimals: '1,234.50', '¥'-less '1,234', '1.250'."""
    return format_decimal(to_major(amount, currency), format=_pattern(currency), locale=locale)


def format_money(amount: int | None, currency: str | None, locale: str = LOCALE) -> str:
    """'EUR 1,234.50', 'JPY 1,234', 'KWD 1.250' from minor units; a dash when either is missing."""
    if amount is None or currency is None:
        return "—"
    return f"{currency_code(currency)} {format_amount(amount, currency, locale)}"


def to_provider(amount: int, currency: str) -> int:
    """Our minor units as Stripe's amount: the same for most, x100 for ISK, /100 for MGA; MoneyError
    when Stripe cannot take the amount (a three-decimal amount not ending in 0, MGA cents)."""
    code = currency_code(currency)
    shift = STRIPE_EXPONENTS.get(code, exponent(code)) - exponent(code)
    provider = Decimal(int(amount)).scaleb(shift)
    if provider != provider.to_integral_value():
        raise MoneyError(f"{format_money(amount, code)} cannot be charged: Stripe takes whole {code} only.")
    if exponent(code) == 3 and code not in STRIPE_EXPONENTS and int(provider) % STRIPE_THREE_DECIMAL_STEP:
        raise MoneyError(f"{format_money(amount, code)} cannot be charged: Stripe takes {code} in steps of 0.010.")
    return int(provider)


def from_provider(amount: int, currency: str) -> int:
    """Stripe's amount as our minor units (the inverse of to_provider)."""
    code = currency_code(currency)
    shift = exponent(code) - STRIPE_EXPONENTS.get(code, exponent(code))
    return int(Decimal(int(amount)).scaleb(shift).to_integral_value())
