"""One benchmarked URL and its raw SQL (see benchmarks/pages.py for how pages are listed)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    """One benchmarked URL and its equivalent raw SQL."""

    name: str
    path: str
    roles: tuple[str, ...] = ("admin",)
    sql: str = "SELECT 1"
    params: str | None = None
    target_p95_ms: float | None = None  # server time target from the issue, shown for reference
