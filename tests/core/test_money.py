"""app.core.money: ISO 4217 exponents in parsing, display and Stripe amounts (JPY 0, EUR 2, KWD 3)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.core import money


@pytest.mark.parametrize(
    ("currency", "digits"), [("EUR", 2), ("usd", 2), ("JPY", 0), ("KRW", 0), ("KWD", 3), ("BHD", 3), ("HUF", 2)]
)
def test_exponent_comes_from_the_iso_table(currency, digits):
    assert money.exponent(currency) == digits


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [
        ("12.50", "EUR", 1250),
        ("12,50", "EUR", 1250),
        ("1,234.50", "EUR", 123450),
        ("5000", "JPY", 5000),
        ("1.250", "KWD", 1250),
        ("12.5", "KWD", 12500),
        ("12", "KWD", 12000),
    ],
)
def test_parse_reads_major_units_in_the_currency(text, currency, minor):
    assert money.parse(text, currency) == minor


@pytest.mark.parametrize(
    ("text", "currency"),
    [("12.5", "JPY"), ("1.2345", "KWD"), ("12.505", "EUR"), ("0", "EUR"), ("-3", "EUR"), ("NaN", "EUR"),
     ("Infinity", "EUR"), ("1e999", "EUR"), ("١٢", "EUR"), ("", "EUR"), ("abc", "EUR")],
)  # fmt: skip
def test_parse_refuses_what_the_currency_cannot_hold(text, currency):
    assert money.parse(text, currency) is None


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        (123450, "EUR", "EUR 1,234.50"),
        (5000, "JPY", "JPY 5,000"),
        (1250, "KWD", "KWD 1.250"),
        (12500, "kwd", "KWD 12.500"),
        (-2550, "EUR", "EUR -25.50"),
        (0, "EUR", "EUR 0.00"),
        (None, "EUR", "—"),
    ],
)
def test_format_money_shows_the_currency_decimals(amount, currency, shown):
    assert money.format_money(amount, currency) == shown


def test_plain_and_to_major_are_exact():
    assert money.plain(123450, "EUR") == "1234.50"
    assert money.plain(5000, "JPY") == "5000"
    assert money.plain(1250, "KWD") == "1.250"
    assert money.to_major(10**17 + 1, "EUR") == Decimal("1000000000000000.01")  # no float rounding


@pytest.mark.parametrize(
    ("amount", "currency", "stripe"),
    [(9000, "EUR", 9000), (5000, "JPY", 5000), (12500, "KWD", 12500), (500, "ISK", 50000), (10000, "MGA", 100)],
)
def test_provider_amounts_follow_stripes_units(amount, currency, stripe):
    assert money.to_provider(amount, currency) == stripe
    assert money.from_provider(stripe, currency) == amount


@pytest.mark.parametrize(("amount", "currency"), [(1255, "KWD"), (150, "MGA")])
def test_amounts_stripe_cannot_take_are_refused(amount, currency):
    with pytest.raises(money.MoneyError, match="cannot be charged"):
        money.to_provider(amount, currency)
