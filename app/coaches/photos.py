"""Coach photos: sniff the bytes, refuse bombs, re-encode to fixed square JPEGs without metadata."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from PIL import Image, ImageOps

from app.core.errors import ValidationFailed
from app.core.images import decode_rgb, jpeg

MAX_BYTES = 5 * 1024 * 1024
SIZES = (400, 96)  # profile page, search results
SIGNATURES = {
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
}
PIL_FORMATS = {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP"}


@dataclass(frozen=True)
class ProcessedPhoto:
    """The re-encoded renditions of one upload, by edge length in pixels."""

    stem: str
    renditions: dict[int, bytes]


def _refuse(message: str) -> ValidationFailed:
    return ValidationFailed(message, fields={"photo": message})


def sniff(data: bytes) -> str | None:
    """jpeg, png or webp judged from the first bytes (never from the name or the browser's type)."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    for kind, heads in SIGNATURES.items():
        if any(data.startswith(h) for h in heads):
            return kind
    return None


def read_limited(stream, limit: int = MAX_BYTES) -> bytes:
    """At most limit bytes of the upload; ValidationFailed when there are more."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise _refuse(f"The photo is larger than {limit // (1024 * 1024)} MB.")
    return data


def _square(image: Image.Image, edge: int) -> bytes:
    return jpeg(ImageOps.fit(image, (edge, edge), Image.Resampling.LANCZOS))


def process(data: bytes) -> ProcessedPhoto:
    """Validate and re-encode: ValidationFailed for anything that is not a sane JPEG, PNG or WebP."""
    if not data:
        raise _refuse("Choose a photo to upload.")
    if len(data) > MAX_BYTES:
        raise _refuse("The photo is larger than 5 MB.")
    kind = sniff(data)
    if kind is None:
        raise _refuse("The photo must be a JPEG, PNG or WebP image.")
    image = decode_rgb(data, PIL_FORMATS[kind], _refuse, "photo")
    return ProcessedPhoto(secrets.token_hex(8), {edge: _square(image, edge) for edge in SIZES})


def photo_key(stem_key: str, edge: int) -> str:
    """The storage key of one rendition."""
    return f"{stem_key}-{edge}.jpg"
