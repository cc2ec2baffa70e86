"""Playwright walks against the app served on a free local port, in Debian's Chromium.

Helpers: live_server (base URL), staff_login(page, user), client_login(page, user),
snap(page, name) saves tests/e2e/artifacts/<name>.png, assert_accessible(page) runs axe.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pyotp
import pytest
from werkzeug.serving import make_server

from tests.factories import PASSWORD

ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing at /usr/bin/chromium; run `make services`.", pytrace=False)
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def live_server(app):
    """The test app served by werkzeug in a thread; yields its base URL."""
    app.config["SERVER_NAME"] = None
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def base(live_server, page):
    """The base URL, with the page's default timeout kept short so failures come quickly."""
    page.set_default_timeout(10_000)
    return live_server


def client_login(page, base_url: str, user, password: str = PASSWORD) -> None:
    """Log in through the form as a non-staff user."""
    page.goto(f"{base_url}/login")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/login" not in url)


def staff_login(page, base_url: str, user, password: str = PASSWORD) -> None:
    """Log in through the form and the TOTP step, as staff do."""
    page.goto(f"{base_url}/login")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/login/verify**")
    page.get_by_label("Code").fill(pyotp.TOTP(user.totp_secret).now())
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(lambda url: "/login" not in url)


def snap(page, name: str) -> Path:
    """Save a full-page screenshot under tests/e2e/artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def serious_violations(page) -> list[str]:
    """The serious and critical axe violations on the current page, one line each."""
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page).response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
        for v in violations
        if v.get("impact") in ("serious", "critical")
    ]


def assert_accessible(page) -> None:
    """No serious or critical axe violations on the current page."""
    bad = serious_violations(page)
    assert not bad, "\n".join(bad)
