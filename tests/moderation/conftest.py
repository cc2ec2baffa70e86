"""Moderation test fixtures."""

from tests.factories.community import switching_login_as as login_as  # noqa: F401
