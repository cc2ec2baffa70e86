"""A smoke test of `make run`'s steps on SQLite: migrate, seed the demo twice, serve, log in.

This is the suite's only run on SQLite; everything else uses PostgreSQL.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.config_reading import ROOT, config_variables
from tests.services import free_port

pytestmark = pytest.mark.slow
FLASK = str(Path(sys.executable).parent / "flask")
DEMO_CLIENT = "client@coachconnect.example"
DEMO_PASSWORD = "demo-password-1"


@pytest.fixture(scope="module")
def dev_env(tmp_path_factory) -> dict[str, str]:
    """The environment `make run` gives flask: development config, every setting at its default."""
    instance = tmp_path_factory.mktemp("instance")
    env = {k: v for k, v in os.environ.items() if k not in config_variables() and not k.startswith("FLASK_")}
    env.update(APP_ENV="development", INSTANCE_PATH=str(instance), FLASK_APP="wsgi.py")
    return env


def _flask(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    result = subprocess.run([FLASK, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"flask {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result


def _users(env: dict[str, str]) -> list[tuple]:
    with sqlite3.connect(Path(env["INSTANCE_PATH"]) / "coach_connect.db") as conn:
        return conn.execute("SELECT id, email FROM users ORDER BY id").fetchall()


@pytest.fixture(scope="module")
def seeded(dev_env):
    """`flask db upgrade` then `flask seed --demo` twice on an empty SQLite file."""
    _flask(dev_env, "db", "upgrade")
    first = _flask(dev_env, "seed", "--demo")
    users = _users(dev_env)
    second = _flask(dev_env, "seed", "--demo")
    return dev_env, first.stdout, second.stdout, users


def test_migrations_and_demo_seed_are_idempotent_on_sqlite(seeded):
    env, first, second, users_after_first = seeded
    assert (Path(env["INSTANCE_PATH"]) / "coach_connect.db").is_file()
    assert DEMO_CLIENT in first and "admin@coachconnect.example" in first and DEMO_PASSWORD in first
    assert _users(env) == users_after_first  # the second run added and changed no account
    emails = [email for _, email in users_after_first]
    assert len(emails) == len(set(emails)) and DEMO_CLIENT in emails
    strip_codes = re.compile(r"current code: \d+")
    assert strip_codes.sub("", first) == strip_codes.sub("", second)  # same logins printed


@pytest.fixture(scope="module")
def server(seeded):
    """`flask run` on a free port, stopped after the module."""
    env = seeded[0]
    port = free_port()
    proc = subprocess.Popen(
        [FLASK, "run", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=2).close()
            break
        except (urllib.error.URLError, ConnectionError):
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"flask run did not come up:\n{proc.communicate()[1]}", pytrace=False)
            time.sleep(0.2)
    yield base
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    proc.stderr.close()


def test_home_and_health_answer(server):
    with urllib.request.urlopen(f"{server}/", timeout=10) as resp:
        assert resp.status == 200
        assert "Coach Connect" in resp.read().decode()
    with urllib.request.urlopen(f"{server}/healthz", timeout=10) as resp:
        assert resp.status == 200
        body = json.loads(resp.read())
    assert body["database"] == {"ok": True}
    assert body["queue"]["backend"] == "inline"


def test_demo_client_logs_in_through_the_form(server):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(f"{server}/login", timeout=10) as resp:
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', resp.read().decode()).group(1)
    form = urllib.parse.urlencode({"email": DEMO_CLIENT, "password": DEMO_PASSWORD, "csrf_token": token}).encode()
    with opener.open(f"{server}/login", data=form, timeout=10) as resp:  # follows the redirect
        assert resp.status == 200
        page = resp.read().decode()
        assert resp.url == f"{server}/dashboard", re.findall(r"<p[^>]*>.*?</p>", page)
    assert "Hello, Cleo" in page
    assert any(cookie.name == "session" for cookie in jar)


def _form_post(opener, url: str, fields: dict[str, str]):
    with opener.open(url, timeout=10) as resp:
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', resp.read().decode()).group(1)
    return opener.open(url, data=urllib.parse.urlencode({**fields, "csrf_token": token}).encode(), timeout=10)


def test_demo_admin_logs_in_with_the_printed_totp_and_sees_the_console(server, seeded):
    env = seeded[0]
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    with _form_post(
        opener, f"{server}/login", {"email": "admin@coachconnect.example", "password": DEMO_PASSWORD}
    ) as resp:
        assert resp.url == f"{server}/login/verify"
    code = _flask(env, "users", "otp", "admin@coachconnect.example").stdout.strip().splitlines()[-1]
    with _form_post(opener, f"{server}/login/verify", {"code": code}) as resp:
        assert resp.url == f"{server}/staff/"
        page = resp.read().decode()
    assert "Outbox" in page and "Audit" in page
    with opener.open(f"{server}/staff/outbox", timeout=10) as resp:
        assert resp.status == 200
