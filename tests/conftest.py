"""Fixtures: the app on real PostgreSQL (schema built by the migrations), clients, logins,
and the real stand-in services (Redis, localstripe, moto_server, aiosmtpd) on free ports.

A missing service fails the tests that need it; nothing is skipped.
"""

from __future__ import annotations

import os

import pyotp
import pytest
import sqlalchemy as sa
from flask import has_app_context
from flask.testing import FlaskClient

from app import create_app
from app.extensions import db
from config import TestingConfig
from tests.clock import describe, start_travel
from tests.services import (  # noqa: F401 - fixtures
    localstripe_url,
    redis_url,
    s3_endpoint,
    smtp_server,
)


def pytest_configure(config):
    """Move the clock first (TEST_NOW), before any test module computes a time."""
    config._suite_traveller = start_travel()


def pytest_unconfigure(config):
    traveller = getattr(config, "_suite_traveller", None)
    if traveller is not None:
        traveller.stop()


def pytest_collection_modifyitems(items):
    """Browser walks last: their live server serves the app without SERVER_NAME from then on."""
    items.sort(key=lambda item: item.get_closest_marker("e2e") is not None)


def pytest_report_header(config):
    return describe()


def pytest_terminal_summary(terminalreporter):
    """The security probes' counts, so a run says how much it checked."""
    from tests.permissions import COUNTS

    if COUNTS["routes"]:
        terminalreporter.write_line(
            f"permissions: {COUNTS['requests']} requests probed over {COUNTS['routes']} routes and methods"
        )
    if COUNTS["object_checks"]:
        terminalreporter.write_line(f"permissions: {COUNTS['object_checks']} cross-user object checks")
    from tests.e2e.budgets import SLOW_NETWORK_ROWS, WEIGHT_ROWS

    if WEIGHT_ROWS:
        terminalreporter.write_line("page weight (transferred, KB):   JS+CSS    total  budget")
        for row in WEIGHT_ROWS:
            terminalreporter.write_line(f"  {row}")
    if SLOW_NETWORK_ROWS:
        terminalreporter.write_line("largest contentful paint at 400 kbit/s, 400 ms RTT (budget 3000 ms):")
        for row in SLOW_NETWORK_ROWS:
            terminalreporter.write_line(f"  {row}")


TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")


def _ensure_database(url: str) -> None:
    """Create the test database if it does not exist (each worktree or CI may use its own)."""
    target = sa.engine.make_url(url)
    engine = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            exists = conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target.database})
            if not exists:
                conn.execute(sa.text(f'CREATE DATABASE "{target.database}"'))
    except sa.exc.OperationalError as exc:
        pytest.fail(f"PostgreSQL is not reachable at {url}: {exc}. Run `make services`.", pytrace=False)
    finally:
        engine.dispose()


class IsolatedClient(FlaskClient):
    """A test client whose every request runs in its own app context and database session.

    As in production, nothing a request leaves uncommitted reaches anybody else, and `g` starts
    empty. The test's own session is expired afterwards, so its next read sees what the request
    committed (and only that).
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        if has_app_context():
            db.session.expire_all()
        return response


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    """One app for the session; the schema comes from `flask db upgrade` on a clean database."""
    _ensure_database(TEST_DATABASE_URL)
    application = create_app(
        TestingConfig,
        SQLALCHEMY_DATABASE_URI=TEST_DATABASE_URL,
        UPLOAD_FOLDER=str(tmp_path_factory.mktemp("uploads")),
        SERVER_NAME="localhost",
    )
    application.test_client_class = IsolatedClient
    from flask_migrate import upgrade

    with application.app_context():
        with db.engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade()
        with db.engine.begin() as conn:  # the suite's sessions, anchored around SUITE_NOW, all come after it
            conn.execute(sa.text("UPDATE video_rollouts SET started_at = '2000-01-01T00:00:00Z'"))
        application.extensions["test_sequences"] = _owned_sequences()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()  # close pooled connections before the interpreter does (ResourceWarning)


def _owned_sequences() -> dict[str, list[str]]:
    """Each table's own sequences (serial and identity columns), to restart them between tests."""
    rows = db.session.execute(
        sa.text(
            "SELECT t.relname, s.relname FROM pg_class s JOIN pg_depend d ON d.objid = s.oid "
            "JOIN pg_class t ON t.oid = d.refobjid WHERE s.relkind = 'S' AND d.deptype IN ('a', 'i')"
        )
    ).all()
    db.session.rollback()
    owned: dict[str, list[str]] = {}
    for table, sequence in rows:
        owned.setdefault(table, []).append(sequence)
    return owned


