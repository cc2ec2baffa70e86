"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py wsgi:app`.

Threads (gthread) let a worker hold event streams open while it keeps answering pages; the
Prometheus directory is emptied when the master starts and a dead worker's live gauges are
dropped, so /metrics adds up the workers that exist.
"""

import os
import shutil
from pathlib import Path

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Sized to the cores: a Python process runs Python on one core at a time (the GIL), so one worker
# per core plus one (a spare for a worker stuck in a slow request or a GC pause); waiting on the
# database or the network is covered by threads, not processes. 2 cores -> 3 workers.
workers = int(os.environ.get("WEB_CONCURRENCY", str(len(os.sched_getaffinity(0)) + 1)))
worker_class = "gthread"
# Each open event stream (GET /api/stream) holds a thread while it waits; pages share the rest.
# An idle stream costs a thread stack and no database connection, so a worker runs many threads;
# the app refuses streams (503 + Retry-After) past STREAM_CAP, which keeps PAGE_THREADS for pages.
# 200: 3 workers hold 570 streams (500 idle streams measured at 66 KiB of memory each, make bench);
# a thread is started only when a request needs it, so the spare ones cost nothing.
threads = int(os.environ.get("GUNICORN_THREADS", "200"))
# Page threads per worker stay within SQLAlchemy's default pool (5 + 10 overflow connections).
PAGE_THREADS = int(os.environ.get("GUNICORN_PAGE_THREADS", "10"))
os.environ.setdefault("STREAM_CAP", str(max(1, threads - PAGE_THREADS)))
# Only now import config: its classes read the environment once, at import, and the workers fork
# from this process with the module loaded (imported above this line, STREAM_CAP stayed at 400).
from config import INSTANCE_DIR  # noqa: E402

timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))  # a worker silent this long is restarted
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))  # SIGTERM: finish requests first
keepalive = 5
# Workers are not recycled (max_requests = 0): each restarted worker leaves its counter files in
# the metrics directory until the next start, so recycling would grow it without bound.
max_requests = 0
accesslog = None  # the app writes one JSON line per request (app/core/request_log.py)
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# Set before the workers import the app: prometheus_client picks its storage at import time.
METRICS_DIR = os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", str(INSTANCE_DIR / "prometheus"))


def on_starting(server):
    """Empty the metrics directory: files left by an earlier run would add stale values."""
    shutil.rmtree(METRICS_DIR, ignore_errors=True)
    Path(METRICS_DIR).mkdir(parents=True, exist_ok=True)


def post_worker_init(worker):
    """Publish this worker's thread count (the saturation alerts divide by it)."""
    from app.core import metrics

    metrics.WORKER_THREADS.set(worker.cfg.threads)


def child_exit(server, worker):
    """Drop the dead worker's live gauges (requests in progress, open streams)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid, METRICS_DIR)
