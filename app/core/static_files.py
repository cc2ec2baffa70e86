"""Static files: versioned URLs (`?v=<content hash>`) cached for a year, and compressed responses.

`url_for("static", filename=...)` adds the file's content hash, so a changed file gets a new URL and
a browser may keep every versioned one for a year (`immutable`). A request without the current
hash (an old page, a hand-typed link) still gets the file, revalidated every time. Flask-Compress
compresses pages, JSON and static files (zstd, Brotli or gzip, whichever the browser takes first);
streamed responses (downloads) are left alone.
"""

from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path

from flask import Flask, Response, request

YEAR = 365 * 24 * 3600


def register_static(app: Flask) -> None:
    """Version the static URLs, set their cache headers and compress responses."""
    from app.extensions import compress

    compress.init_app(app)
    folder = Path(app.static_folder)

    @app.url_defaults
    def _version_static(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "filename" in values:
            version = content_version(folder, values["filename"])
            if version:
                values["v"] = version

    @app.after_request  # registered after Flask-Compress's hook, so it runs before it
    def _cache_static(response: Response) -> Response:
        if request.endpoint == "static" and response.status_code in (200, 304):
            if response.status_code == 200:
                # Read the (small) file into the response: Flask-Compress then compresses it whole,
                # and the file is closed by the response rather than left to the collector.
                _read_whole(response)
            filename = (request.view_args or {}).get("filename", "")
            if request.args.get("v") and request.args["v"] == content_version(folder, filename):
                response.cache_control.no_cache = None
                response.cache_control.public = True
                response.cache_control.max_age = YEAR
                response.cache_control.immutable = True
            else:
                response.cache_control.no_cache = True
        return response


def _read_whole(response: Response) -> None:
    """Replace a file-streaming body with its bytes and close the file now."""
    original = response.response
    response.direct_passthrough = False
    response.set_data(b"".join(original))
    close = getattr(original, "close", None)
    if close is not None:
        close()


def content_version(folder: Path, filename: str) -> str | None:
    """The first 12 hex digits of the file's SHA-256, or None if there is no such file."""
    path = folder / filename
    try:
        stat = path.stat()
    except OSError:
        return None
    return _digest(os.fspath(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=512)
def _digest(path: str, mtime_ns: int, size: int) -> str:
    """Hash once per file version (the stat fields are the cache key)."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()[:12]
