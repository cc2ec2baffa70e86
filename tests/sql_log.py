"""count_queries(): the SQL statements the app sends while the block runs (for query-count tests)."""

from __future__ import annotations

import contextlib

import sqlalchemy as sa

from app.extensions import db


@contextlib.contextmanager
def count_queries():
    """Yield a list that collects every statement sent to the database inside the block."""
    statements: list[str] = []

    def before(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", before)
