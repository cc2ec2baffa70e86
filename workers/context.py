"""An application context for jobs, whether run inline (already inside one) or by rq."""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Callable, Iterator

from flask import has_app_context

_app = None
built_in_pid: int | None = None  # the process that built the app: the rq worker itself, not each job's fork


def worker_app():
    """The app of this process, built on first use. `rq worker -c workers.rq_settings` calls this in
    the worker before it forks a work horse per job, so no job builds the app again (that took
    8-16 s per job under load). Each horse drops the pooled connections it inherited."""
    global _app, built_in_pid
    if _app is None:
        from app import create_app

        _app = create_app()
        built_in_pid = os.getpid()
        os.register_at_fork(after_in_child=_forget_inherited_connections)
    return _app


def _forget_inherited_connections() -> None:
    # SQLAlchemy's advice for a fork: the child starts with an empty pool and leaves the parent's
    # sockets alone (close=False), so the two never talk over one connection.
    from app.extensions import db

    with _app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)


@contextlib.contextmanager
def app_context() -> Iterator[None]:
    """Reuse the current app context, or the process's app (built once) with a context per job."""
    if has_app_context():
        yield
        return
    with worker_app().app_context():
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
