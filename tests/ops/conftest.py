"""Fixtures for the operations tests: the rq backend on the test Redis (shared with tests/core),
the app on localstripe (shared with tests/payments)."""

from tests.core.conftest import redis, rq_jobs  # noqa: F401 - fixtures
from tests.payments.conftest import stripe_app  # noqa: F401 - fixture
