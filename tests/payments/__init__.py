"""Payments tests."""
