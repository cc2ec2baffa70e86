"""Walking the login forms in account tests."""

from __future__ import annotations

import re

import pyotp

from tests.conftest import csrf_token_from
from tests.factories import PASSWORD


def post_login(client, email: str, password: str = PASSWORD, next_url: str | None = None, **kwargs):
    """Submit the password form (first factor)."""
    token = csrf_token_from(client, "/login")
    query = {"next": next_url} if next_url else None
    return client.post(
        "/login", query_string=query, data={"email": email, "password": password, "csrf_token": token}, **kwargs
    )


def post_code(client, path: str, code: str):
    """Submit a code to /login/verify or /login/enrol (keeps the query string of `path`)."""
    token = csrf_token_from(client, path)
    return client.post(path, data={"code": code, "csrf_token": token})


def current_code(user) -> str:
    """The authenticator code of this instant."""
    return pyotp.TOTP(user.totp_secret).now()


def field_error(html: str, field: str) -> str | None:
    """The error text shown beside a form field, if any."""
    match = re.search(rf'<p class="error" id="{field}-err">([^<]*)</p>', html)
    return match.group(1) if match else None


def logout(client) -> None:
    """Log out through the real form."""
    token = csrf_token_from(client, "/login")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
