"""BENCH_INSTRUMENT: X-Query-Count and X-Server-Time-ms headers, off by default."""

from __future__ import annotations

from app import create_app
from app.core.instrumentation import QUERY_HEADER, TIME_HEADER
from app.extensions import db
from config import TestingConfig
from tests.conftest import TEST_DATABASE_URL
from tests.factories.accounts import UserFactory


def test_headers_absent_by_default(client):
    resp = client.get("/healthz")
    assert resp.status_code == 200
    assert QUERY_HEADER not in resp.headers and TIME_HEADER not in resp.headers


def test_headers_count_statements_when_enabled(app):
    user = UserFactory()
    bench = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=TEST_DATABASE_URL, BENCH_INSTRUMENT=True)
    try:
        client = bench.test_client()
        resp = client.get("/healthz")
        assert resp.status_code == 200
        assert resp.headers[QUERY_HEADER] == "1"  # SELECT 1
        assert float(resp.headers[TIME_HEADER]) >= 0
        with client.session_transaction() as session:
            session["_user_id"] = str(user.id)
            session["_fresh"] = True
        resp = client.get("/api/me")
        assert resp.status_code == 200
        assert int(resp.headers[QUERY_HEADER]) >= 1  # the user is loaded from the database
        assert client.get("/healthz").headers[QUERY_HEADER] == "1"  # counted per request, not cumulated
    finally:
        with bench.app_context():
            db.session.remove()
            db.engine.dispose()
