"""The request id: taken from a well-formed X-Request-ID or generated, carried into logs and jobs."""

from __future__ import annotations

import contextlib
import contextvars
import re
import uuid
from collections.abc import Iterator

HEADER = "X-Request-ID"
# Letters, digits and -_.: only, 8 to 128 characters: anything else (spaces, quotes, newlines that
# could forge log lines, or an id too short to be unique) is replaced by a fresh one.
WELL_FORMED = re.compile(r"[A-Za-z0-9._:-]{8,128}")

_current: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)


def accept_or_generate(value: str | None) -> str:
    """The caller's id when well formed, otherwise a new random one."""
    if value and WELL_FORMED.fullmatch(value):
        return value
    return uuid.uuid4().hex


def current_request_id() -> str | None:
    """The id bound to this request or job, if any."""
    return _current.get()


def bind(request_id: str | None) -> contextvars.Token:
    """Bind an id to the current context (a request, or a job in the worker)."""
    return _current.set(request_id)


def unbind(token: contextvars.Token) -> None:
    """Restore the id bound before `bind`."""
    _current.reset(token)


@contextlib.contextmanager
def bound(request_id: str | None) -> Iterator[None]:
    """Bind an id for the duration of a block."""
    token = bind(request_id)
    try:
        yield
    finally:
        unbind(token)
