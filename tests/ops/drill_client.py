"""A browser-like HTTP client for the drills: keeps cookies, does not follow redirects, reads CSRF tokens."""

from __future__ import annotations

import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class DrillClient:
    """GET and POST against a live server; answers (status, headers, text)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect()
        )

    def request(self, method: str, path: str, data: bytes | None = None, headers: dict | None = None):
        """One request; HTTP errors are answers too."""
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=headers or {})
        try:
            with self.opener.open(req, timeout=15) as resp:
                return resp.status, resp.headers, resp.read().decode()
        except urllib.error.HTTPError as err:
            return err.code, err.headers, err.read().decode()

    def get(self, path: str, **headers):
        """GET."""
        return self.request("GET", path, headers=headers)

    def post_form(self, path: str, fields: dict, token_from: str | None = None):
        """POST a form with the CSRF token of the page `token_from` (default: the same path)."""
        status, headers, html = self.get(token_from or path)
        if status != 200:  # a browser stops at a form page that did not load
            return status, headers, html
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
        body = urllib.parse.urlencode({**fields, "csrf_token": token}).encode()
        return self.request("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"})
