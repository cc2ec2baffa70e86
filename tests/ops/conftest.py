"""Fixtures for the operations tests: the rq backend on the test Redis (shared with tests/core)."""

from tests.core.conftest import redis, rq_jobs  # noqa: F401 - fixtures
