"""Sign-up and settings in a real browser: the time zone starts at the browser's own (Intl API, no
inline script), the settings pages save, and they pass axe."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from app.accounts.models import User
from app.core.models import OutgoingMail
from app.extensions import db
from tests.e2e.conftest import assert_accessible, snap

pytestmark = pytest.mark.e2e


def test_sign_up_starts_at_the_browsers_zone_and_settings_change_it(browser, base):
    context = browser.new_context(timezone_id="Asia/Tokyo")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{base}/register")
    expect(page.get_by_label("Time zone")).to_have_value("Asia/Tokyo")
    page.get_by_label("First name").fill("Kenji")
    page.get_by_label("Last name").fill("Sato")
    page.get_by_label("E-mail").fill("kenji@example.org")
    page.get_by_label("Password", exact=True).fill("a-long-enough-secret")
    page.get_by_label("Repeat password").fill("a-long-enough-secret")
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()
    db.session.expire_all()
    assert db.session.query(User).filter_by(email="kenji@example.org").one().timezone == "Asia/Tokyo"
    welcome = db.session.query(OutgoingMail).filter_by(to_address="kenji@example.org").one()
    page.goto(base + re.search(r"/register/confirm/\S+", welcome.text_body).group(0))
    page.get_by_role("button", name="Confirm and sign in").click()
    page.wait_for_url(lambda url: "/dashboard" in url)

    page.goto(f"{base}/settings/profile")
    zone = page.get_by_label("Time zone")
    expect(zone).to_have_value("Asia/Tokyo")
    assert zone.get_attribute("list") == "timezones"
    zone.fill("Europe/Berlin")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Times are shown in Europe/Berlin")).to_be_visible()
    snap(page, "settings-profile")
    assert_accessible(page)
    for path in (
        "/settings/password",
        "/settings/email",
        "/settings/notifications",
        "/settings/sessions",
        "/settings/data",
    ):
        page.goto(f"{base}{path}")
        assert_accessible(page)
    snap(page, "settings-your-data")
    context.close()
