"""Readiness checks: the database (1 s), Redis, and the migration head against the database.

Each check runs on a small thread pool with a deadline, so a database that accepts connections
but never answers makes `/readyz` say so within its timeout instead of hanging the probe.
"""

from __future__ import annotations

import functools
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from app.extensions import db

CHECK_TIMEOUT = 1.0  # seconds per check
# Two threads: a check stuck on a dead host keeps one, the next probe still gets the other.
_pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="readyz")


@functools.cache
def migration_heads(directory: str) -> tuple[str, ...]:
    """The head revision(s) of the migration scripts shipped with this code."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", directory)
    return tuple(sorted(ScriptDirectory.from_config(cfg).get_heads()))


def _database_revision(engine: sa.Engine) -> tuple[str, ...]:
    """The revision(s) stamped in the database; empty when it was never migrated."""
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql("SET LOCAL statement_timeout = 1000")
        conn.exec_driver_sql("SELECT 1")
        if not sa.inspect(conn).has_table("alembic_version"):
            return ()
        rows = conn.exec_driver_sql("SELECT version_num FROM alembic_version").all()
        conn.rollback()
    return tuple(sorted(r[0] for r in rows))


def _redis_ping(connection) -> None:
    connection.ping()


def _run(fn, *args) -> tuple[bool, object]:
    try:
        return True, _pool.submit(fn, *args).result(timeout=CHECK_TIMEOUT)
    except FutureTimeout:
        return False, f"no answer within {CHECK_TIMEOUT:g} s"
    except Exception as exc:  # noqa: BLE001 - any failure makes the check fail; the class names it
        return False, exc.__class__.__name__


def check_all() -> dict[str, dict]:
    """Every check by name: {"ok": bool, ...details}."""
    checks: dict[str, dict] = {}
    ok, revision = _run(_database_revision, db.engine)
    checks["database"] = {"ok": True} if ok else {"ok": False, "error": revision}
    heads = migration_heads(str(Path(current_app.root_path).parent / "migrations"))
    if ok:
        checks["migrations"] = {"ok": revision == heads, "code": list(heads), "database": list(revision)}
    else:
        checks["migrations"] = {"ok": False, "code": list(heads), "error": "database unreachable"}
    connection = getattr(current_app.extensions["jobs"], "connection", None)
    if connection is None:
        checks["redis"] = {"ok": True, "backend": "inline"}  # embedded mode: jobs need no Redis
    else:
        ok, detail = _run(_redis_ping, connection)
        checks["redis"] = {"ok": True} if ok else {"ok": False, "error": detail}
    return checks
