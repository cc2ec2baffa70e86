"""Static files: pages link versioned URLs that are cached for a year; responses are compressed."""

from __future__ import annotations

import gzip
import hashlib
import re
from pathlib import Path

import brotli

STATIC = Path(__file__).parents[2] / "app" / "static"


def _linked(client, path: str) -> dict[str, str]:
    """static file name -> the version its link on the page carries."""
    html = client.get(path).get_data(as_text=True)
    return dict(re.findall(r'/static/([\w/.-]+)\?v=(\w+)"', html))


def test_every_static_link_carries_the_files_own_hash(client):
    linked = _linked(client, "/")
    assert {"css/app.css", "js/app.js", "img/favicon.svg"} <= set(linked)
    for name, version in linked.items():
        assert version == hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:12], name
    html = client.get("/").get_data(as_text=True)
    assert not re.search(r'/static/[\w/.-]+"', html), "an unversioned static link would be cached stale"


def test_a_versioned_file_is_cached_for_a_year_and_sent_compressed(client):
    version = _linked(client, "/")["css/app.css"]
    resp = client.get(f"/static/css/app.css?v={version}", headers={"Accept-Encoding": "br"})
    assert resp.status_code == 200
    assert resp.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert resp.headers["Content-Encoding"] == "br"
    assert brotli.decompress(resp.get_data()) == (STATIC / "css/app.css").read_bytes()


def test_an_old_or_missing_version_is_revalidated_every_time(client):
    for query in ("", "?v=000000000000"):
        resp = client.get(f"/static/css/app.css{query}")
        assert resp.status_code == 200
        assert resp.headers["Cache-Control"] == "no-cache"
        assert "Content-Encoding" not in resp.headers  # the request accepted no encoding


def test_pages_are_compressed_for_a_browser_that_takes_gzip(client):
    resp = client.get("/coaches", headers={"Accept-Encoding": "gzip"})
    assert resp.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in resp.headers["Vary"]
    assert "<h1>Find a coach</h1>" in gzip.decompress(resp.get_data()).decode()
