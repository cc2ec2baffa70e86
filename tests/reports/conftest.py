"""The analytics world fixture, shared with the report tests."""

from tests.analytics.conftest import world  # noqa: F401 - fixture
