"""factory-boy factories, one module per domain; the common ones are re-exported here."""

from tests.factories.accounts import PASSWORD, BaseFactory, StaffFactory, UserFactory  # noqa: F401
