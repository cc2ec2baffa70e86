"""Side effects (mail, jobs, Stripe calls) registered by services to run after the commit,
and `transaction()`, the one way a service commits."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator

from app.extensions import db

log = logging.getLogger(__name__)
_KEY = "after_commit_effects"
_DEPTH = "transaction_depth"


def on_commit(fn: Callable, *args, **kwargs) -> None:
    """Run fn(*args, **kwargs) once the current transaction commits; dropped on rollback."""
    db.session.info.setdefault(_KEY, []).append((fn, args, kwargs))


def commit(*, keep_loaded: bool = False) -> None:
    """Commit the session, then run the side effects registered during the transaction.

    `keep_loaded`: leave the loaded objects as this transaction wrote them instead of expiring them,
    for a request that only answers with what it just committed (no statement to read it back)."""
    session = db.session()
    expires = session.expire_on_commit
    session.expire_on_commit = expires and not keep_loaded
    try:
        session.commit()
    except Exception:
        rollback()
        raise
    finally:
        session.expire_on_commit = expires
    effects = db.session.info.pop(_KEY, [])
    for fn, args, kwargs in effects:
        fn(*args, **kwargs)


def rollback() -> None:
    """Roll back and forget the pending side effects."""
    db.session.info.pop(_KEY, None)
    db.session.rollback()


@contextlib.contextmanager
def transaction() -> Iterator[None]:
    """Commit once when the block ends, then run the after-commit effects; roll back on any error.

    A `with transaction():` inside another joins it: only the outermost block commits, so a
    service may call another service and the whole change still commits (or rolls back) once.
    """
    info = db.session.info
    depth = info.get(_DEPTH, 0)
    info[_DEPTH] = depth + 1
    try:
        yield
    except BaseException:
        info[_DEPTH] = depth
        if depth == 0:
            rollback()
        raise
    info[_DEPTH] = depth
    if depth == 0:
        commit()
