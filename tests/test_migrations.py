"""The one Alembic chain: a single head, upgrade/downgrade/upgrade on PostgreSQL, no drift, SQLite."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade

from app import create_app
from app.extensions import db
from config import TestingConfig
from tests.conftest import TEST_DATABASE_URL

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def test_the_chain_has_a_single_head():
    config = AlembicConfig(str(MIGRATIONS / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS))
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, f"several heads: {heads}; merge them"


def _empty_schema(url: sa.engine.URL) -> None:
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture
def scratch_url():
    """A PostgreSQL database of our own (<test db>_mig), empty before and after the test.

    Created once and then emptied rather than dropped: DROP DATABASE waits for a checkpoint,
    which takes minutes on a busy server.
    """
    url = sa.engine.make_url(TEST_DATABASE_URL)
    scratch = url.set(database=f"{url.database}_mig")
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": scratch.database}):
            conn.execute(sa.text(f'CREATE DATABASE "{scratch.database}"'))
    admin.dispose()
    _empty_schema(scratch)
    yield scratch.render_as_string(hide_password=False)
    _empty_schema(scratch)


def _tables() -> set[str]:
    return set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}


def test_upgrade_downgrade_upgrade_on_postgresql_without_drift(scratch_url):
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=scratch_url)
    expected = {t.name for t in db.metadata.sorted_tables}
    with app.app_context():
        upgrade()
        assert _tables() == expected
        downgrade(revision="base")
        assert _tables() == set()
        upgrade()
        assert _tables() == expected
        result = app.test_cli_runner().invoke(args=["db", "check"])
        assert result.exit_code == 0, f"flask db check found drift:\n{result.output}"
        db.engine.dispose()


def test_upgrade_on_an_empty_sqlite_file(tmp_path):
    path = tmp_path / "fresh.db"
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}")
    with app.app_context():
        upgrade()
        assert _tables() == {t.name for t in db.metadata.sorted_tables}
        db.engine.dispose()


def test_video_outcomes_start_at_the_first_recorded_attendance_or_at_the_migration(tmp_path):
    """On SQLite (no foreign keys enforced for the hand-made row): the `outcomes` start is the first
    attendance the database holds, or, on a database without any, the migration's own time."""
    from app.video.due import outcomes_started

    for name, attendance in (("without.db", False), ("with.db", True)):
        app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / name}")
        with app.app_context():
            upgrade(revision="20261206_2240_inbox_queues")
            if attendance:
                db.session.execute(
                    sa.text(
                        "INSERT INTO attendance_intervals (booking_id, user_id, role, provider, kind, started_at, "
                        "ended_at, is_open, is_start_known) VALUES (1, 1, 'client', 'p2p', 'present', "
                        "'2026-11-02 09:00:00.000000', '2026-11-02 09:30:00.000000', 0, 1)"
                    )
                )
                db.session.commit()
            upgrade()
            started = outcomes_started()
            assert started is not None and started.utcoffset().total_seconds() == 0
            if attendance:
                assert started.isoformat() == "2026-11-02T09:00:00+00:00"
            db.session.remove()
            db.engine.dispose()
