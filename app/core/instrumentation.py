"""Benchmark instrumentation: SQL statements and server time per request, as response headers.

Enabled by the BENCH_INSTRUMENT setting only (off by default): each request answers with
`X-Query-Count` (statements sent to the database while handling it) and `X-Server-Time-ms`.
"""

from __future__ import annotations

import time

import sqlalchemy as sa
from flask import Flask, g, has_app_context

from app.extensions import db

QUERY_HEADER = "X-Query-Count"
TIME_HEADER = "X-Server-Time-ms"


def _count_statement(conn, cursor, statement, parameters, context, executemany) -> None:
    if has_app_context() and "bench_queries" in g:
        g.bench_queries += 1


def _start() -> None:
    g.bench_started = time.perf_counter()
    g.bench_queries = 0


def _finish(response):
    started = g.get("bench_started")
    if started is not None:
        response.headers[QUERY_HEADER] = str(g.get("bench_queries", 0))
        response.headers[TIME_HEADER] = f"{(time.perf_counter() - started) * 1000:.2f}"
    return response


def init_instrumentation(app: Flask) -> None:
    """Count statements on the app's engines and add the headers, when BENCH_INSTRUMENT is true."""
    if not app.config.get("BENCH_INSTRUMENT"):
        return
    with app.app_context():
        for engine in db.engines.values():
            sa.event.listen(engine, "before_cursor_execute", _count_statement)
    # First before_request (so the timing covers the others), last registered after_request.
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.after_request(_finish)
