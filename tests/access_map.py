"""The URL map as the security tests see it: each rule, its access rule and a request to probe it.

Shared by tests/permissions.py and tests/test_csrf.py. The access rule is read only to find views
that declare none; what each principal may do comes from the reviewed tests/permissions.csv.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask
from werkzeug.routing import AnyConverter, FloatConverter, IntegerConverter, UUIDConverter

from app.accounts.models import Role

UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
ROLES = ("anonymous", "client", "coach", "verifier", "moderator", "finance", "admin")
ADMIN_ONLY = frozenset({Role.ADMIN})
DUMMY_UUID = "00000000-0000-4000-8000-000000000000"


@dataclass(frozen=True)
class Probe:
    """One rule of the URL map with the rule that guards it."""

    endpoint: str
    rule: str
    path: str
    methods: tuple[str, ...]
    access: str | frozenset | None

    @property
    def method(self) -> str:
        """GET when the rule serves it, otherwise its unsafe method."""
        return "GET" if "GET" in self.methods else self.methods[0]

    @property
    def is_api(self) -> bool:
        """JSON API rules answer 401 with JSON instead of redirecting to /login."""
        return self.rule.startswith("/api/")


def is_static(endpoint: str) -> bool:
    """Static files (the app's and Flask-Admin's) are public by nature."""
    return endpoint == "static" or endpoint.endswith(".static")


def admin_endpoints(app: Flask) -> set[str]:
    """Blueprint names of the Flask-Admin views (admin-only by is_accessible)."""
    return {view.endpoint for admin in app.extensions.get("admin", []) for view in admin._views}


def _dummy_path(app: Flask, rule) -> str:
    values = {}
    for name in rule.arguments:
        converter = rule._converters[name]
        if isinstance(converter, IntegerConverter):
            values[name] = 999999
        elif isinstance(converter, FloatConverter):
            values[name] = 999999.0
        elif isinstance(converter, UUIDConverter):
            values[name] = DUMMY_UUID
        elif isinstance(converter, AnyConverter):
            values[name] = sorted(converter.items)[0]
        else:
            values[name] = "x"
    with app.test_request_context():
        return app.url_for(rule.endpoint, _external=False, **values)


def probes(app: Flask) -> list[Probe]:
    """Every non-static rule of the URL map, with its access rule (None when it has none)."""
    admin = admin_endpoints(app)
    found = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        if is_static(rule.endpoint):
            continue
        if rule.endpoint.split(".", 1)[0] in admin:
            access = ADMIN_ONLY
        else:
            access = getattr(app.view_functions[rule.endpoint], "access", None)
        methods = tuple(sorted(m for m in rule.methods if m not in ("HEAD", "OPTIONS")))
        found.append(Probe(rule.endpoint, rule.rule, _dummy_path(app, rule), methods, access))
    return found


def unguarded(app: Flask) -> list[str]:
    """Endpoints whose view carries no access decorator."""
    return sorted({p.endpoint for p in probes(app) if p.access is None})
