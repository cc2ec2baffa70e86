"""Hostile input on every JSON and form endpoint (issue 22): zero 5xx, in a bounded time.

The routes come from tests/permissions.csv (every endpoint and method); the JSON fields and query
parameters from /api/openapi.json; the form fields from every Flask-WTF form class. Each route gets
the input shapes of issue 22 as an admin and as a client, with ids that point at real rows.
"""

from __future__ import annotations

import json
import time

import pytest
from flask_wtf import FlaskForm
from werkzeug.routing import IntegerConverter

from app.core.storage import storage
from tests.factories.booking import BookingFactory
from tests.factories.community import DiscussionFactory, OldUserFactory, ReplyFactory
from tests.factories.payments import PaidPaymentFactory
from tests.factories.verification import ApplicationFactory, DocumentFactory
from tests.permissions import live_routes, reviewed_table
from tests.security_clients import bearer_for, make_user, prepare_session

SHAPES = 4  # requests per route: the values rotate over the fields, so each field meets four of them
NESTED = "[" * 3000 + "]" * 3000
HUGE = "99999999999999999999"
# Raw JSON values: a lone surrogate, a Unicode digit, non-finite numbers, extreme dates, huge integers, an unknown enum.
JSON_VALUES = ['"\\ud800"', '"\u00b2"', "1e999", "NaN", '"9999-12-31T23:59:00-14:00"', '"0001-01-01"', HUGE, '"zzz"']
TEXT_VALUES = ["\u00b2", "\u0663", "9999-12-31", "0001-01-01T00:00:00+00:00", HUGE, "Infinity", "zzz"]
QUERY_NAMES = ("from", "to", "date_from", "date_to", "day", "starts_at", "q", "group", "assignee", "level", "status",
               "free_within", "limit", "after", "page", "session_type_id", "suspend_days", "tz", "sort")  # fmt: skip
ADMIN_QUERY_NAMES = ("sort", "desc", "page", "page_size", "search", "flt0_0", "flt1_1", "flt2_2", "id", "url")


def _form_fields() -> list[str]:
    """Every field name of every Flask-WTF form class in the app."""
    import app.models  # noqa: F401 - import every domain so its forms exist

    names, todo = set(), list(FlaskForm.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        names.update(k for k, v in vars(cls).items() if hasattr(v, "field_class"))
    return sorted(names - {"csrf_token"})


def _world() -> None:
    """One row of each kind an id in a path can name, so that id 1 reaches real objects."""
    BookingFactory()
    PaidPaymentFactory()
    document = DocumentFactory(application=ApplicationFactory())
    storage().put(document.storage_key, b"%PDF-1.4 test", "application/pdf")
    ReplyFactory(discussion=DiscussionFactory())
    from app.moderation.services import flag_target

    flag_target(OldUserFactory(), "reply", 1, "spam")


def _path(app, rule: str, endpoint: str) -> str:
    werkzeug_rule = next(r for r in app.url_map.iter_rules() if r.rule == rule and r.endpoint == endpoint)
    values = {
        name: 1 if isinstance(werkzeug_rule._converters[name], IntegerConverter) else "csv"
        for name in werkzeug_rule.arguments
    }
    with app.test_request_context():
        return app.url_for(endpoint, **values)


def _json_fields(spec: dict, rule: str, method: str) -> list[str]:
    op = spec["paths"].get(_openapi_path(rule), {}).get(method.lower(), {})
    content = op.get("requestBody", {}).get("content", {})
    schema = next(iter(content.values()), {}).get("schema", {})
    if "$ref" in schema:  # the declared models are components
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return sorted(schema.get("properties", {})) or ["id"]


def _openapi_path(rule: str) -> str:
    import re

    return re.sub(r"<(?:[^:<>]+:)?(\w+)>", r"{\1}", rule)


def _rotated(names, values: list[str], shapes: int = SHAPES):
    """`shapes` mappings of every name to a value, the values shifted by one name each time."""
    for shift in range(shapes):
        yield {name: values[(i + shift) % len(values)] for i, name in enumerate(names)}


def _requests(spec: dict, method: str, rule: str, forms: list[str]):
    """(kwargs for client.open) of every hostile shape for this route."""
    if method == "GET" and rule.startswith("/admin/"):  # Flask-Admin reads only its own arguments
        for value in ("\u0663", HUGE):  # int("\u0663") is 3: ?sort=3 once ordered by a JSON column
            yield {"query_string": {name: value for name in ADMIN_QUERY_NAMES}}
    elif method == "GET":
        for args in _rotated(QUERY_NAMES, TEXT_VALUES):
            yield {"query_string": args}
    elif rule.startswith("/api/"):
        yield {"data": NESTED}
        yield {"data": "[1]"}
        for body in _rotated(_json_fields(spec, rule, method), JSON_VALUES):
            yield {"data": "{" + ", ".join(f"{json.dumps(k)}: {v}" for k, v in body.items()) + "}"}
    else:  # Flask-Admin's forms are generic: two shapes reach them all
        for data in _rotated(forms, TEXT_VALUES, 2 if rule.startswith("/admin/") else SHAPES):
            yield {"data": data}


@pytest.mark.parametrize("role", ["admin", "client"])
def test_hostile_input_on_every_endpoint_answers_no_server_error(app, client, role):
    _world()
    user = make_user(role)
    bearer = {**bearer_for(user), "Content-Type": "application/json"}
    spec = client.get("/api/openapi.json").get_json()
    forms, table = _form_fields(), reviewed_table()
    # A route the table refuses to this role (403, or the login redirect) turns it away before reading input.
    routes = sorted(
        (r.rule, r.method, r.endpoint)
        for k, r in live_routes(app).items()
        if k in table and table[k][role] not in ("403", "login")
    )
    errors, sent, started = [], 0, time.monotonic()
    for rule, method, endpoint in routes:
        if endpoint in ("accounts.logout", "api.openapi_json"):
            continue
        path = _path(app, rule, endpoint)
        if not rule.startswith("/api/"):
            token = prepare_session(app, client, user)
        for kwargs in _requests(spec, method, rule, forms):
            if rule.startswith("/api/"):
                headers = bearer
            else:
                headers = {"X-CSRFToken": token}
                if isinstance(kwargs.get("data"), dict):
                    kwargs["data"] = {**kwargs["data"], "csrf_token": token}
            resp = client.open(path, method=method, headers=headers, **kwargs)
            resp.get_data()  # a streamed body (CSV) runs to its end, where its errors would be
            resp.close()
            sent += 1
            if resp.status_code >= 500:
                errors.append(f"{resp.status_code} {method} {path} {str(kwargs)[:160]}")
    elapsed = time.monotonic() - started
    print(f"fuzz as {role}: {sent} requests over {len(routes)} endpoint-methods in {elapsed:.1f} s")
    assert not errors, "\n".join(errors)  # the time is printed, never asserted (221 s on a loaded machine)
