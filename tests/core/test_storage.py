"""Storage: S3Storage against moto_server, LocalStorage on disk, and the config switch."""

from __future__ import annotations

import urllib.error
import urllib.request
import uuid
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from app.core.storage import LocalStorage, S3Storage, build_storage, content_disposition


def http_error_status(url: str) -> int:
    """The HTTP error status a GET of url answers (the error response is closed)."""
    try:
        urllib.request.urlopen(url, timeout=5).close()
    except urllib.error.HTTPError as exc:
        exc.close()
        return exc.code
    raise AssertionError(f"{url} answered 2xx")


@pytest.fixture
def s3(s3_endpoint):
    """A fresh bucket on moto_server, created by ensure_bucket()."""
    store = S3Storage(
        f"test-{uuid.uuid4().hex[:8]}",
        endpoint_url=s3_endpoint,
        region="us-east-1",
        expires=60,
        access_key="test",
        secret_key="test",
    )
    store.ensure_bucket()
    return store


def test_s3_put_get_exists_delete(s3):
    s3.put("applications/1/cert.pdf", b"%PDF-1.4 bytes", "application/pdf")
    assert s3.exists("applications/1/cert.pdf")
    assert s3.get("applications/1/cert.pdf") == b"%PDF-1.4 bytes"
    head = s3.client.head_object(Bucket=s3.bucket, Key="applications/1/cert.pdf")
    assert head["ContentType"] == "application/pdf"
    s3.delete("applications/1/cert.pdf")
    assert not s3.exists("applications/1/cert.pdf")
    with pytest.raises(FileNotFoundError):
        s3.get("applications/1/cert.pdf")


def test_s3_objects_are_private(s3, s3_endpoint):
    s3.put("private.txt", b"secret", "text/plain")
    assert http_error_status(f"{s3_endpoint}/{s3.bucket}/private.txt") == 403


def test_s3_presigned_download_is_an_attachment(s3):
    s3.put("docs/a.pdf", b"the bytes", "application/pdf")
    url = s3.download_url("docs/a.pdf", 'Certificate "final".pdf')
    assert "X-Amz-Expires=60" in url
    with urllib.request.urlopen(url, timeout=5) as resp:
        assert resp.read() == b"the bytes"
        assert resp.headers["Content-Disposition"] == 'attachment; filename="Certificate final.pdf"'


