"""Separation of duties: nobody decides a matter they have a stake in, admins included.

A service that finds the actor deciding their own coach application, moderating their own
content or a flag they raised, or deciding a refund paid to themselves calls `refuse()`: the
attempt is undone, the refusal is written to the audit log (committed, so it survives the error),
and the caller raises the returned error.
"""

from __future__ import annotations

from typing import Any

from app.core import audit
from app.core.effects import commit, rollback
from app.core.errors import PermissionDenied

REFUSED_PREFIX = "refused."  # audit action of a refusal: refused.<what was attempted>


class OwnInterest(PermissionDenied):
    """The actor has a stake in the decision (their own application, content, flag or refund)."""

    code = "own_interest"


def refuse(actor: Any, attempted: str, obj: Any, message: str) -> OwnInterest:
    """Roll back, audit `refused.<attempted>` on `obj` in its own commit, and return the error to raise."""
    rollback()
    audit.record(actor, REFUSED_PREFIX + attempted, obj, None, {"rule": "separation_of_duties", "message": message})
    commit()
    return OwnInterest(message)
