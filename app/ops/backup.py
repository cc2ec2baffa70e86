"""Backups: the database (pg_dump custom format, or SQLite's online backup) plus a manifest with
each table's row count and the storage bucket's keys and sizes; restore checks those counts.

The uploaded files themselves are not copied: the bucket keeps them (enable versioning or
replication there); the manifest says which objects the database expects.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

MANIFEST_SUFFIX = ".manifest.json"


def _libpq(url: sa.URL) -> tuple[str, dict]:
    """A libpq URI without the password, and the environment that carries it."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise RuntimeError(f"{name} is not installed (apt install postgresql-client)")
    return found


def table_counts(engine: sa.Engine) -> dict[str, int]:
    """Rows in every table of the database, by name."""
    with engine.connect() as conn:
        names = sorted(sa.inspect(conn).get_table_names())
        return {name: conn.execute(sa.text(f'SELECT count(*) FROM "{name}"')).scalar_one() for name in names}


def create_backup(engine: sa.Engine, storage, directory: Path, now: datetime | None = None) -> Path:
    """Write `coach-connect-<UTC time>.dump` (or `.sqlite`) and its manifest into `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    url = engine.url
    if url.get_backend_name() == "postgresql":
        target = directory / f"coach-connect-{stamp}.dump"
        uri, env = _libpq(url)
        subprocess.run(
            [_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(target), uri],
            check=True,
            env=env,
            capture_output=True,
            timeout=3600,
        )
    elif url.get_backend_name() == "sqlite":
        target = directory / f"coach-connect-{stamp}.sqlite"
        source, copy = sqlite3.connect(url.database), sqlite3.connect(target)
        with source, copy:
            source.backup(copy)  # consistent while the app keeps writing
        source.close()
        copy.close()
    else:
        raise RuntimeError(f"no backup method for {url.get_backend_name()}")
    manifest = {
        "created_at": (now or datetime.now(UTC)).isoformat(),
        "database_file": target.name,
        "tables": table_counts(engine),
        "storage": [{"key": key, "size": size} for key, size in storage.list_objects()],
    }
    Path(str(target) + MANIFEST_SUFFIX).write_text(json.dumps(manifest, indent=1))
    return target


def restore_backup(backup: Path, database_url: str) -> dict[str, tuple[int, int]]:
    """Restore into `database_url` (replacing what is there); returns {table: (expected, found)} mismatches."""
    url = sa.engine.make_url(database_url)
    if backup.suffix == ".dump":
        uri, env = _libpq(url)
        subprocess.run(
            [_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--exit-on-error", "-d", uri, str(backup)],
            check=True,
            env=env,
            capture_output=True,
            timeout=3600,
        )
    elif backup.suffix == ".sqlite":
        shutil.copyfile(backup, url.database)
    else:
        raise RuntimeError(f"{backup.name} is not a backup this command wrote (.dump or .sqlite)")
    manifest_path = Path(str(backup) + MANIFEST_SUFFIX)
    if not manifest_path.exists():
        return {}
    expected = json.loads(manifest_path.read_text())["tables"]
    engine = sa.create_engine(url)
    try:
        found = table_counts(engine)
    finally:
        engine.dispose()
    return {t: (n, found.get(t, 0)) for t, n in expected.items() if found.get(t, 0) != n}
