"""The booking journey on a phone (390 px): search, profile, a free time, hold, pay through the test
3-D Secure step, the booking, and a cancellation that says the refund before and after confirming;
then the main pages at 320 px, the narrowest width the layout supports."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from app.coaches.search import refresh_search_fields
from app.core.db import utcnow
from tests.e2e.conftest import assert_accessible, client_login, snap
from tests.factories import UserFactory
from tests.factories.booking import bookable_coach

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
SMALLEST = {"width": 320, "height": 640}


def _step(page, name: str) -> None:
    """Each screen of the journey fits the phone, passes axe and is saved."""
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url
    assert_accessible(page)
    snap(page, f"phone-booking-{name}")


def test_a_client_books_pays_and_cancels_on_a_phone(browser, live_server):
    weekday = (utcnow() + timedelta(days=4)).weekday()  # free times at least three days ahead: a full refund
    coach, _ = bookable_coach(days=[weekday], headline="Career transitions for engineers", timezone="UTC")
    coach.user.first_name, coach.user.last_name = "Ada", "Lovelace"
    refresh_search_fields(coach.id)
    client = UserFactory(timezone="Europe/Berlin")
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    client_login(page, live_server, client)

    page.goto(f"{live_server}/coaches")
    page.get_by_label("Keywords").fill("career")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/coaches?*q=career*")
    _step(page, "1-search")
    page.get_by_role("link", name="Ada Lovelace").click()
    page.get_by_role("heading", name="Ada Lovelace").wait_for()
    assert page.get_by_role("link", name="Book a session").is_visible()  # above the fold on a phone
    assert page.get_by_role("link", name="Book a session").bounding_box()["y"] < PHONE["height"]
    _step(page, "2-profile")

    page.locator("section[aria-labelledby=next] a.button").first.click()
    page.get_by_role("heading", name="4. Review your booking").wait_for()
    _step(page, "3-review")
    page.get_by_role("button", name="Hold this time and pay").click()
    page.get_by_role("heading", name="Pay for your session").wait_for()
    amount = page.get_by_test_id("amount").inner_text()
    page.get_by_label(re.compile("needs authentication")).check()
    _step(page, "4-checkout")
    page.get_by_role("button", name=f"Pay {amount}").click()

    page.get_by_role("heading", name="Authenticate your payment").wait_for()
    assert page.get_by_test_id("amount").inner_text() == amount
    _step(page, "5-3d-secure")
    page.get_by_role("button", name="Complete authentication").click()
    page.get_by_text("Authentication complete. Payment received.").wait_for()
    assert "succeeded" in page.locator("dl.facts").inner_text()
    _step(page, "6-paid")

    page.get_by_role("link", name="View the booking").click()
    page.get_by_role("heading", name="Change or cancel").wait_for()
    _step(page, "7-booking")
    page.get_by_role("link", name="Cancel booking…").click()
    assert page.get_by_test_id("refund").inner_text().startswith(amount)  # the refund, before confirming
    _step(page, "8-cancel-confirm")
    page.get_by_role("button", name=f"Cancel the booking and refund {amount}").click()
    page.get_by_text(f"The booking is cancelled. {amount} will be refunded").wait_for()
    _step(page, "9-cancelled")

    page.set_viewport_size(SMALLEST)  # the narrowest phone the layout supports
    for path in ("/", "/coaches", f"/coaches/{coach.id}", "/bookings", "/dashboard"):
        page.goto(f"{live_server}{path}")
        assert page.evaluate("document.documentElement.scrollWidth") <= SMALLEST["width"], path
    context.close()
