"""INSERT ... ON CONFLICT in the bound database's dialect (PostgreSQL in production, SQLite in `make run`)."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db


def dialect_insert(model):
    """An `insert(model)` that has `.on_conflict_do_nothing()` on PostgreSQL and SQLite alike."""
    return (postgresql if db.engine.dialect.name == "postgresql" else sqlite).insert(model)
