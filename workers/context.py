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


def _job_request_id() -> str | None:
    """The id of the request that enqueued the running rq job (None inline or outside rq)."""
    from rq import get_current_job

    current = get_current_job()
    return current.meta.get("request_id") if current is not None else None


def job(fn: Callable) -> Callable:
    """Run an rq entry point inside an application context."""

    @functools.wraps(fn)
    def wrapped(*args, **kwargs):
        from app.core.error_tracking import tag_request_id
        from app.core.request_id import bound, current_request_id

        request_id = _job_request_id() or current_request_id()
        with app_context(), bound(request_id):
            tag_request_id(request_id)
            return fn(*args, **kwargs)

    return wrapped
