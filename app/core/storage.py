"""File storage: a local folder (embedded default) or S3 through boto3 (MinIO in compose).

Objects are private; downloads are authorised per request by the view, which then either
streams the bytes (local) or redirects to a short-lived presigned URL (S3).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Protocol
from urllib.parse import quote

from flask import current_app

log = logging.getLogger(__name__)


class Storage(Protocol):
    """What every storage backend offers."""

    def put(self, key: str, data: bytes, content_type: str) -> None: ...
    def get(self, key: str) -> bytes: ...
    def delete(self, key: str) -> None: ...
    def exists(self, key: str) -> bool: ...
    def download_url(self, key: str, filename: str) -> str | None: ...
    def list_objects(self) -> list[tuple[str, int]]: ...


def _safe_key(key: str) -> str:
    """The key itself when it is a plain relative path; ValueError for traversal or odd characters."""
    if not key or "\\" in key or "\x00" in key or key.startswith("/"):
        raise ValueError(f"invalid storage key {key!r}")
    parts = key.split("/")
    if any(p in ("", ".", "..") for p in parts):
        raise ValueError(f"invalid storage key {key!r}")
    return key


def content_disposition(filename: str) -> str:
    """An attachment header value safe for any file name (RFC 6266 / 5987)."""
    cleaned = "".join(ch for ch in filename if ch >= " " and ch not in '"\\/') or "download"
    ascii_name = cleaned.encode("ascii", "replace").decode().replace("?", "_")
    if ascii_name == cleaned:
        return f'attachment; filename="{cleaned}"'
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(cleaned, safe='')}"


class LocalStorage:
    """Files under UPLOAD_FOLDER; never served statically."""

    def __init__(self, root: str):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        path = (self.root / _safe_key(key)).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise ValueError(f"invalid storage key {key!r}")
        return path

    def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    def get(self, key: str) -> bytes:
        """The object's bytes; FileNotFoundError when absent (both backends)."""
        return self._path(key).read_bytes()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def download_url(self, key: str, filename: str) -> str | None:
        return None  # the view streams the bytes itself

    def list_objects(self) -> list[tuple[str, int]]:
        """Every stored key with its size in bytes, sorted (for the backup manifest)."""
        return sorted(
            (p.relative_to(self.root).as_posix(), p.stat().st_size) for p in self.root.rglob("*") if p.is_file()
        )


class S3Storage:
    """A private S3 bucket; downloads through presigned URLs that expire quickly."""

    def __init__(
        self,
        bucket: str,
        *,
        endpoint_url: str | None,
        region: str,
        expires: int,
        access_key: str | None = None,
        secret_key: str | None = None,
        public_endpoint_url: str | None = None,
    ):
        self.bucket = bucket
        self.expires = expires
        self.client = self._client(endpoint_url, region, access_key, secret_key)
        # Presigned URLs sign the host: inside docker-compose the app reaches MinIO as
        # http://minio:9000 while browsers reach it at the published address.
        self.presign_client = (
            self._client(public_endpoint_url, region, access_key, secret_key) if public_endpoint_url else self.client
        )

    @staticmethod
    def _client(endpoint_url: str | None, region: str, access_key: str | None, secret_key: str | None):
        import boto3
        from botocore.config import Config as BotoConfig

        # SigV4 presigned URLs (MinIO and current AWS regions refuse SigV2); path-style
        # addressing when an endpoint is given, as MinIO serves buckets under the path.
        boto_config = BotoConfig(
            signature_version="s3v4",
            s3={"addressing_style": "path" if endpoint_url else "auto"},
        )
        return boto3.client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=region,
            aws_access_key_id=access_key,
            aws_secret_access_key=secret_key,
            config=boto_config,
        )

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self.client.put_object(Bucket=self.bucket, Key=_safe_key(key), Body=data, ContentType=content_type)

    def get(self, key: str) -> bytes:
        from botocore.exceptions import ClientError

        try:
            return self.client.get_object(Bucket=self.bucket, Key=_safe_key(key))["Body"].read()
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                raise FileNotFoundError(key) from exc
            raise

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=_safe_key(key))

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=_safe_key(key))
            return True
        except ClientError:
            return False

    def download_url(self, key: str, filename: str) -> str | None:
        return self.presign_client.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self.bucket,
                "Key": _safe_key(key),
                "ResponseContentDisposition": content_disposition(filename),
            },
            ExpiresIn=self.expires,
        )

    def list_objects(self) -> list[tuple[str, int]]:
        """Every key in the bucket with its size in bytes, sorted (for the backup manifest)."""
        found = []
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket):
            found += [(item["Key"], item["Size"]) for item in page.get("Contents", [])]
        return sorted(found)

    def ensure_bucket(self) -> None:
        """Create the bucket if it does not exist (MinIO / moto on first start)."""
        from botocore.exceptions import ClientError

        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError:
            region = self.client.meta.region_name
            if region and region != "us-east-1":
                self.client.create_bucket(Bucket=self.bucket, CreateBucketConfiguration={"LocationConstraint": region})
            else:
                self.client.create_bucket(Bucket=self.bucket)


def build_storage(config) -> Storage:
    """The backend named by STORAGE_BACKEND."""
    if config["STORAGE_BACKEND"] == "s3":
        return S3Storage(
            config["S3_BUCKET"],
            endpoint_url=config["S3_ENDPOINT_URL"],
            region=config["S3_REGION"],
            expires=config["S3_URL_EXPIRES"],
            access_key=config["AWS_ACCESS_KEY_ID"],
            secret_key=config["AWS_SECRET_ACCESS_KEY"],
            public_endpoint_url=config.get("S3_PUBLIC_ENDPOINT_URL"),
        )
    if config["STORAGE_BACKEND"] != "local":
        raise RuntimeError(f"STORAGE_BACKEND must be local or s3, not {config['STORAGE_BACKEND']!r}")
    return LocalStorage(config["UPLOAD_FOLDER"])


def storage() -> Storage:
    """The current app's storage backend."""
    return current_app.extensions["storage"]
