"""Prometheus metrics of the web processes: request duration, requests in progress, open streams.

Under gunicorn, PROMETHEUS_MULTIPROC_DIR (set by gunicorn.conf.py before the app is imported)
makes every worker write its values to files there, and a scrape adds them up. Collectors that
read state elsewhere (Redis queues, database rows) are passed to `render` and run at scrape time.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.registry import Collector

# The app's own registry: several apps built in one process (tests) share these metric objects.
REGISTRY = CollectorRegistry(auto_describe=True)

REQUEST_SECONDS = Histogram(
    "coach_connect_http_request_duration_seconds",
    "Time to answer a request, by Flask URL rule (never the raw path), method and status class.",
    ["route", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    registry=REGISTRY,
)
IN_PROGRESS = Gauge(
    "coach_connect_http_requests_in_progress",
    "Requests being handled right now (busy threads, summed over workers).",
    registry=REGISTRY,
    multiprocess_mode="livesum",
)
STREAMS_OPEN = Gauge(
    "coach_connect_event_streams_open",
    "Event streams (server-sent events) held open right now.",
    registry=REGISTRY,
    multiprocess_mode="livesum",
)
EXCEPTIONS = Counter(
    "coach_connect_http_exceptions",
    "Requests that raised an unexpected exception (answered 500).",
    ["route"],
    registry=REGISTRY,
)
WORKER_THREADS = Gauge(
    "coach_connect_http_worker_threads",
    "Request threads the live gunicorn workers have (capacity for requests and streams).",
    registry=REGISTRY,
    multiprocess_mode="livesum",
)
DB_POOL_CHECKED_OUT = Gauge(
    "coach_connect_db_pool_checked_out",
    "Database connections in use right now, summed over processes.",
    registry=REGISTRY,
    multiprocess_mode="livesum",
)
DB_POOL_LIMIT = Gauge(
    "coach_connect_db_pool_limit",
    "Connections the pools may open (size + overflow), summed over processes.",
    registry=REGISTRY,
    multiprocess_mode="livesum",
)

UNMATCHED_ROUTE = "<unmatched>"  # 404s and other requests that matched no URL rule


def multiprocess_dir() -> str | None:
    """The shared metrics directory when running under gunicorn's multiprocess setup."""
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or os.environ.get("prometheus_multiproc_dir")


def status_class(status: int) -> str:
    """'2xx', '4xx', '5xx'..."""
    return f"{status // 100}xx"


def observe_request(route: str | None, method: str, status: int, seconds: float) -> None:
    """Record one answered request."""
    REQUEST_SECONDS.labels(route or UNMATCHED_ROUTE, method, status_class(status)).observe(seconds)


@contextlib.contextmanager
def stream_open() -> Iterator[None]:
    """Count an event stream as open while the block runs (wrap the generator's body in it)."""
    STREAMS_OPEN.inc()
    try:
        yield
    finally:
        STREAMS_OPEN.dec()


def watch_pool(engine) -> None:
    """Count the engine's checked-out connections and add its limit (QueuePool engines only)."""
    import sqlalchemy as sa

    pool = engine.pool
    if not hasattr(pool, "size") or not hasattr(pool, "_max_overflow"):
        return  # SQLite's pools have no limit worth watching
    DB_POOL_LIMIT.inc(pool.size() + max(pool._max_overflow, 0))
    sa.event.listen(engine, "checkout", lambda *a: DB_POOL_CHECKED_OUT.inc())
    sa.event.listen(engine, "checkin", lambda *a: DB_POOL_CHECKED_OUT.dec())


def render(collectors: Iterable[Collector] = ()) -> tuple[bytes, str]:
    """The text exposition of every process's metrics plus the scrape-time collectors."""
    registry = CollectorRegistry(auto_describe=False)
    directory = multiprocess_dir()
    if directory:
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry, path=directory)
    else:
        registry.register(_Forward(REGISTRY))
    for collector in collectors:
        registry.register(collector)
    return generate_latest(registry), CONTENT_TYPE_LATEST


class _Forward(Collector):
    """Exposes another registry's metrics (single-process mode)."""

    def __init__(self, source: CollectorRegistry) -> None:
        self.source = source

    def collect(self):
        yield from self.source.collect()
