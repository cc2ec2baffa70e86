"""The application factory, configuration and health check."""

import pytest

from app import create_app
from config import ProductionConfig


def test_production_refuses_to_start_without_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgresql://x@127.0.0.1/x")
    with pytest.raises(RuntimeError, match="SECRET_KEY must be set"):
        create_app(ProductionConfig)


def test_production_names_missing_database_url(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "s3cret")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(RuntimeError, match="DATABASE_URL must be set"):
        create_app(ProductionConfig)


def test_production_names_missing_payout_encryption_key(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "s3cret")
    monkeypatch.setenv("DATABASE_URL", "postgresql://x@127.0.0.1/x")
    monkeypatch.delenv("PAYOUT_ENCRYPTION_KEY", raising=False)
    with pytest.raises(RuntimeError, match="PAYOUT_ENCRYPTION_KEY must be set"):
        create_app(ProductionConfig)


def test_healthz_reports_database_and_queue(client):
    resp = client.get("/healthz")
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["database"]["ok"] is True
    assert body["queue"]["backend"] == "inline"


def test_healthz_is_503_when_database_is_unreachable():
    from config import TestingConfig

    broken = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI="postgresql://postgres@127.0.0.1:1/none")
    resp = broken.test_client().get("/healthz")
    assert resp.status_code == 503
    assert resp.get_json()["database"]["ok"] is False
