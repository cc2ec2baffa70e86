"""The JSON API under /api: Bearer token or session + CSRF; errors as {"error": {...}}."""

from flask import Blueprint

bp = Blueprint("api", __name__)

from app.api import openapi, views  # noqa: E402,F401
