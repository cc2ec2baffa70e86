"""The staff pages' expiry warning in a real browser: shown before the end, "Stay signed in" keeps the
session on the server, and a session that lapsed says so with a link to log in again."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.accounts.models import BrowserSession, Role
from app.core.db import utcnow
from app.extensions import db
from tests.e2e.conftest import assert_accessible, snap, staff_login
from tests.factories import StaffFactory

pytestmark = pytest.mark.e2e


def _row(user) -> BrowserSession:
    db.session.expire_all()
    return db.session.scalars(sa.select(BrowserSession).where(BrowserSession.user_id == user.id)).one()


def _shorten(user, seconds: int) -> None:
    """The staff member's session ends `seconds` from now, as if they had been idle that long."""
    db.session.execute(
        sa.update(BrowserSession)
        .where(BrowserSession.user_id == user.id)
        .values(idle_seconds=seconds, idle_expires_at=utcnow() + timedelta(seconds=seconds))
    )
    db.session.commit()


def test_the_warning_appears_and_stay_signed_in_touches_the_session(page, base, app, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_WARNING_SECONDS", 30 * 60 - 1)  # warn at once
    user = StaffFactory(roles=[Role.MODERATOR])
    staff_login(page, base, user)
    page.goto(f"{base}/staff/")
    warning = page.get_by_role("alert").filter(has_text="You will be logged out in")
    expect(warning).to_be_visible()
    assert_accessible(page)
    snap(page, "staff-session-warning")
    before = _row(user).idle_expires_at
    with page.expect_response(lambda r: r.url.endswith("/session/touch")) as touched:
        warning.get_by_role("button", name="Stay signed in").click()
    assert touched.value.status == 200
    assert _row(user).idle_expires_at > before


def test_a_lapsed_session_says_so_and_links_to_the_login(page, base):
    user = StaffFactory(roles=[Role.VERIFIER])
    staff_login(page, base, user)
    _shorten(user, 4)
    page.goto(f"{base}/staff/")
    expect(page.get_by_role("alert").filter(has_text="You will be logged out in 0:0")).to_be_visible()
    ended = page.get_by_role("alert").filter(has_text="Your session has ended")
    expect(ended).to_be_visible(timeout=15_000)
    login = ended.get_by_role("link", name="Log in again")
    expect(login).to_be_visible()
    assert "/login?next=%2Fstaff%2F" in login.get_attribute("href")
    login.click()
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
