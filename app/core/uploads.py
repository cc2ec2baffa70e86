"""Uploads: the file type comes from its first bytes, never from its name or header, and the size
is capped while reading (certificates, message attachments)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, request

from app.core.errors import ValidationFailed

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"

ALLOWED_TYPES = (PDF, PNG, JPEG)
EXTENSIONS = {PDF: ("pdf",), PNG: ("png",), JPEG: ("jpg", "jpeg")}
TYPE_NAMES = {PDF: "PDF", PNG: "PNG image", JPEG: "JPEG image"}


@dataclass(frozen=True)
class Upload:
    """A file as received: its claimed name and its bytes."""

    filename: str
    data: bytes


def upload_from_request(name: str) -> Upload | None:
    """The uploaded file, read up to one byte past UPLOAD_MAX_BYTES (so oversize is detected)."""
    file = request.files.get(name)
    if file is None or not file.filename:
        return None
    try:
        return Upload(file.filename, file.read(current_app.config["UPLOAD_MAX_BYTES"] + 1))
    finally:
        file.close()  # a large upload is spooled to a temporary file: free it now


def sniff(data: bytes) -> str | None:
    """The content type the magic bytes show (PDF, PNG or JPEG), or None for anything else."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    return None


def extension_of(filename: str) -> str:
    """The lower-case extension of a file name, '' when there is none."""
    name = filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def safe_filename(filename: str, fallback: str = "certificate") -> str:
    """A display name without path parts or quotes, at most 200 characters."""
    name = filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"\\;')
    return (name or fallback)[:200]


def validate_upload(
    upload: Upload | None, max_bytes: int, field: str = "certificate", missing: str = "Please upload your certificate."
) -> str:
    """Return the sniffed content type of an acceptable upload, else raise ValidationFailed on `field`."""
    if upload is None or not upload.data:
        raise ValidationFailed(missing, fields={field: missing})
    if len(upload.data) > max_bytes:
        limit = max_bytes // (1024 * 1024)
        message = f"The file is too large; the limit is {limit} MB."
        raise ValidationFailed(message, fields={field: message})
    content_type = sniff(upload.data)
    if content_type is None:
        message = "This file is not a PDF, PNG or JPEG (we check the file's contents, not its name)."
        raise ValidationFailed(message, fields={field: message})
    return content_type
