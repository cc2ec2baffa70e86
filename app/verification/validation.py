"""Server-side validation of the application's four steps, shared by the form and the API.

Each step validator takes raw input (strings or lists) and returns clean values or a dict of
field -> message; the same field names are used by the form, the API and the error JSON.
"""

from __future__ import annotations

import re
from datetime import date

from app.coaches.models import CertificationLevel
from app.core.errors import ValidationFailed
from app.core.money import parse as parse_money
from app.core.money import to_minor

STEPS = {1: "Personal information", 2: "Certification", 3: "Experience", 4: "Business"}
STEP_FIELDS = {
    1: ("first_name", "last_name", "phone"),
    2: ("ipec_number", "certification_level", "certification_date", "certificate"),
    3: ("years_experience", "specializations", "previous_coaching", "other_certifications"),
    4: ("hourly_rate", "currency", "availability_summary", "languages", "services", "bio"),
}
CURRENCIES = ("EUR", "USD", "GBP", "CHF", "CAD", "AUD")
PHONE = re.compile(r"^\+?[0-9 ()./-]{6,30}$")
LANGUAGE = re.compile(r"^[a-z]{2}$")
MAX_RATE_MAJOR = 10_000  # per hour, in the currency's major units


def _text(raw: dict, name: str, limit: int) -> str:
    value = raw.get(name)
    return (value if isinstance(value, str) else "").strip()[:limit]


def _list(raw: dict, name: str) -> list[str]:
    """A repeated field, or one comma-separated string; trimmed, de-duplicated, order kept."""
    value = raw.get(name)
    items = value if isinstance(value, list | tuple) else [value] if isinstance(value, str) else []
    out: list[str] = []
    for item in items:
        for part in str(item).split(","):
            part = part.strip()
            if part and part not in out:
                out.append(part[:60])
    return out


def validate_personal(raw: dict) -> dict:
    """Step 1: first and last name required, phone plausible."""
    errors, clean = {}, {}
    for name, label in (("first_name", "first name"), ("last_name", "last name")):
        clean[name] = _text(raw, name, 80)
        if not clean[name]:
            errors[name] = f"Please enter your {label}."
    clean["phone"] = _text(raw, "phone", 40)
    if not clean["phone"]:
        errors["phone"] = "Please enter a phone number."
    elif not PHONE.match(clean["phone"]):
        errors["phone"] = "Use digits, spaces and + ( ) - only, for example +49 30 1234567."
    return _done(clean, errors)


def validate_certification(raw: dict) -> dict:
    """Step 2: iPEC number, level and a past date (the file is checked separately)."""
    errors, clean = {}, {}
    clean["ipec_number"] = _text(raw, "ipec_number", 32).upper()
    if not clean["ipec_number"]:
        errors["ipec_number"] = "Please enter your iPEC certification number."
    elif not re.match(r"^IPEC-\d{4,8}$", clean["ipec_number"]):
        errors["ipec_number"] = "An iPEC number looks like IPEC-123456 (IPEC- and 4 to 8 digits)."
    level = _text(raw, "certification_level", 20).lower()
    try:
        clean["certification_level"] = CertificationLevel(level)
    except ValueError:
        errors["certification_level"] = "Choose Associate, Professional or Master."
    raw_date = _text(raw, "certification_date", 20)
    try:
        clean["certification_date"] = date.fromisoformat(raw_date)
        if clean["certification_date"] > date.today():
            errors["certification_date"] = "The certification date cannot be in the future."
    except ValueError:
        errors["certification_date"] = "Enter the date as YYYY-MM-DD."
    return _done(clean, errors)


def validate_experience(raw: dict) -> dict:
    """Step 3: years of experience and at least one specialization."""
    errors, clean = {}, {}
    try:
        clean["years_experience"] = int(_text(raw, "years_experience", 4))
        if not 0 <= clean["years_experience"] <= 60:
            errors["years_experience"] = "Enter a number of years between 0 and 60."
    except ValueError:
        errors["years_experience"] = "Enter a whole number of years."
    clean["specializations"] = _list(raw, "specializations")[:10]
    if not clean["specializations"]:
        errors["specializations"] = "Name at least one specialization, for example career or leadership."
    clean["previous_coaching"] = _text(raw, "previous_coaching", 4000)
    clean["other_certifications"] = _text(raw, "other_certifications", 4000)
    return _done(clean, errors)


def parse_rate(raw: dict, currency: str) -> int | None:
    """hourly_rate as integer minor units (API), or hourly_rate_major as a decimal in the currency (form)."""
    major = _text(raw, "hourly_rate_major", 12)
    if major:
        return parse_money(major, currency)
    try:
        return int(_text(raw, "hourly_rate", 12))
    except ValueError:
        return None


def validate_business(raw: dict) -> dict:
    """Step 4: a positive hourly rate in a supported currency, at least one language."""
    errors, clean = {}, {}
    clean["currency"] = _text(raw, "currency", 3).upper()
    if clean["currency"] not in CURRENCIES:
        errors["currency"] = f"Choose one of {', '.join(CURRENCIES)}."
    currency = clean["currency"] if clean["currency"] in CURRENCIES else CURRENCIES[0]
    rate = parse_rate(raw, currency)
    if rate is None or not 0 < rate <= to_minor(MAX_RATE_MAJOR, currency):
        errors["hourly_rate"] = "Enter an hourly rate above 0 and up to 10,000."
    clean["hourly_rate_amount"] = rate
    clean["languages"] = [code.lower() for code in _list(raw, "languages")][:10]
    if not clean["languages"]:
        errors["languages"] = "Name at least one language as a two-letter code, for example en."
    elif not all(LANGUAGE.match(code) for code in clean["languages"]):
        errors["languages"] = "Use two-letter language codes, for example en, de, fr."
    clean["availability_summary"] = _text(raw, "availability_summary", 2000)
    clean["services"] = _text(raw, "services", 4000)
    clean["bio"] = _text(raw, "bio", 4000)
    return _done(clean, errors)


VALIDATORS = {1: validate_personal, 2: validate_certification, 3: validate_experience, 4: validate_business}


def _done(clean: dict, errors: dict) -> dict:
    if errors:
        raise ValidationFailed("Please correct the marked fields.", fields=errors)
    return clean


def validate_step(step: int, raw: dict) -> dict:
    """Clean values of one step, or ValidationFailed naming each bad field."""
    if step not in VALIDATORS:
        raise ValidationFailed("There is no such step.", fields={"step": "Steps are 1 to 4."})
    return VALIDATORS[step](raw)


def application_values(application) -> dict:
    """The saved answers in the raw shape validators accept (to re-check everything on submit)."""
    a = application
    return {
        "first_name": a.first_name,
        "last_name": a.last_name,
        "phone": a.phone,
        "ipec_number": a.ipec_number or "",
        "certification_level": a.certification_level.value if a.certification_level else "",
        "certification_date": a.certification_date.isoformat() if a.certification_date else "",
        "years_experience": "" if a.years_experience is None else str(a.years_experience),
        "specializations": list(a.specializations or []),
        "previous_coaching": a.previous_coaching,
        "other_certifications": a.other_certifications,
        "hourly_rate": "" if a.hourly_rate_amount is None else str(a.hourly_rate_amount),
        "currency": a.currency or "",
        "availability_summary": a.availability_summary,
        "languages": list(a.languages or []),
        "services": a.services,
        "bio": a.bio,
    }
