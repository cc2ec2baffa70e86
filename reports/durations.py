"""Duration formatting for reports (money is formatted by app.core.money)."""

from __future__ import annotations


def fmt_hours(value: float | None) -> str:
    """Hours with one decimal, or a dash."""
    return "–" if value is None else f"{value:.1f} h"
