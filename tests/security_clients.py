"""Users for every role and test clients that send a valid CSRF token or a Bearer token."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask, g, session
from flask_wtf.csrf import generate_csrf

from app.accounts import services
from app.accounts.models import Role
from app.extensions import db
from tests.factories import StaffFactory, UserFactory

STAFF = {"verifier", "moderator", "finance", "admin"}


def make_user(role: str):
    """A user holding exactly this role; staff users have TOTP enrolled."""
    if role in STAFF:
        return StaffFactory(roles=[Role(role)])
    return UserFactory(roles=[Role(role)])


def bearer_for(user) -> dict[str, str]:
    """An Authorization header with a fresh personal access token of the user."""
    _, plain = services.create_api_token(user, "tests")
    return {"Authorization": f"Bearer {plain}"}


def prepare_session(app: Flask, client, user=None) -> str:
    """Reset the client's session to `user` (or anonymous) and return a valid CSRF token for it."""
    with app.test_request_context():
        g.pop("csrf_token", None)  # generate_csrf caches in g, which the test's app context shares
        token = generate_csrf()
        raw = session["csrf_token"]
        g.pop("csrf_token", None)
    with client.session_transaction() as sess:
        sess.clear()
        sess["csrf_token"] = raw
        if user is not None:
            sess["_user_id"] = str(user.id)
            sess["_fresh"] = True
    return token


def table_fingerprint() -> dict[str, str]:
    """A digest of every table's rows, to prove that a request wrote nothing (inserts or updates).

    The browser's own session row is left out: a refused request still leaves its flash message
    and "last seen" there, as it left them in the cookie before sessions moved to the server.
    """
    parts = [
        f"SELECT '{t.name}' AS name, md5(coalesce(string_agg(x::text, ',' ORDER BY x::text), '')) AS digest "
        f'FROM "{t.name}" x'
        for t in db.metadata.sorted_tables
        if t.name != "browser_sessions"
    ]
    db.session.expire_all()
    return dict(db.session.execute(sa.text(" UNION ALL ".join(parts))).all())
