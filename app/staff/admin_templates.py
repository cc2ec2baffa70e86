"""Flask-Admin's own templates, made to work under the site's CSP without loosening it.

Its Bootstrap 4 templates use `href="javascript:void(0)"` for tabs, dropdown toggles and disabled
pager links, and a few inline `onclick` handlers; the CSP (no 'unsafe-inline' scripts) blocks both.
Rather than copy the templates, this loader serves them with those few constructs rewritten to plain
markup (`href="#"` marked data-no-navigation, `data-confirm`, `data-action`), which the small static
script js/admin-csp.js handles; and the page gets its `lang`. tests/staff/test_admin_views.py checks
that no rendered admin page keeps an inline handler or a javascript: URL.
"""

from __future__ import annotations

import re

from jinja2 import BaseLoader, ChoiceLoader, Environment, PackageLoader, TemplateNotFound

REWRITES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r'href="javascript:void\(0\)"'), 'href="#" data-no-navigation'),
    (re.compile(r'\s+onclick="return false;"'), ""),
    (re.compile(r"""onclick="return faHelpers\.safeConfirm\('(.*?)'\);\""""), r'data-confirm="\1"'),
    (re.compile(r"""onclick="return confirm\('(.*?)'\)\""""), r'data-confirm="\1"'),
    (re.compile(r"""onclick="return modelActions\.execute\('(.*?)'\);\""""), r'data-action="\1"'),
    (re.compile(r"""onclick="faForm\.addInlineField\(this, '(.*?)'\);\""""), r'data-add-inline="\1"'),
    (re.compile(r"<html>"), '<html lang="en">'),
]


def rewrite(source: str) -> str:
    """A template's source with the CSP-blocked constructs replaced."""
    for pattern, replacement in REWRITES:
        source = pattern.sub(replacement, source)
    return source


class CspSafeAdminLoader(BaseLoader):
    """Flask-Admin's Bootstrap 4 templates (admin/...), rewritten by `rewrite`."""

    def __init__(self) -> None:
        self.package = PackageLoader("flask_admin", "templates/bootstrap4")

    def get_source(self, environment: Environment, template: str):
        if not template.startswith("admin/"):
            raise TemplateNotFound(template)
        source, filename, uptodate = self.package.get_source(environment, template)
        return rewrite(source), filename, uptodate


def install(app) -> None:
    """Look up templates in the app's folder first (our admin/coach_*.html), then the rewritten ones."""
    app.jinja_loader = ChoiceLoader([app.jinja_loader, CspSafeAdminLoader()])
