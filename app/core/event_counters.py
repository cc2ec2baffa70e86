"""Counters of events that happen in any process (web workers and rq work horses), for /metrics.

With Redis (REDIS_URL) each counter is one Redis hash with a field per label set, so the count is
shared by every web worker and every rq work horse (rq forks one per job: prometheus_client's
multiprocess files would grow by a file per job that counted). A count that cannot reach Redis is
logged and lost; the RedisDown alert already fires then. Without Redis (inline jobs) the counters
are prometheus_client counters of the process (gunicorn's multiprocess directory adds them up).
"""

from __future__ import annotations

import logging

from flask import current_app, has_app_context
from prometheus_client import Counter
from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector

from app.core.metrics import multiprocess_dir

log = logging.getLogger(__name__)

KEY = "coach_connect:metrics:counter:{name}"
SEPARATOR = "\x1f"

# name -> (help, label names); exposed as coach_connect_<name>_total
COUNTERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "stripe_api_errors": (
        "Stripe API calls that failed (no answer, refused or rejected; card declines are failed payments).",
        ("operation", "error"),
    ),
}

# Not in the app's registry: exposed by CounterCollector (single process) or the multiprocess files.
_LOCAL = {
    name: Counter(f"coach_connect_{name}", doc, list(labels), registry=None) for name, (doc, labels) in COUNTERS.items()
}


def _redis():
    """The app's rq connection, or None (inline jobs, or outside an app)."""
    if not has_app_context():
        return None
    return getattr(current_app.extensions.get("jobs"), "connection", None)


def count(name: str, **labels: str) -> None:
    """Add one to counter `name` for these label values (never raises)."""
    values = [str(labels[label]) for label in COUNTERS[name][1]]
    connection = _redis()
    if connection is None:
        _LOCAL[name].labels(*values).inc()
        return
    try:
        connection.hincrby(KEY.format(name=name), SEPARATOR.join(values), 1)
    except Exception:  # noqa: BLE001 - counting never fails the caller
        log.warning("could not count %s %s", name, values, exc_info=True)


class CounterCollector(Collector):
    """Reads the Redis hashes at scrape time (or this process's counters when there is no Redis)."""

    def __init__(self, connection=None) -> None:
        self.connection = connection

    def collect(self):
        if self.connection is None:
            if not multiprocess_dir():  # else the multiprocess collector reads them from the files
                for counter in _LOCAL.values():
                    yield from counter.collect()
            return
        for name, (doc, labels) in COUNTERS.items():
            family = CounterMetricFamily(f"coach_connect_{name}", doc, labels=list(labels))
            try:
                raw = self.connection.hgetall(KEY.format(name=name))
            except Exception:  # noqa: BLE001 - Redis down: coach_connect_rq_up says so
                raw = {}
            for field, value in sorted(raw.items()):
                family.add_metric(field.decode().split(SEPARATOR), float(value))
            yield family
