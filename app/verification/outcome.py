"""One check's verdict (pass / warn / fail with a sentence) and where on the page its evidence is."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.verification.models import CheckResult


@dataclass
class Outcome:
    """One check's verdict; `boxes` outline the words it read on the first page (fractions)."""

    name: str
    result: CheckResult
    message: str
    boxes: list[tuple[float, float, float, float]] = field(default_factory=list)


def passed(name: str, message: str, boxes=None) -> Outcome:
    """A pass."""
    return Outcome(name, CheckResult.PASS, message, list(boxes or []))


def warned(name: str, message: str, boxes=None) -> Outcome:
    """A warning: a reviewer should look."""
    return Outcome(name, CheckResult.WARN, message, list(boxes or []))


def failed(name: str, message: str, boxes=None) -> Outcome:
    """A failure."""
    return Outcome(name, CheckResult.FAIL, message, list(boxes or []))
