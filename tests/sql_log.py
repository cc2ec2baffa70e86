"""count_queries(): the SQL statements the app sends while the block runs (for query-count tests);
plans_of_request(): the plans of the statements a request sends (for index tests)."""

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


def plans_of_request(client, path: str, marker: str, off=("seqscan", "indexscan")) -> list[str]:
    """EXPLAIN of each statement that GET `path` sends holding `marker`, with the `off` plan kinds
    priced out: the suite's tables are tiny, so a sequential scan or walking the primary key in the
    list's order wins otherwise; what is left shows which index can serve the filter."""
    seen: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        response = client.get(path)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    assert response.status_code == 200
    plans = []
    with db.engine.connect() as conn:
        for kind in off:
            conn.exec_driver_sql(f"SET enable_{kind} = off")
        for statement, parameters in seen:
            if marker in statement:
                plans.append("\n".join(row[0] for row in conn.exec_driver_sql("EXPLAIN " + statement, parameters)))
        conn.rollback()
    return plans
