"""Session fixtures that start (or reach) the real stand-in services on free local ports."""

from __future__ import annotations

import contextlib
import email
import email.policy
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with contextlib.closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_http(url: str, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except urllib.error.HTTPError:
            return  # answering, even with an error status
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"{url} did not come up within {seconds} s", pytrace=False)


def _bin(name: str) -> str:
    path = Path(sys.executable).parent / name
    found = str(path) if path.exists() else shutil.which(name)
    if not found:
        pytest.fail(f"{name} is not installed; run `make test` (it installs tests/requirements.lock)", pytrace=False)
    return found


@contextlib.contextmanager
def _process(args: list[str], ready_url: str):
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_http(ready_url)
        yield
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="session")
def redis_url():
    """The machine's Redis (database TEST_REDIS_DB, default 15), flushed before use."""
    from redis import Redis
    from redis.exceptions import ConnectionError as RedisConnectionError

    url = os.environ.get("TEST_REDIS_URL", f"redis://127.0.0.1:6379/{os.environ.get('TEST_REDIS_DB', '15')}")
    try:
        Redis.from_url(url).flushdb()
    except RedisConnectionError as exc:
        pytest.fail(f"Redis is not reachable at {url}: {exc}. Run `make services`.", pytrace=False)
    return url


@pytest.fixture(scope="session")
def localstripe_url():
    """A localstripe server speaking Stripe's API."""
    port = free_port()
    with _process(
        [_bin("localstripe"), "--port", str(port), "--from-scratch"], f"http://127.0.0.1:{port}/v1/customers"
    ):
        yield f"http://127.0.0.1:{port}"


@pytest.fixture(scope="session")
def s3_endpoint():
    """A moto_server speaking S3."""
    port = free_port()
    with _process([_bin("moto_server"), "-H", "127.0.0.1", "-p", str(port)], f"http://127.0.0.1:{port}/moto-api/"):
        yield f"http://127.0.0.1:{port}"


class _Collect:
    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"


@pytest.fixture(scope="session")
def smtp_server():
    """An aiosmtpd server collecting messages; yields (host, port, handler)."""
    from aiosmtpd.controller import Controller

    handler = _Collect()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield "127.0.0.1", port, handler
    finally:
        controller.stop()
