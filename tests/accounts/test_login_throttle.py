"""Login throttling that cannot lock the owner out (issue 21, item 6): per (account, address) pair,
per address, a progressive delay per account that a known browser skips, and a mail to the owner."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from app.accounts.models import LoginAttempt
from app.core.db import utcnow
from app.core.models import OutgoingMail
from app.extensions import db
from tests.accounts.flows import logout, post_login
from tests.factories import UserFactory

ATTACKER = {"REMOTE_ADDR": "203.0.113.66"}
OWNER = {"REMOTE_ADDR": "198.51.100.7"}


def _guess(app, email: str, n: int, addresses) -> list[int]:
    statuses = []
    for i in range(n):
        client = app.test_client()
        statuses.append(post_login(client, email, "wrong-guess-123", environ_base=addresses(i)).status_code)
    return statuses


def _add_failures(email: str, n: int) -> None:
    """`n` failed attempts on the account from `n` addresses, a tenth of a second ago."""
    just_now = utcnow() - timedelta(milliseconds=100)
    db.session.add_all(
        LoginAttempt(email=email, ip_address=f"10.77.{i // 250}.{i % 250}", succeeded=False, created_at=just_now)
        for i in range(n)
    )
    db.session.commit()


def _warnings(email: str) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).where(OutgoingMail.to_address == email, OutgoingMail.template == "login_guessed")
    )


def test_the_owner_signs_in_while_the_attackers_address_is_throttled(app):
    user = UserFactory()
    limit = app.config["LOGIN_MAX_FAILURES_PER_PAIR"]
    assert _guess(app, user.email, limit, lambda i: ATTACKER) == [401] * limit
    attacker = app.test_client()
    blocked = post_login(attacker, user.email, environ_base=ATTACKER)  # even the right password, from there
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) == 15 * 60

    owner = app.test_client()
    assert post_login(owner, user.email, environ_base=OWNER).status_code == 302
    assert owner.get("/dashboard").status_code == 200


def test_guessing_from_many_addresses_is_slowed_down_but_not_for_the_owners_known_browser(app):
    user = UserFactory()
    owner = app.test_client()
    assert post_login(owner, user.email, environ_base=OWNER).status_code == 302  # marks this browser as known
    logout(owner)

    after = app.config["LOGIN_SLOWDOWN_AFTER"]
    assert _guess(app, user.email, after, lambda i: {"REMOTE_ADDR": f"10.66.0.{i}"}) == [401] * after
    _add_failures(user.email, 4)  # four more, from elsewhere, a moment ago: the next must wait 2**4 s
    newcomer = post_login(app.test_client(), user.email, environ_base={"REMOTE_ADDR": "10.66.1.1"})
    assert newcomer.status_code == 429 and int(newcomer.headers["Retry-After"]) == 16
    assert "This account had many failed sign-ins. Try again in 16 seconds." in newcomer.get_data(as_text=True)

    assert post_login(owner, user.email, environ_base={"REMOTE_ADDR": "192.0.2.50"}).status_code == 302
    assert owner.get("/dashboard").status_code == 200


def test_the_delay_doubles_with_each_failure_up_to_the_cap(app):
    user = UserFactory()
    after, cap = app.config["LOGIN_SLOWDOWN_AFTER"], app.config["LOGIN_SLOWDOWN_MAX_SECONDS"]
    waits = []
    for n in (after + 2, after + 4, after + 20):
        db.session.execute(sa.delete(LoginAttempt))
        _add_failures(user.email, n)
        resp = post_login(app.test_client(), user.email, environ_base={"REMOTE_ADDR": "10.88.0.1"})
        assert resp.status_code == 429
        waits.append(int(resp.headers["Retry-After"]))
    assert waits == [4, 16, cap]


def test_the_owner_is_mailed_once_per_window_when_their_account_is_guessed(app):
    user = UserFactory()
    warn = app.config["LOGIN_WARN_OWNER_AFTER"]
    _guess(app, user.email, warn - 1, lambda i: ATTACKER)
    assert _warnings(user.email) == 0
    _guess(app, user.email, 1, lambda i: ATTACKER)
    assert _warnings(user.email) == 1
    _guess(app, user.email, warn, lambda i: {"REMOTE_ADDR": f"10.99.0.{i}"})
    assert _warnings(user.email) == 1
    mail = db.session.scalars(sa.select(OutgoingMail).where(OutgoingMail.template == "login_guessed")).one()
    assert f"{warn} times in the last 15 minutes" in mail.text_body.replace("\n", " ")


def test_unknown_addresses_are_never_mailed(app):
    _guess(app, "nobody-here@example.org", 6, lambda i: ATTACKER)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutgoingMail)) == 0
