"""A private redis-server for the drills, on a free port (never the machine's shared 6379)."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import time
from collections.abc import Iterator

import pytest
from redis import Redis

from tests.services import free_port


class PrivateRedis:
    """A redis-server the test may stop and start again on the same port."""

    def __init__(self) -> None:
        self.binary = shutil.which("redis-server")
        if not self.binary:
            pytest.fail("redis-server is missing; run `make services`", pytrace=False)
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        """URL of database 0."""
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start (no persistence) and wait for PONG."""
        self.proc = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with contextlib.suppress(Exception):
                if Redis.from_url(self.url, socket_connect_timeout=0.2).ping():
                    return
            time.sleep(0.05)
        raise AssertionError("the private redis-server did not start")

    def stop(self) -> None:
        """Kill it (as a crashed Redis host would vanish)."""
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(timeout=10)
            self.proc = None


@contextlib.contextmanager
def private_redis() -> Iterator[PrivateRedis]:
    """Started for the block, always stopped afterwards."""
    server = PrivateRedis()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@contextlib.contextmanager
def redis_outage(server: PrivateRedis) -> Iterator[None]:
    """Redis is down inside the block and running again after it."""
    server.stop()
    try:
        yield
    finally:
        server.start()
