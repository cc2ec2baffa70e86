"""`flask backup create` / `flask backup restore FILE`: a backup restored into a fresh database has
every row; the manifest lists the stored files; a restore that comes up short says so and fails."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.core.storage import storage
from app.extensions import db
from app.ops.backup import MANIFEST_SUFFIX, create_backup, restore_backup, table_counts
from tests.conftest import TEST_DATABASE_URL
from tests.factories import UserFactory
from tests.factories.analytics import PaymentFactory, RefundFactory


@pytest.fixture
def fresh_database():
    """An empty database next to the test database, dropped afterwards."""
    url = sa.engine.make_url(TEST_DATABASE_URL)
    name = f"{url.database}_restore"
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def backup_file(app, tmp_path):
    """Some rows and a stored file, then `flask backup create`."""
    UserFactory.create_batch(3)
    RefundFactory(amount=1500)
    PaymentFactory()
    storage().put("certificates/backup-drill.pdf", b"%PDF-1.4 drill", "application/pdf")
    result = app.test_cli_runner().invoke(args=["backup", "create", "--dir", str(tmp_path)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    yield Path(result.output.strip())
    storage().delete("certificates/backup-drill.pdf")


def test_a_restored_backup_has_every_row_of_every_table(app, backup_file, fresh_database):
    result = app.test_cli_runner().invoke(
        args=["backup", "restore", str(backup_file), "--database-url", fresh_database, "--yes"], catch_exceptions=False
    )
    assert (result.exit_code, result.output) == (0, "restored; every table has the rows the backup counted\n")
    restored = sa.create_engine(fresh_database)
    try:
        assert table_counts(restored) == table_counts(db.engine)
        with restored.connect() as conn:
            emails = sorted(conn.execute(sa.text("SELECT email FROM users")).scalars())
            amounts = list(conn.execute(sa.text("SELECT amount FROM refunds")).scalars())
    finally:
        restored.dispose()
    assert emails == sorted(db.session.execute(sa.text("SELECT email FROM users")).scalars())
    assert amounts == [1500]


def test_the_manifest_counts_rows_and_lists_the_stored_files(backup_file):
    manifest = json.loads(Path(str(backup_file) + MANIFEST_SUFFIX).read_text())
    assert (manifest["database_file"], manifest["tables"]["users"], manifest["tables"]["payments"]) == (
        backup_file.name,
        db.session.execute(sa.text("SELECT count(*) FROM users")).scalar_one(),
        2,
    )
    assert {"key": "certificates/backup-drill.pdf", "size": 14} in manifest["storage"]


def test_a_restore_short_of_rows_names_the_table_and_fails(app, backup_file, fresh_database):
    manifest_path = Path(str(backup_file) + MANIFEST_SUFFIX)
    manifest = json.loads(manifest_path.read_text())
    manifest["tables"]["users"] += 1
    manifest_path.write_text(json.dumps(manifest))
    result = app.test_cli_runner().invoke(
        args=["backup", "restore", str(backup_file), "--database-url", fresh_database, "--yes"]
    )
    assert result.exit_code == 1
    found = manifest["tables"]["users"] - 1
    assert f"users: {found} rows, the backup had {found + 1}" in result.output


def test_sqlite_backups_use_the_online_backup_and_restore(tmp_path):
    source = sa.create_engine(f"sqlite:///{tmp_path / 'live.db'}")
    with source.begin() as conn:
        conn.execute(sa.text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"))
        conn.execute(sa.text("INSERT INTO notes (body) VALUES ('a'), ('b')"))

    class NoFiles:
        def list_objects(self):
            return []

    backup = create_backup(source, NoFiles(), tmp_path / "backups")
    source.dispose()
    assert restore_backup(backup, f"sqlite:///{tmp_path / 'restored.db'}") == {}
    restored = sa.create_engine(f"sqlite:///{tmp_path / 'restored.db'}")
    try:
        assert table_counts(restored) == {"notes": 2}
    finally:
        restored.dispose()
