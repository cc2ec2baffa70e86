"""A fault-injecting HTTP proxy between the stripe library and localstripe, started by the tests.

It records every request (method, path, Idempotency-Key, form body) and applies queued faults to
matching requests: `drop` (forwarded, then the connection is closed without an answer), `delay`
(forwarded, the answer held back past the client's timeout), `error_after` (forwarded, answered
500) and `error_before` (answered 500 without reaching localstripe).
"""

from __future__ import annotations

import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

FAULTS = ("drop", "delay", "error_after", "error_before")


@dataclass
class Seen:
    """One request as it reached the proxy."""

    method: str
    path: str
    idempotency_key: str | None
    form: dict
    fault: str | None


@dataclass
class FaultyProxy:
    """The proxy's state: where it forwards, the faults still to apply, what it saw."""

    upstream: str
    delay_seconds: float = 2.5
    faults: list[tuple[str, str, str]] = field(default_factory=list)  # (method, path prefix, fault)
    seen: list[Seen] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""

    def inject(self, method: str, path_prefix: str, fault: str) -> None:
        """Apply `fault` to the next request matching method and path prefix (once)."""
        assert fault in FAULTS
        with self.lock:
            self.faults.append((method, path_prefix, fault))

    def take_fault(self, method: str, path: str) -> str | None:
        """The first queued fault for this request, removed from the queue."""
        with self.lock:
            for i, (m, prefix, fault) in enumerate(self.faults):
                if m == method and path.startswith(prefix):
                    del self.faults[i]
                    return fault
        return None

    def keys(self, method: str, path: str) -> set[str | None]:
        """Distinct Idempotency-Keys sent for method + exact path."""
        return {s.idempotency_key for s in self.seen if s.method == method and s.path == path}


def _handler(state: FaultyProxy):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet
            return

        def _relay(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            path = self.path.split("?", 1)[0]
            fault = state.take_fault(self.command, path)
            with state.lock:
                state.seen.append(
                    Seen(
                        self.command,
                        path,
                        self.headers.get("Idempotency-Key"),
                        dict(urllib.parse.parse_qsl(body.decode())),
                        fault,
                    )
                )
            if fault == "error_before":
                return self._answer(500, b'{"error": {"type": "api_error", "message": "injected"}}')
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
            req = urllib.request.Request(state.upstream + self.path, data=body or None, method=self.command)
            for k, v in headers.items():
                req.add_header(k, v)
            try:
                with urllib.request.urlopen(req, timeout=10) as resp:
                    status, payload = resp.status, resp.read()
            except urllib.error.HTTPError as exc:
                status, payload = exc.code, exc.read()
            if fault == "drop":
                self.close_connection = True
                self.connection.close()
                return
            if fault == "delay":
                time.sleep(state.delay_seconds)
            if fault == "error_after":
                return self._answer(500, b'{"error": {"type": "api_error", "message": "injected"}}')
            self._answer(status, payload)

        def _answer(self, status: int, payload: bytes):
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except OSError:
                pass  # the client gave up (timeout): that is the fault being tested

        do_GET = do_POST = do_DELETE = _relay

    return Handler


class running_proxy:
    """Context manager: a FaultyProxy listening on a free local port."""

    def __init__(self, upstream: str, delay_seconds: float = 2.5):
        self.state = FaultyProxy(upstream, delay_seconds)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self.state))
        self.server.daemon_threads = True
        self.state.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> FaultyProxy:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self.state

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
