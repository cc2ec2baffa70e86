"""Coaches domain."""
