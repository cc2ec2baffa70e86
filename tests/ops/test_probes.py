"""/livez checks nothing external; /readyz checks the database, Redis and the migration head."""

from __future__ import annotations

import sqlalchemy as sa

from app import create_app
from app.extensions import db
from config import TestingConfig
from tests.conftest import TEST_DATABASE_URL

CLOSED_PORT_DB = "postgresql://postgres@127.0.0.1:1/none"


def _app(**overrides):
    return create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=TEST_DATABASE_URL, **overrides)


def test_readyz_is_200_with_every_check_passing(client):
    resp = client.get("/readyz")
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["status"] == "ready"
    assert {name: check["ok"] for name, check in body["checks"].items()} == {
        "database": True,
        "migrations": True,
        "redis": True,
    }
    assert body["checks"]["migrations"]["database"] == body["checks"]["migrations"]["code"]


def test_readyz_is_503_naming_the_database_when_it_is_unreachable():
    broken = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=CLOSED_PORT_DB)
    resp = broken.test_client().get("/readyz")
    assert resp.status_code == 503
    checks = resp.get_json()["checks"]
    assert checks["database"] == {"ok": False, "error": "OperationalError"}
    assert checks["migrations"]["ok"] is False


def test_livez_answers_while_the_database_is_unreachable():
    broken = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=CLOSED_PORT_DB)
    resp = broken.test_client().get("/livez")
    assert resp.status_code == 200
    assert resp.get_json() == {"status": "ok"}


def test_readyz_is_503_naming_redis_when_it_is_unreachable(app):
    broken = _app(REDIS_URL="redis://127.0.0.1:1/0")
    try:
        resp = broken.test_client().get("/readyz")
        assert resp.status_code == 503
        checks = resp.get_json()["checks"]
        assert checks["redis"] == {"ok": False, "error": "ConnectionError"}
        assert checks["database"] == {"ok": True}
    finally:
        with broken.app_context():
            db.engine.dispose()


def test_readyz_is_503_when_the_database_is_behind_the_code(app, client):
    with app.app_context():
        current = db.session.scalar(sa.text("SELECT version_num FROM alembic_version"))
        db.session.execute(sa.text("UPDATE alembic_version SET version_num = 'older'"))
        db.session.commit()
    try:
        resp = client.get("/readyz")
        assert resp.status_code == 503
        assert resp.get_json()["checks"]["migrations"] == {"ok": False, "code": [current], "database": ["older"]}
    finally:
        with app.app_context():
            db.session.execute(sa.text("UPDATE alembic_version SET version_num = :v"), {"v": current})
            db.session.commit()
