"""Every HTML form is a Flask-WTF form: each <form method="post"> in a template renders a form
object's CSRF field (never a hand-written csrf_token() input), and each HTML view that accepts POST
validates a form class (validate_on_submit) before it acts. Read from the source, so it is fast."""

from __future__ import annotations

import ast
import inspect
import re
import textwrap
from pathlib import Path

from app.core import desk_views
from app.core import forms as shared_forms
from tests.access_map import admin_endpoints

APP = Path(__file__).resolve().parent.parent / "app"
FORM = re.compile(r"<form\b[^>]*>.*?</form>", re.S | re.I)
POST = re.compile(r"""method\s*=\s*["']?post""", re.I)
FORM_CSRF = re.compile(r"\{\{-?\s*[\w.]+(\(\))?\.(hidden_tag\(\)|csrf_token)")
# POST rules that are not HTML forms: JSON endpoints, webhooks, the CSP report, beacons.
NOT_HTML_FORMS = ("/api/", "/webhooks/")
NOT_FORM_VIEWS = {"sessions.touch"}  # session_expiry.js posts its CSRF header; no form on any page
# Hand-written forms still to convert: none left (issue 17); these stay empty.
PENDING_TEMPLATES: set[str] = set()
PENDING_VIEWS: set[str] = set()


def _post_forms():
    for path in sorted(APP.rglob("templates/**/*.html")):
        for match in FORM.finditer(path.read_text()):
            opening = match.group(0).split(">", 1)[0]
            if POST.search(opening):
                line = path.read_text()[: match.start()].count("\n") + 1
                yield f"{path.relative_to(APP)}:{line}", match.group(0)


def test_every_post_form_in_a_template_renders_a_flask_wtf_form():
    forms = list(_post_forms())
    assert len(forms) > 40
    bad = [where for where, html in forms if "csrf_token()" in html or not FORM_CSRF.search(html)]
    assert PENDING_TEMPLATES <= {where.split(":")[0] for where in bad}, "converted: strike it from PENDING_TEMPLATES"
    bad = [where for where in bad if where.split(":")[0] not in PENDING_TEMPLATES]
    assert not bad, "hand-written forms (render form.hidden_tag() instead):\n" + "\n".join(bad)


def _validating_functions(module) -> set[str]:
    """Names of the module's functions that call validate_on_submit(), directly or through another."""
    tree = ast.parse(inspect.getsource(module))
    bodies = {n.name: n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
    calls = {name: {_called(c) for c in ast.walk(node) if isinstance(c, ast.Call)} for name, node in bodies.items()}
    found = {name for name, called in calls.items() if "validate_on_submit" in called}
    while True:
        more = {name for name, called in calls.items() if called & found} - found
        if not more:
            return found
        found |= more


def _called(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _html_post_views(app):
    admin = admin_endpoints(app)
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.rule.startswith(NOT_HTML_FORMS):
            continue
        if rule.endpoint.split(".", 1)[0] in admin or rule.endpoint in NOT_FORM_VIEWS:
            continue  # Flask-Admin validates its own forms
        yield rule, inspect.unwrap(app.view_functions[rule.endpoint])


def test_every_html_post_view_validates_a_form_class(app):
    views = list(_html_post_views(app))
    assert len(views) > 40
    shared = _validating_functions(shared_forms) | _validating_functions(desk_views)  # decide_item validates
    bad = {}
    for rule, view in views:
        module = inspect.getmodule(view)
        source = textwrap.dedent(inspect.getsource(view))
        called = {_called(c) for c in ast.walk(ast.parse(source)) if isinstance(c, ast.Call)}
        if not called & (_validating_functions(module) | shared | {"validate_on_submit"}):
            bad[rule.endpoint] = f"{rule.rule} ({rule.endpoint}, {module.__name__})"
    assert PENDING_VIEWS <= bad.keys(), "converted: strike it from PENDING_VIEWS"
    missing = sorted(text for endpoint, text in bad.items() if endpoint not in PENDING_VIEWS)
    assert not missing, "POST views that never validate a Flask-WTF form:\n" + "\n".join(missing)
