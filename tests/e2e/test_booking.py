"""A client finds a coach, books a slot and sees it in their list; the coach sees it too."""

from __future__ import annotations

import pytest

from app.coaches.search import refresh_search_fields
from tests.e2e.conftest import assert_accessible, client_login, snap
from tests.factories import UserFactory
from tests.factories.booking import bookable_coach
from tests.factories.coaches import SpecializationFactory

pytestmark = pytest.mark.e2e


def test_client_books_a_coach_and_both_see_the_session(page, base):
    career = SpecializationFactory(slug="career", name="Career")
    coach, _ = bookable_coach(specializations=[career], headline="Career transitions for engineers")
    coach.user.first_name, coach.user.last_name = "Ada", "Lovelace"
    refresh_search_fields(coach.id)
    client = UserFactory(first_name="Cleo", last_name="Client", timezone="America/New_York")

    client_login(page, base, client)
    page.goto(f"{base}/coaches")
    page.get_by_label("Keywords").fill("career engineers")
    page.get_by_label("Specialization").select_option("career")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/coaches?*q=career*")
    assert_accessible(page)
    snap(page, "booking-1-search")

    page.get_by_role("link", name="Ada Lovelace").click()
    page.get_by_role("heading", name="Ada Lovelace").wait_for()
    assert_accessible(page)
    snap(page, "booking-2-profile")

    page.get_by_role("link", name="Book Coaching session").click()
    page.get_by_role("heading", name="3. Time and notes").wait_for()
    assert "America/New_York" in page.content()
    assert_accessible(page)
    snap(page, "booking-3-calendar")
    page.get_by_label("Notes for your coach (optional)").fill("I want to change careers.")
    page.get_by_role("button", name="Review booking").click()
    page.get_by_role("heading", name="4. Review your booking").wait_for()
    assert_accessible(page)
    snap(page, "booking-4-review")
    page.get_by_role("button", name="Hold this time and pay").click()
    page.wait_for_load_state()
    snap(page, "booking-5-after-hold")
    assert "/pay" in page.url  # the held booking goes straight to checkout (offline gateway, confirms at once)
    page.get_by_role("button", name="Pay EUR 80.00").click()
    page.wait_for_load_state()
    snap(page, "booking-5b-paid")

    page.goto(f"{base}/bookings")
    row = page.get_by_role("row").filter(has_text="Ada Lovelace (coach)")
    row.wait_for()
    assert "confirmed" in row.inner_text()
    assert_accessible(page)
    snap(page, "booking-6-client-list")

    page.get_by_role("button", name="Log out").click()
    client_login(page, base, coach.user)
    page.goto(f"{base}/coach/sessions")
    page.get_by_role("row").filter(has_text="Cleo Client (client)").wait_for()
    assert_accessible(page)
    snap(page, "booking-7-coach-sessions")
    page.goto(f"{base}/coach/availability")
    page.get_by_role("heading", name="Weekly hours").wait_for()
    assert_accessible(page)
    snap(page, "booking-8-coach-availability")
