"""Accounts: sign-up, login with TOTP for staff, settings and API tokens."""
