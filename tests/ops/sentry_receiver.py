"""A local Sentry ingest endpoint for the tests: accepts envelopes over real HTTP and keeps the events."""

from __future__ import annotations

import contextlib
import gzip
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def _decode(body: bytes, encoding: str) -> bytes:
    if encoding == "gzip":
        return gzip.decompress(body)
    if encoding == "br":
        import brotli

        return brotli.decompress(body)
    return body


def parse_envelope(raw: bytes) -> list[tuple[dict, bytes]]:
    """(item header, payload) pairs of a Sentry envelope (header line, then items)."""
    items = []
    rest = raw.split(b"\n", 1)[1] if b"\n" in raw else b""
    while rest.strip():
        header_line, _, rest = rest.partition(b"\n")
        header = json.loads(header_line)
        length = header.get("length")
        if length is None:
            payload, _, rest = rest.partition(b"\n")
        else:
            payload, rest = rest[:length], rest[length + 1 :]
        items.append((header, payload))
    return items


class Receiver:
    """Collected events (dicts) and the paths envelopes were posted to."""

    def __init__(self) -> None:
        self.events: list[dict] = []
        self.paths: list[str] = []
        self.lock = threading.Lock()

    def dsn(self, port: int) -> str:
        """A DSN that points the SDK at this receiver (project 42)."""
        return f"http://publickey@127.0.0.1:{port}/42"


@contextlib.contextmanager
def sentry_receiver() -> Iterator[tuple[Receiver, str]]:
    """Serve on a free port; yields the receiver and the DSN to configure."""
    receiver = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's hook name
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            raw = _decode(body, self.headers.get("Content-Encoding", ""))
            with receiver.lock:
                receiver.paths.append(self.path)
                for header, payload in parse_envelope(raw):
                    if header.get("type") == "event":
                        receiver.events.append(json.loads(payload))
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver, receiver.dsn(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()
