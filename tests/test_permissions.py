"""The permission matrix: every endpoint of the URL map × anonymous and every role → expected status.

The expected status comes from each view's `access` rule (app.core.security) and, for Flask-Admin,
from the admin-only rule of its views. A view without a rule fails the suite, naming its endpoint.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask

from app import create_app
from config import TestingConfig
from tests.access_map import ROLES, Probe, probes, unguarded
from tests.security_clients import bearer_for, make_user, prepare_session


def test_every_view_declares_who_may_call_it(app):
    missing = unguarded(app)
    assert not missing, (
        "These endpoints have no access rule; put @public, @login_required or @roles_required(...) "
        f"directly under the route decorator: {', '.join(missing)}"
    )


def test_a_new_route_without_a_rule_is_caught(app):
    other: Flask = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])
    other.add_url_rule("/forgotten", "forgotten", lambda: "open to all")
    assert unguarded(other) == ["forgotten"]
    with other.app_context():
        from app.extensions import db

        db.engine.dispose()


def _request(app, client, probe: Probe, role: str, user, bearer):
    """Send the probe's request as this role, with what it takes to pass CSRF."""
    token = prepare_session(app, client, None if bearer else user)
    headers = dict(bearer or {})
    kwargs = {}
    if probe.method != "GET" and not bearer:
        headers["X-CSRFToken"] = token
        if not probe.is_api:
            kwargs["data"] = {"csrf_token": token}
    return client.open(probe.path, method=probe.method, headers=headers, **kwargs)


def _to_login(resp) -> bool:
    """A login challenge: a redirect to /login?next=… (plain redirects to /login, as after logout, are not)."""
    location = urlsplit(resp.headers.get("Location", ""))
    return resp.status_code == 302 and location.path == "/login" and "next" in parse_qs(location.query)


def _problem(probe: Probe, role: str, resp) -> str | None:
    """What is wrong with this response, or None."""
    status = resp.status_code
    if probe.allows(role):
        if status in (401, 403) or status >= 500:
            return f"expected access, got {status}"
        if role != "anonymous" and _to_login(resp):
            return "expected access, was sent to /login"
        return None
    if role != "anonymous":
        return None if status == 403 else f"expected 403, got {status} {resp.headers.get('Location', '')}"
    if probe.is_api:
        body = resp.get_json(silent=True) or {}
        if status == 401 and body.get("error", {}).get("code"):
            return None
        return f"expected 401 with a JSON error, got {status} {resp.content_type}"
    if _to_login(resp):
        return None
    return f"expected 302 to /login?next=…, got {status} {resp.headers.get('Location', '')}"


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(app, role):
    client = app.test_client()
    user = None if role == "anonymous" else make_user(role)
    api_auth = bearer_for(user) if user is not None else None
    failures = []
    for probe in probes(app):
        if probe.access is None:
            failures.append(f"{probe.endpoint}: no access rule")
            continue
        bearer = api_auth if probe.is_api else None
        resp = _request(app, client, probe, role, user, bearer)
        problem = _problem(probe, role, resp)
        if problem:
            failures.append(f"{probe.method} {probe.path} ({probe.endpoint}) as {role}: {problem}")
    assert not failures, "\n".join(failures)
