"""CSRF: every unsafe rule of the URL map (Flask-Admin's included, /webhooks/* excluded) refuses a
request without a CSRF token, writes nothing, and accepts the same request with a Bearer token under
/api/ (elsewhere a token is refused before any CSRF check)."""

from __future__ import annotations

from tests.access_map import UNSAFE, probes
from tests.security_clients import bearer_for, make_user, prepare_session, table_fingerprint

CSRF_MESSAGE = "security token is missing"


def _unsafe_requests(app):
    for probe in probes(app):
        if probe.rule.startswith("/webhooks/"):
            continue
        for method in probe.methods:
            if method in UNSAFE:
                yield probe, method


def test_the_url_map_has_unsafe_rules_to_check(app):
    endpoints = {probe.endpoint for probe, _ in _unsafe_requests(app)}
    assert {"accounts.login", "accounts.logout", "staff.set_user_enabled", "user.action_view"} <= endpoints


def test_unsafe_requests_without_a_csrf_token_are_refused_and_write_nothing(app):
    admin = make_user("admin")
    client = app.test_client()
    failures = []
    for probe, method in _unsafe_requests(app):
        prepare_session(app, client, admin)
        before = table_fingerprint()
        data = None if probe.is_api else {"id": "1", "name": "x", "email": "x@example.org"}
        resp = client.open(probe.path, method=method, data=data)
        changed = sorted(k for k, v in table_fingerprint().items() if before.get(k) != v)
        body = resp.get_data(as_text=True)
        if resp.status_code != 400 or CSRF_MESSAGE not in body:
            failures.append(f"{method} {probe.path} ({probe.endpoint}): {resp.status_code}, not refused for CSRF")
        if changed:
            failures.append(f"{method} {probe.path} ({probe.endpoint}) wrote to {', '.join(changed)}")
        if probe.is_api and (resp.get_json(silent=True) or {}).get("error", {}).get("code") != "csrf_failed":
            failures.append(f"{method} {probe.path} ({probe.endpoint}): API CSRF error is not JSON")
    assert not failures, "\n".join(failures)


def test_the_same_requests_with_a_bearer_token_pass_the_csrf_check(app):
    admin = make_user("admin")
    headers = bearer_for(admin)
    client = app.test_client()
    failures = []
    for probe, method in _unsafe_requests(app):
        prepare_session(app, client, None)
        resp = client.open(probe.path, method=method, headers=headers)
        if not probe.is_api:  # tokens are for /api/ only: refused before any CSRF check (issue 21)
            code = (resp.get_json(silent=True) or {}).get("error", {}).get("code")
            if (resp.status_code, code) != (403, "token_not_accepted"):
                failures.append(f"{method} {probe.path} ({probe.endpoint}): {resp.status_code} outside /api/")
        elif CSRF_MESSAGE in resp.get_data(as_text=True) or resp.status_code in (401, 403):
            failures.append(f"{method} {probe.path} ({probe.endpoint}): {resp.status_code} with a Bearer token")
    assert not failures, "\n".join(failures)


def test_a_forged_csrf_token_is_refused(app):
    admin = make_user("admin")
    client = app.test_client()
    prepare_session(app, client, admin)
    resp = client.post("/settings", data={"name": "stolen", "csrf_token": "forged"})
    assert resp.status_code == 400
    assert CSRF_MESSAGE in resp.get_data(as_text=True)


def test_webhooks_are_exempt_from_csrf(app):
    client = app.test_client()
    resp = client.post("/webhooks/nothing-here", data=b"{}")
    assert CSRF_MESSAGE not in resp.get_data(as_text=True)
