"""A real gunicorn (gunicorn.conf.py, production config) started by a test and stopped after it."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.services import _bin, _wait_http, free_port

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Gunicorn:
    """The running master, its address, metrics directory and log file."""

    proc: subprocess.Popen
    base: str
    metrics_dir: Path
    log_path: Path

    def workers(self) -> list[int]:
        """Pids of the master's live worker processes."""
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.proc.pid and fields[0] != "Z":
                pids.append(int(stat.parent.name))
        return sorted(pids)

    def wait_for_workers(self, count: int, exclude: set[int] = frozenset(), seconds: float = 30) -> list[int]:
        """Block until `count` workers (none of `exclude`) are up."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            pids = [p for p in self.workers() if p not in exclude]
            if len(pids) == count:
                return pids
            time.sleep(0.1)
        raise AssertionError(f"gunicorn did not have {count} workers within {seconds} s")

    def get(self, path: str, headers: dict | None = None, timeout: float = 10):
        """GET on the server; returns (status, headers, body)."""
        req = urllib.request.Request(self.base + path, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                return resp.status, resp.headers, resp.read()
        except urllib.error.HTTPError as err:
            return err.code, err.headers, err.read()

    def log(self) -> str:
        """Everything gunicorn and the app wrote to stderr so far."""
        return self.log_path.read_text()


@contextlib.contextmanager
def gunicorn(tmp: Path, database_url: str, workers: int = 2, **env: str) -> Iterator[Gunicorn]:
    """Start gunicorn with the production config on a free port; stop it (SIGTERM) afterwards."""
    port = free_port()
    metrics_dir = tmp / "prometheus"
    log_path = tmp / "gunicorn.log"
    environment = {
        **os.environ,
        "APP_ENV": "production",
        "SECRET_KEY": "gunicorn-test-secret",
        "PAYOUT_ENCRYPTION_KEY": "gunicorn-test-payout-key",
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",  # TRUSTED_HOSTS follows: its host plus loopback
        "DATABASE_URL": database_url,
        "SESSION_COOKIE_SECURE": "0",
        "INSTANCE_PATH": str(tmp / "instance"),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(workers),
        "GUNICORN_THREADS": "4",
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
        **env,
    }
    if "REDIS_URL" not in env:
        environment.pop("REDIS_URL", None)  # inline jobs unless the test gives a Redis
    if "STREAM_CAP" not in env:
        environment.pop("STREAM_CAP", None)  # gunicorn.conf.py derives it from the threads
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [_bin("gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), "wsgi:app"],
            cwd=ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = Gunicorn(proc, f"http://127.0.0.1:{port}", metrics_dir, log_path)
    try:
        _wait_http(server.base + "/livez", seconds=60)
        server.wait_for_workers(workers)
        yield server
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
