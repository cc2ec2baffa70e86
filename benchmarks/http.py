"""A cookie-jar HTTP client for the benchmark that logs in through the real forms (TOTP included)."""

from __future__ import annotations

import http.cookiejar
import logging
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

import pyotp

log = logging.getLogger(__name__)

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@dataclass
class Response:
    """What the benchmark keeps of one response."""

    status: int
    url: str
    headers: dict[str, str]
    body: bytes
    elapsed_ms: float


class Session:
    """One logged-in (or anonymous) browser-like session against the served app."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def request(self, path: str, data: dict | None = None) -> Response:
        """GET (or POST a form when data is given), following redirects; errors are returned, not raised."""
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body, headers={"Accept": "text/html,application/json"})
        started = time.perf_counter()
        try:
            with self.opener.open(req, timeout=60) as resp:
                content = resp.read()
                return Response(
                    resp.status, resp.url, dict(resp.headers), content, (time.perf_counter() - started) * 1000
                )
        except urllib.error.HTTPError as exc:
            content = exc.read()
            return Response(exc.code, exc.url, dict(exc.headers), content, (time.perf_counter() - started) * 1000)

    def _csrf(self, resp: Response) -> str:
        match = CSRF.search(resp.body.decode("utf-8", "replace"))
        if not match:
            raise RuntimeError(f"no CSRF token on {resp.url} (status {resp.status})")
        return match.group(1)

    def login(self, email: str, password: str, totp_secret: str | None) -> None:
        """Walk /login and, for staff, /login/verify with the current TOTP code."""
        page = self.request("/login")
        resp = self.request("/login", {"email": email, "password": password, "csrf_token": self._csrf(page)})
        if "/login/verify" not in resp.url:
            if resp.status != 200 or resp.url.endswith("/login"):
                raise RuntimeError(f"login failed for {email}: {resp.status} {resp.url}")
            return
        if not totp_secret:
            raise RuntimeError(f"{email} needs a TOTP secret")
        for _ in range(2):
            code = pyotp.TOTP(totp_secret).now()
            done = self.request("/login/verify", {"code": code, "csrf_token": self._csrf(resp)})
            if "/login" not in urllib.parse.urlparse(done.url).path:
                return
            # A code is accepted once per 30 s step (replay protection): wait for the next one.
            log.info("TOTP code for %s refused; waiting for the next 30 s step", email)
            time.sleep(31 - time.time() % 30)
            resp = self.request("/login/verify")
        raise RuntimeError(f"TOTP step failed for {email}")
