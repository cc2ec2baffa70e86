"""Payout details: IBAN validation (ISO 13616 mod-97) and encryption at rest (Fernet, key from env)."""

from __future__ import annotations

import base64
import hashlib
import re

from cryptography.fernet import Fernet
from flask import current_app

from app.core.errors import ValidationFailed

# Lengths by country (ISO 13616 registry) for the countries the marketplace pays out to.
IBAN_LENGTHS = {
    "AT": 20, "BE": 16, "CH": 21, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "EE": 20, "ES": 24,
    "FI": 18, "FR": 27, "GB": 22, "GR": 27, "HR": 21, "HU": 28, "IE": 22, "IS": 26, "IT": 27,
    "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MT": 31, "NL": 18, "NO": 15, "PL": 28,
    "PT": 25, "RO": 24, "SE": 24, "SI": 19, "SK": 24,
}  # fmt: skip


def normalise_iban(raw: str) -> str:
    """Upper case without spaces; ValidationFailed when the country, length or checksum is wrong."""
    iban = re.sub(r"[\s-]", "", raw or "").upper()
    if not re.fullmatch(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{8,30}", iban):
        raise ValidationFailed("That is not an IBAN.", fields={"iban": "An IBAN starts with two letters."})
    country = iban[:2]
    if country not in IBAN_LENGTHS:
        raise ValidationFailed("We cannot pay out to that country yet.", fields={"iban": f"{country}: not supported"})
    if len(iban) != IBAN_LENGTHS[country]:
        message = f"A {country} IBAN has {IBAN_LENGTHS[country]} characters."
        raise ValidationFailed(message, fields={"iban": message})
    digits = "".join(str(int(ch, 36)) for ch in iban[4:] + iban[:4])
    if int(digits) % 97 != 1:
        message = "The IBAN's check digits do not match; please check for a typo."
        raise ValidationFailed(message, fields={"iban": message})
    return iban


def _fernet() -> Fernet:
    key = current_app.config.get("PAYOUT_ENCRYPTION_KEY")
    if not key:
        raise RuntimeError("PAYOUT_ENCRYPTION_KEY is not set")
    try:
        return Fernet(key)
    except ValueError:  # not a Fernet key: derive one, so any long secret works
        return Fernet(base64.urlsafe_b64encode(hashlib.sha256(key.encode()).digest()))


def encrypt(plain: str) -> str:
    """The value encrypted with the configured key (a Fernet token)."""
    return _fernet().encrypt(plain.encode()).decode()


def decrypt(token: str) -> str:
    """The plain value back (for the payout run; never shown in full on a page)."""
    return _fernet().decrypt(token.encode()).decode()
