"""Sign in with Google, end to end against a real OpenID provider (oidc-provider-mock on a local
port, started here): a new user, a returning user, an existing account linked only after its
password or a mailed confirmation, an unverified address, a wrong nonce, a replayed state, staff."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
import requests
from oidc_provider_mock import run_server_in_thread

from app.accounts.models import OidcIdentity, Role, User
from app.core.db import utcnow
from app.core.models import AuditLog, OutgoingMail
from app.extensions import db
from tests.accounts.flows import current_code, post_code
from tests.conftest import csrf_token_from
from tests.factories import PASSWORD, StaffFactory, UserFactory


@pytest.fixture(scope="module")
def provider():
    """A real OpenID provider on a free local port; nonces required, as Google does."""
    with run_server_in_thread(port=0, require_nonce=True) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture
def google(app, provider):
    """The app configured for the provider (as the OIDC_* variables would), for one test."""
    saved = {k: app.config.get(k) for k in ("OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET")}
    app.config.update(OIDC_ISSUER=provider, OIDC_CLIENT_ID="coach-connect", OIDC_CLIENT_SECRET="s3cret")
    yield provider
    app.config.update(saved)


def _person(provider: str, sub: str, email: str, verified: bool = True, **claims) -> str:
    resp = requests.put(
        f"{provider}/users/{sub}", json={"email": email, "email_verified": verified, **claims}, timeout=5
    )
    assert resp.status_code == 204
    return sub


def _authorize(provider_url: str, sub: str) -> str:
    """Choose the person on the provider's page; returns the callback path + query it redirects to."""
    assert requests.get(provider_url, timeout=5).status_code == 200  # the provider's sign-in page
    resp = requests.post(provider_url, data={"sub": sub}, allow_redirects=False, timeout=5)
    assert resp.status_code == 302, resp.text
    back = urlsplit(resp.headers["Location"])
    return f"{back.path}?{back.query}"


def _sign_in(client, sub: str, tamper=None):
    start = client.get("/login/google")
    assert start.status_code == 302
    url = tamper(start.location) if tamper else start.location
    return client.get(_authorize(url, sub))


def _flash(client, resp) -> str:
    page = client.get(resp.location).get_data(as_text=True)
    return " ".join(re.findall(r'<p class="flash[^"]*">(.*?)</p>', page, re.S))


def test_without_the_oidc_variables_there_is_no_button_and_no_route(client):
    assert "Sign in with Google" not in client.get("/login").get_data(as_text=True)
    assert client.get("/login/google").status_code == 404


def test_the_request_uses_pkce_a_state_and_a_nonce(client, google):
    assert "Sign in with Google" in client.get("/login").get_data(as_text=True)
    query = parse_qs(urlsplit(client.get("/login/google").location).query)
    assert query["response_type"] == ["code"] and query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) >= 43 and query["state"][0] and query["nonce"][0]
    assert query["redirect_uri"] == ["http://localhost/login/google/callback"]
    assert "openid" in query["scope"][0].split()


def test_a_new_person_gets_a_client_account_keyed_by_issuer_and_subject(client, google):
    _person(google, "g-new", "Newcomer@Example.org", given_name="Nia", family_name="New")
    resp = _sign_in(client, "g-new")
    assert resp.status_code == 302 and resp.location == "/dashboard"
    assert client.get("/api/me").get_json()["email"] == "newcomer@example.org"
    user = User.query.filter_by(email="newcomer@example.org").one()
    assert (user.first_name, user.last_name, user.password_hash, user.roles) == ("Nia", "New", None, {Role.CLIENT})
    identity = OidcIdentity.query.one()
    assert (identity.issuer, identity.subject, identity.user_id) == (google, "g-new", user.id)
    assert AuditLog.query.filter_by(action="user.registered").one().after["via"] == "oidc"


def test_a_returning_person_is_found_by_subject_even_with_a_new_address(app, client, google):
    _person(google, "g-back", "first@example.org")
    assert _sign_in(client, "g-back").status_code == 302
    client.post("/logout", data={"csrf_token": csrf_token_from(client, "/settings")})
    _person(google, "g-back", "renamed@example.org")  # the address at Google changed; the subject did not
    browser = app.test_client()
    assert _sign_in(browser, "g-back").status_code == 302
    assert browser.get("/api/me").get_json()["email"] == "first@example.org"
    assert User.query.count() == 1 and OidcIdentity.query.one().email == "renamed@example.org"


def test_an_existing_account_is_linked_only_after_its_password(app, client, google):
    owner = UserFactory(email="ana@example.org")
    _person(google, "g-ana", "ana@example.org")
    resp = _sign_in(client, "g-ana")
    assert resp.status_code == 302 and resp.location == "/login/google/link"
    assert client.get("/api/me").status_code == 401  # not signed in by the address alone
    assert OidcIdentity.query.count() == 0
    token = csrf_token_from(client, "/login/google/link")
    wrong = client.post("/login/google/link", data={"password": "not-the-password", "csrf_token": token})
    assert wrong.status_code == 400 and OidcIdentity.query.count() == 0
    right = client.post("/login/google/link", data={"password": PASSWORD, "csrf_token": token})
    assert right.status_code == 302 and client.get("/api/me").get_json()["email"] == "ana@example.org"
    assert OidcIdentity.query.one().user_id == owner.id
    browser = app.test_client()  # from now on Google alone signs Ana in
    assert _sign_in(browser, "g-ana").location == "/dashboard"
    assert User.query.count() == 1