def test_s3_presigned_url_expires_quickly(s3_endpoint):
    """The URL is SigV4, signed now and valid for S3_URL_EXPIRES seconds.

    moto_server does not enforce the expiry (MinIO and AWS do), so the test reads the signed
    lifetime from the URL instead of waiting for a 403.
    """
    store = S3Storage(
        f"exp-{uuid.uuid4().hex[:8]}",
        endpoint_url=s3_endpoint,
        region="us-east-1",
        expires=5,
        access_key="t",
        secret_key="t",
    )
    store.ensure_bucket()
    store.put("a.txt", b"hi", "text/plain")
    query = parse_qs(urlsplit(store.download_url("a.txt", "a.txt")).query)
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert query["X-Amz-Expires"] == ["5"]
    signed_at = datetime.strptime(query["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    assert abs((datetime.now(UTC) - signed_at).total_seconds()) < 60
    assert "X-Amz-Signature" in query


def test_s3_url_lifetime_comes_from_config(app, s3_endpoint, tmp_path):
    store = build_storage({**app.config, "STORAGE_BACKEND": "s3", "S3_ENDPOINT_URL": s3_endpoint})
    assert store.expires == app.config["S3_URL_EXPIRES"] == 60


def test_presigned_urls_use_the_public_endpoint(s3_endpoint):
    public = s3_endpoint.replace("127.0.0.1", "localhost")
    store = S3Storage(
        f"pub-{uuid.uuid4().hex[:8]}",
        endpoint_url=s3_endpoint,
        public_endpoint_url=public,
        region="us-east-1",
        expires=60,
        access_key="t",
        secret_key="t",
    )
    store.ensure_bucket()
    store.put("a.txt", b"public host", "text/plain")
    url = store.download_url("a.txt", "a.txt")
    assert url.startswith(f"{public}/{store.bucket}/a.txt?")
    with urllib.request.urlopen(url, timeout=5) as resp:
        assert resp.read() == b"public host"


def test_ensure_bucket_is_idempotent(s3):
    s3.ensure_bucket()
    names = [b["Name"] for b in s3.client.list_buckets()["Buckets"]]
    assert names.count(s3.bucket) == 1


def test_ensure_bucket_in_another_region(s3_endpoint):
    store = S3Storage(
        f"eu-{uuid.uuid4().hex[:8]}",
        endpoint_url=s3_endpoint,
        region="eu-central-1",
        expires=60,
        access_key="t",
        secret_key="t",
    )
    store.ensure_bucket()
    assert store.client.get_bucket_location(Bucket=store.bucket)["LocationConstraint"] == "eu-central-1"


def test_non_ascii_file_names_survive_the_header():
    assert content_disposition("Zertifikat Müller.pdf") == (
        "attachment; filename=\"Zertifikat M_ller.pdf\"; filename*=UTF-8''Zertifikat%20M%C3%BCller.pdf"
    )
    assert content_disposition("a\r\nSet-Cookie: x.pdf") == 'attachment; filename="aSet-Cookie: x.pdf"'


def test_local_storage_round_trip(tmp_path):
    store = LocalStorage(str(tmp_path / "uploads"))
    store.put("applications/7/doc.pdf", b"\x00\x01binary", "application/pdf")
    assert store.exists("applications/7/doc.pdf")
    assert store.get("applications/7/doc.pdf") == b"\x00\x01binary"
    assert (tmp_path / "uploads" / "applications" / "7" / "doc.pdf").read_bytes() == b"\x00\x01binary"
    assert store.download_url("applications/7/doc.pdf", "doc.pdf") is None
    store.delete("applications/7/doc.pdf")
    assert not store.exists("applications/7/doc.pdf")
    store.delete("applications/7/doc.pdf")  # deleting twice is fine
    with pytest.raises(FileNotFoundError):
        store.get("applications/7/doc.pdf")


@pytest.mark.parametrize(
    "key", ["../outside.txt", "a/../../outside.txt", "/etc/passwd", "a//b", "a/./b", "", "a\\..\\b", "a\x00b"]
)
def test_local_storage_refuses_path_traversal(tmp_path, key):
    store = LocalStorage(str(tmp_path / "uploads"))
    with pytest.raises(ValueError):
        store.put(key, b"x", "text/plain")
    with pytest.raises(ValueError):
        store.get(key)
    assert not (tmp_path / "outside.txt").exists()


def test_local_storage_refuses_symlink_escape(tmp_path):
    root = tmp_path / "uploads"
    store = LocalStorage(str(root))
    (root / "link").symlink_to(tmp_path)
    with pytest.raises(ValueError):
        store.put("link/escaped.txt", b"x", "text/plain")
    assert not (tmp_path / "escaped.txt").exists()


def test_build_storage_follows_storage_backend(tmp_path, s3_endpoint):
    base = {
        "UPLOAD_FOLDER": str(tmp_path),
        "S3_BUCKET": "b",
        "S3_ENDPOINT_URL": s3_endpoint,
        "S3_REGION": "us-east-1",
        "S3_URL_EXPIRES": 30,
        "AWS_ACCESS_KEY_ID": "k",
        "AWS_SECRET_ACCESS_KEY": "s",
    }
    assert isinstance(build_storage({**base, "STORAGE_BACKEND": "local"}), LocalStorage)
    s3 = build_storage({**base, "STORAGE_BACKEND": "s3"})
    assert isinstance(s3, S3Storage)
    assert (s3.bucket, s3.expires) == ("b", 30)
    with pytest.raises(RuntimeError, match="STORAGE_BACKEND"):
        build_storage({**base, "STORAGE_BACKEND": "ftp"})


def test_app_storage_is_local_in_tests(app):
    from app.core.storage import storage

    assert isinstance(storage(), LocalStorage)
