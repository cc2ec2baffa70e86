"""The reviewed permission table (tests/permissions.csv) and the requests that probe it.

Each row is one endpoint and method of the URL map with the status each principal must get for a
request to its dummy path (ids that do not exist, so an allowed caller often gets 404). A cell is a
status code, or `login` for a redirect to /login?next=… . The table is written and reviewed by
people: a change to who may call a route shows up in its diff.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from flask import Flask

from tests.access_map import ROLES, probes
from tests.security_clients import prepare_session

TABLE = Path(__file__).with_name("permissions.csv")
COLUMNS = ("rule", "method", "endpoint", *ROLES)
COUNTS = {"requests": 0, "routes": 0, "object_checks": 0}  # printed at the end of the run


@dataclass(frozen=True)
class Route:
    """One endpoint and method, with the path the probes request."""

    endpoint: str
    method: str
    rule: str
    path: str

    @property
    def is_api(self) -> bool:
        return self.rule.startswith("/api/")


def live_routes(app: Flask) -> dict[tuple[str, str], Route]:
    """Every (endpoint, method) of the URL map, static files excepted."""
    return {
        (p.endpoint, method): Route(p.endpoint, method, p.rule, p.path) for p in probes(app) for method in p.methods
    }


def reviewed_table() -> dict[tuple[str, str], dict[str, str]]:
    """The rows of tests/permissions.csv by (endpoint, method)."""
    with TABLE.open(newline="") as f:
        rows = list(csv.DictReader(f))
    return {(row["endpoint"], row["method"]): {role: row[role].strip() for role in ROLES} for row in rows}


def outcome(resp) -> str:
    """A response as the table writes it."""
    location = urlsplit(resp.headers.get("Location", ""))
    if resp.status_code == 302 and location.path == "/login" and "next" in parse_qs(location.query):
        return "login"
    return str(resp.status_code)


def send(app: Flask, client, route: Route, user, bearer: dict | None, json_body: dict | None = None):
    """The route's request as this user (None: anonymous): Bearer for the API, else a session + CSRF.

    `json_body` is the JSON body of an API route, or the form fields of an HTML one.
    """
    token = prepare_session(app, client, None if bearer else user)
    headers = dict(bearer or {})
    kwargs = {}
    if json_body is not None and route.is_api:
        kwargs["json"] = json_body
    if route.method != "GET" and not bearer:
        headers["X-CSRFToken"] = token
        if not route.is_api:  # an HTML form: the body's fields are posted as form fields
            kwargs["data"] = {**(json_body or {}), "csrf_token": token}
    COUNTS["requests"] += 1
    return client.open(route.path, method=route.method, headers=headers, **kwargs)


def csv_line(route: Route, cells: dict[str, str]) -> str:
    """A row to paste into the table, once a person has checked every cell."""
    return ",".join([route.rule, route.method, route.endpoint, *(cells.get(role, "?") for role in ROLES)])
