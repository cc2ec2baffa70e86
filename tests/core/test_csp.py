"""One policy builder: 'unsafe-eval' only on the analytics page (plotly.js), Stripe's sources only at checkout."""

from __future__ import annotations

import pytest

from app.accounts.models import Role
from app.core.csp import policy
from tests.factories import StaffFactory


def _directives(resp) -> dict[str, list[str]]:
    header = resp.headers["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.parametrize("path", ["/login", "/", "/staff/", "/staff/analytics/bookings_made.csv"])
def test_pages_other_than_the_analytics_dashboard_refuse_eval(client, login_as, path):
    login_as(StaffFactory(roles=[Role.ADMIN, Role.FINANCE]))
    resp = client.get(path)
    assert resp.status_code == 200
    assert "'unsafe-eval'" not in _directives(resp)["script-src"]


def test_the_analytics_dashboard_allows_eval_for_plotly(client, login_as):
    login_as(StaffFactory(roles=[Role.ADMIN, Role.FINANCE]))
    resp = client.get("/staff/analytics/")
    assert resp.status_code == 200
    script = _directives(resp)["script-src"]
    assert script[0] == "'self'" and script[1].startswith("'nonce-") and script[2:] == ["'unsafe-eval'"]
    assert f'nonce="{script[1][7:-1]}"' in resp.get_data(as_text=True)


def test_a_page_adds_sources_to_the_site_policy_without_dropping_any():
    assert policy("n0", connect_src=("'self'", "https://api.stripe.com"), img_src=("https://*.stripe.com",)) == (
        "default-src 'self'; img-src 'self' data: blob: https://*.stripe.com; style-src 'self' 'unsafe-inline'; "
        "script-src 'self' 'nonce-n0'; frame-ancestors 'none'; object-src 'none'; base-uri 'self'; "
        "connect-src 'self' https://api.stripe.com"
    )
