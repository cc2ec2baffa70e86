"""Cross-user object checks from the reviewed tests/object_access.csv: for every route that takes an
object's id, the owner gets in, and a second user of the same role (or of another staff role, for
objects scoped by role) is refused without anything being written."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from app.extensions import db
from tests.access_map import UNSAFE, admin_endpoints
from tests.object_owners import BUILDERS
from tests.permissions import COUNTS, Route, outcome, send
from tests.security_clients import make_user, table_fingerprint

TABLE = Path(__file__).with_name("object_access.csv")


def _rows() -> list[dict]:
    with TABLE.open(newline="") as f:
        return list(csv.DictReader(f))


OWNED = [row for row in _rows() if row["object"] != "-"]


def _id_routes(app) -> set[tuple[str, str]]:
    """(endpoint, method) of every rule with path arguments, Flask-Admin's data browser excepted."""
    admin = admin_endpoints(app)
    return {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        if rule.arguments and rule.endpoint.split(".", 1)[0] not in admin and not rule.endpoint.endswith("static")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }


def test_every_route_that_takes_an_id_is_listed(app):
    listed = {(row["endpoint"], row["method"]) for row in _rows()}
    live = _id_routes(app)
    assert not sorted(live - listed), f"add rows to {TABLE.name} for: {sorted(live - listed)}"
    assert not sorted(listed - live), f"rows without a route in {TABLE.name}: {sorted(listed - live)}"
    assert all(row["why"] for row in _rows() if row["object"] == "-"), "a route without an owner says why"


def _route(app, row, values) -> Route:
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == row["endpoint"] and row["method"] in r.methods)
    with app.test_request_context():
        path = app.url_for(row["endpoint"], **{k: v for k, v in values.items() if k in rule.arguments})
    return Route(row["endpoint"], row["method"], rule.rule, path)


@pytest.mark.parametrize("row", OWNED, ids=lambda r: f"{r['endpoint']}-{r['method']}")
def test_only_the_owner_reaches_the_object(app, row):
    owner, other = make_user(row["owner"]), make_user(row["other"])
    values = BUILDERS[row["object"]](owner)
    route = _route(app, row, values)
    client = app.test_client()
    before = table_fingerprint()
    body = json.loads(row["body"]) if row["body"] else None
    refused = outcome(send(app, client, route, other, None, body))
    COUNTS["object_checks"] += 1
    changed = sorted(k for k, v in table_fingerprint().items() if before.get(k) != v) if row["method"] in UNSAFE else []
    db.session.expire_all()
    allowed = outcome(send(app, client, route, owner, None, body))
    assert (refused, changed, allowed) == (row["other_gets"], [], row["owner_gets"]), route.path
