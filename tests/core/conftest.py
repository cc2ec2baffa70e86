"""Fixtures for the adapter tests: an rq backend on the test Redis wired into the app."""

from __future__ import annotations

import pytest
from redis import Redis

from app.core.jobs import RQJobs


@pytest.fixture
def redis(redis_url):
    """The test Redis database, flushed before and after the test."""
    connection = Redis.from_url(redis_url)
    connection.flushdb()
    yield connection
    connection.flushdb()
    connection.close()


@pytest.fixture
def rq_jobs(app, redis, redis_url, monkeypatch):
    """The app's jobs backend switched to rq on the test Redis, retrying twice without delay."""
    backend = RQJobs(redis_url, retry_intervals=[0, 0])
    monkeypatch.setitem(app.extensions, "jobs", backend)
    yield backend
    backend.connection.close()


def run_burst(connection, *queues: str) -> None:
    """Run every job waiting on `queues` in this process (rq SimpleWorker, burst mode)."""
    from rq import Queue, SimpleWorker

    worker = SimpleWorker([Queue(q, connection=connection) for q in queues], connection=connection)
    worker.work(burst=True)
