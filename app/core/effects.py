"""Side effects (mail, jobs, Stripe calls) registered by services to run after the commit."""

from __future__ import annotations

import logging
from collections.abc import Callable

from app.extensions import db

log = logging.getLogger(__name__)
_KEY = "after_commit_effects"


def on_commit(fn: Callable, *args, **kwargs) -> None:
    """Run fn(*args, **kwargs) once the current transaction commits; dropped on rollback."""
    db.session.info.setdefault(_KEY, []).append((fn, args, kwargs))


def commit() -> None:
    """Commit the session, then run the side effects registered during the transaction."""
    try:
        db.session.commit()
    except Exception:
        rollback()
        raise
    effects = db.session.info.pop(_KEY, [])
    for fn, args, kwargs in effects:
        fn(*args, **kwargs)


def rollback() -> None:
    """Roll back and forget the pending side effects."""
    db.session.info.pop(_KEY, None)
    db.session.rollback()