def test_a_confirmed_account_can_be_linked_by_a_mailed_link(app, client, google):
    owner = UserFactory(email="bo@example.org", email_verified_at=utcnow())
    _person(google, "g-bo", "bo@example.org")
    _sign_in(client, "g-bo")
    token = csrf_token_from(client, "/login/google/link")
    assert client.post("/login/google/link/mail", data={"csrf_token": token}).status_code == 302
    assert OidcIdentity.query.count() == 0
    mail = OutgoingMail.query.filter_by(to_address="bo@example.org", template="oidc_link_confirm").one()
    link = re.search(r"http://localhost(/login/google/link/confirm/[A-Za-z0-9_-]+)", mail.text_body).group(1)
    other = app.test_client()
    assert other.get(link).status_code == 200 and OidcIdentity.query.count() == 0  # a GET links nothing
    assert other.post(link, data={"csrf_token": csrf_token_from(other, link)}).status_code == 302
    assert OidcIdentity.query.one().user_id == owner.id
    assert other.get(link).status_code == 404  # single use


def test_an_unconfirmed_local_account_is_never_merged_by_mail(client, google):
    UserFactory(email="cy@example.org")  # signed up here; nobody ever followed a mailed link
    _person(google, "g-cy", "cy@example.org")
    _sign_in(client, "g-cy")
    assert "Mail me a link" not in client.get("/login/google/link").get_data(as_text=True)
    token = csrf_token_from(client, "/login/google/link")
    resp = client.post("/login/google/link/mail", data={"csrf_token": token})
    assert "never confirmed" in _flash(client, resp)
    assert OidcIdentity.query.count() == 0 and OutgoingMail.query.count() == 0


def test_an_unverified_google_address_signs_nobody_in(client, google):
    UserFactory(email="dee@example.org")
    _person(google, "g-dee", "dee@example.org", verified=False)
    resp = _sign_in(client, "g-dee")
    assert resp.location == "/login" and "not verified" in _flash(client, resp)
    assert client.get("/api/me").status_code == 401
    assert OidcIdentity.query.count() == 0 and User.query.count() == 1


def _other_nonce(url: str) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query["nonce"] = "a-nonce-this-browser-never-got"
    return urlunsplit(parts._replace(query=urlencode(query)))


def test_an_id_token_with_another_nonce_is_refused(client, google, caplog):
    _person(google, "g-eve", "eve@example.org")
    with caplog.at_level("INFO", logger="app.accounts.oidc_views"):
        resp = _sign_in(client, "g-eve", tamper=_other_nonce)
    assert "nonce" in caplog.text  # refused for the nonce, not for anything else
    assert resp.location == "/login" and "did not work" in _flash(client, resp)
    assert client.get("/api/me").status_code == 401 and User.query.count() == 0


def test_a_replayed_state_is_refused(app, client, google, caplog):
    _person(google, "g-fay", "fay@example.org")
    start = client.get("/login/google")
    callback = _authorize(start.location, "g-fay")
    assert client.get(callback).status_code == 302  # signed in once
    client.post("/logout", data={"csrf_token": csrf_token_from(client, "/settings")})
    with caplog.at_level("INFO", logger="app.accounts.oidc_views"):
        again = client.get(callback)  # the same state (and code) a second time
    assert "mismatching_state" in caplog.text
    assert again.location == "/login" and "did not work" in _flash(client, again)
    assert client.get("/api/me").status_code == 401
    attacker = app.test_client()  # nor in a browser that never started the sign-in
    assert attacker.get(callback).location == "/login" and attacker.get("/api/me").status_code == 401


def test_staff_give_their_code_after_google(client, google):
    staff = StaffFactory(email="mod@example.org", roles=[Role.MODERATOR])
    _person(google, "g-mod", "mod@example.org")
    _sign_in(client, "g-mod")
    token = csrf_token_from(client, "/login/google/link")
    resp = client.post("/login/google/link", data={"password": PASSWORD, "csrf_token": token})
    assert resp.status_code == 302 and resp.location.startswith("/login/verify")
    assert client.get("/staff/").status_code == 302  # Google and the password are not enough
    assert post_code(client, "/login/verify", current_code(staff)).status_code == 302
    assert client.get("/staff/").status_code == 200
    client.post("/logout", data={"csrf_token": csrf_token_from(client, "/settings")})
    resp = _sign_in(client, "g-mod")  # linked now: Google is the first factor, the code still follows
    assert resp.location.startswith("/login/verify") and client.get("/staff/").status_code == 302
    db.session.expire_all()