class UncommittedWrites:
    """Watches the test's own session: a flush that no commit follows is a write nobody else sees.

    Services called directly by a test run in the test's session; if one only flushes, the test
    would read its rows back and pass. Such a test fails at teardown instead.
    """

    def __init__(self, session):
        self.session, self.models = session, set()
        sa.event.listen(session, "after_flush", self._flushed)
        sa.event.listen(session, "after_commit", self._ended)
        sa.event.listen(session, "after_rollback", self._ended)

    def _flushed(self, session, context) -> None:
        self.models |= {type(obj).__name__ for obj in (*session.new, *session.dirty, *session.deleted)}

    def _ended(self, session) -> None:
        self.models.clear()

    def close(self) -> set[str]:
        """Stop watching; returns the models written and never committed."""
        for name, fn in (
            ("after_flush", self._flushed),
            ("after_commit", self._ended),
            ("after_rollback", self._ended),
        ):
            sa.event.remove(self.session, name, fn)
        return set(self.models)


# Rows the migrations write, kept between tests like the schema (a test that changes one puts it back).
SEEDED_TABLES = {"video_rollouts"}


@pytest.fixture(autouse=True)
def _clean_tables(app):
    """Each test starts with empty tables, restarted ids and a fresh session.

    Only the tables a test wrote to are emptied, children first; DELETE is much faster than TRUNCATE
    on the small tables tests leave behind.
    """
    with app.app_context():
        watcher = UncommittedWrites(db.session())
        yield
        never_committed = watcher.close()
        db.session.remove()
        app.extensions.pop("watched_words", None)  # the tables are emptied below, behind the ORM's back
        tables = [t for t in reversed(db.metadata.sorted_tables) if t.name not in SEEDED_TABLES]
        probe = " UNION ALL ".join(f"SELECT '{t.name}' FROM (SELECT 1 FROM \"{t.name}\" LIMIT 1) AS x" for t in tables)
        with db.engine.begin() as conn:
            used = {row[0] for row in conn.execute(sa.text(probe))}
            statements = [f'DELETE FROM "{t.name}"' for t in tables if t.name in used]
            owned = app.extensions["test_sequences"]
            statements += [f'ALTER SEQUENCE "{seq}" RESTART' for name in used for seq in owned.get(name, ())]
            if statements:
                conn.exec_driver_sql("; ".join(statements))
    if never_committed:
        pytest.fail(f"written to the test's session and never committed: {', '.join(sorted(never_committed))}")


@pytest.fixture
def client(app):
    """A test client; CSRF is on, as in production."""
    return app.test_client()


def csrf_token_from(client, path: str) -> str:
    """GET a page and return the CSRF token from its first form."""
    import re

    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


@pytest.fixture
def login(client):
    """login(user, password) walks the real login form, TOTP step included for staff."""

    def do_login(user, password="correct-horse-battery"):
        token = csrf_token_from(client, "/login")
        resp = client.post("/login", data={"email": user.email, "password": password, "csrf_token": token})
        if user.is_staff:
            assert resp.status_code == 302, resp.get_data(as_text=True)
            token = csrf_token_from(client, "/login/verify")
            resp = client.post("/login/verify", data={"code": pyotp.TOTP(user.totp_secret).now(), "csrf_token": token})
        assert resp.status_code == 302, resp.get_data(as_text=True)
        return client

    return do_login


@pytest.fixture
def login_as(client):
    """login_as(user): a logged-in session without walking the forms (for tests about other pages)."""

    def do(user):
        with client.session_transaction() as session:
            session["_user_id"] = str(user.id)
            session["_fresh"] = True
        return client

    return do
