"""Job functions used only by the tests: one that always fails, counting its attempts in Redis."""

from __future__ import annotations

from rq import get_current_job


def always_fails(marker: int) -> None:
    """Raise every time; under rq, count the attempt in Redis key `attempts:<marker>`."""
    job = get_current_job()
    if job is not None:
        job.connection.incr(f"attempts:{marker}")
    raise RuntimeError(f"job {marker} failed on purpose")
