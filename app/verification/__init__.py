"""Verification domain: coach applications, certificate checks, the review queue."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the applicant pages, the staff queue, the API routes and the console summary."""
