"""The test client, with per-request state cleared.

The suite keeps one app context open per test, and the test client reuses it, so `g` would carry
the logged-in user, the Bearer token's user and the CSRF token from one request into the next.
Each request here starts with them cleared, as it does in production.
"""

from __future__ import annotations

import pytest
from flask import g

PER_REQUEST = ("_login_user", "token_user", "csrf_token")


@pytest.fixture
def client(client):
    original = client.open

    def open_fresh(*args, **kwargs):
        for key in PER_REQUEST:
            g.pop(key, None)
        return original(*args, **kwargs)

    client.open = open_fresh
    return client
