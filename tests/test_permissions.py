"""The permission matrix: every endpoint and method of the URL map × anonymous and every role, against
the reviewed table in tests/permissions.csv (see tests/permissions.py for how a cell is written).

The expected statuses are written by people, never derived from the views' own decorators: a role
widened or narrowed on a decorator, a new route without a row or a row without a route fails here.
"""

from __future__ import annotations

import pytest
from flask import Flask

from app import create_app
from config import TestingConfig
from tests.access_map import ROLES, unguarded
from tests.permissions import COUNTS, csv_line, live_routes, outcome, reviewed_table, send
from tests.security_clients import bearer_for, make_user


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
    assert ("forgotten", "GET") in live_routes(other) and ("forgotten", "GET") not in reviewed_table()
    with other.app_context():
        from app.extensions import db

        db.engine.dispose()


def test_the_table_and_the_url_map_list_the_same_routes(app):
    live, table = live_routes(app), reviewed_table()
    COUNTS["routes"] = len(live)
    unlisted = sorted(set(live) - set(table))
    stale = sorted(set(table) - set(live))
    assert not unlisted, (
        "Routes without a row in tests/permissions.csv (decide each cell, then add the row):\n"
        + "\n".join(csv_line(live[key], {}) for key in unlisted)
    )
    assert not stale, f"Rows for routes that no longer exist: {stale}"


@pytest.mark.parametrize("role", ROLES)
def test_each_principal_gets_the_status_the_table_gives(app, role):
    client = app.test_client()
    user = None if role == "anonymous" else make_user(role)
    api_auth = bearer_for(user) if user is not None else None
    table = reviewed_table()
    failures = []
    for key, route in sorted(live_routes(app).items(), key=lambda kv: (kv[1].rule, kv[1].method)):
        if key not in table:
            continue  # reported by the test above
        resp = send(app, client, route, user, api_auth if route.is_api else None)
        got, expected = outcome(resp), table[key][role]
        if got != expected:
            failures.append(f"{route.method} {route.path} ({route.endpoint}) as {role}: expected {expected}, got {got}")
        page = resp.status_code == 200 and resp.mimetype == "text/html"
        if user is not None and page and "no-store" not in resp.headers.get("Cache-Control", ""):
            failures.append(f"{route.method} {route.path} as {role}: a signed-in page without Cache-Control: no-store")
    assert not failures, "\n".join(failures)
