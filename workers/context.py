"""An application context for jobs, whether run inline (already inside one) or by rq."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator

from flask import has_app_context

_app = None


@contextlib.contextmanager
def app_context() -> Iterator[None]:
    """Reuse the current app context, or build the app once per worker process."""
    global _app
    if has_app_context():
        yield
        return
    if _app is None:
        from app import create_app

        _app = create_app()
    with _app.app_context():
        yield


def job(fn: Callable) -> Callable:
    """Run an rq entry point inside an application context."""

    @functools.wraps(fn)
    def wrapped(*args, **kwargs):
        with app_context():
            return fn(*args, **kwargs)

    return wrapped
