"""Per-minute limits on the call's POSTs (signals, attendance reports), per user and booking.

A fixed one-minute window counted in Redis (the jobs connection: shared by every web worker) or,
without Redis, in this process. A count Redis cannot take is let through: a call is never cut off
because Redis is down. The limits sit far above what a page sends (a beat every 15 s; a few dozen
signals per connection) and stop only a runaway or hostile client.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime

from flask import current_app

from app.core.errors import RateLimited

log = logging.getLogger(__name__)

KEY = "coach_connect:video:limit:{kind}:{user}:{booking}:{minute}"
LIMITS = {"signal": "VIDEO_SIGNALS_PER_MINUTE", "attendance": "VIDEO_REPORTS_PER_MINUTE"}
_local: dict[str, int] = {}
_local_lock = threading.Lock()


def _redis():
    return getattr(current_app.extensions.get("jobs"), "connection", None)


def _count(key: str, minute: int) -> int:
    connection = _redis()
    if connection is not None:
        try:
            pipe = connection.pipeline()
            pipe.incr(key)
            pipe.expire(key, 120)
            return int(pipe.execute()[0])
        except Exception:  # noqa: BLE001 - Redis down: let the call go on
            log.warning("video limit not counted (%s)", key, exc_info=True)
            return 0
    with _local_lock:
        for old in [k for k in _local if not k.endswith(f":{minute}")]:
            del _local[old]
        _local[key] = _local.get(key, 0) + 1
        return _local[key]


def check_limit(kind: str, user_id: int, booking_id: int, now: datetime) -> None:
    """Count one `kind` POST; RateLimited (429, Retry-After) past the minute's limit."""
    limit = int(current_app.config[LIMITS[kind]])
    minute = int(now.timestamp() // 60)
    if _count(KEY.format(kind=kind, user=user_id, booking=booking_id, minute=minute), minute) > limit:
        retry = max(1, 60 - int(now.timestamp() % 60))
        raise RateLimited(f"Too many video {kind} requests; try again in {retry} seconds.", retry_after=retry)
