"""The supply side end to end through real pages: an applicant applies, a verifier approves, the new
coach completes the profile and the checklist, goes live, and a client finds and books them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.accounts.models import Role
from tests.coaches.images import jpeg
from tests.e2e.conftest import assert_accessible, client_login, snap, staff_login
from tests.factories import StaffFactory, UserFactory
from tests.factories.coaches import SpecializationFactory
from tests.verification import files

pytestmark = pytest.mark.e2e

BIO = "I help engineers and scientists change careers without starting over. " * 4
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def apply(page, base):
    page.goto(f"{base}/become-a-coach/")
    page.get_by_label("Phone").fill("+44 20 7946 0000")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_label("iPEC certification number").fill("IPEC-515151")
    page.get_by_label("Certification level").select_option("professional")
    page.get_by_label("Certification date").fill((date.today() - timedelta(days=400)).isoformat())
    page.get_by_label("Certificate (PDF, PNG or JPEG, up to 10 MB)").set_input_files(
        {"name": "certificate.pdf", "mimeType": "application/pdf", "buffer": files.certificate_pdf("Grace Hopper")}
    )
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_label("Years of coaching experience").fill("6")
    page.get_by_label("Specializations (comma separated)").fill("career")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_label("Hourly rate").fill("90")
    page.get_by_label("Languages (two-letter codes, comma separated)").fill("en")
    page.get_by_role("button", name="Save and review").click()
    page.get_by_role("button", name="Submit application").click()
    page.get_by_text("your application is submitted").wait_for()


def approve(browser, base, verifier):
    staff = browser.new_context()
    spage = staff.new_page()
    spage.set_default_timeout(10_000)
    try:
        staff_login(spage, base, verifier)
        spage.goto(f"{base}/staff/verification/")
        spage.get_by_role("link", name="Grace Hopper").click()
        spage.get_by_role("heading", name="Application #").wait_for()
        spage.locator("#approve-button").click()
        spage.get_by_text("Approved: application #").wait_for()
    finally:
        staff.close()


def test_an_approved_coach_goes_live_and_a_client_books_them(page, base):
    SpecializationFactory(slug="career", name="Career")
    applicant = UserFactory(first_name="Grace", last_name="Hopper")
    verifier = StaffFactory(roles=[Role.VERIFIER])
    client = UserFactory(first_name="Cleo", last_name="Client")

    client_login(page, base, applicant)
    apply(page, base)
    approve(page.context.browser, base, verifier)

    page.goto(f"{base}/become-a-coach/status")
    page.get_by_role("link", name="Complete your coach profile").click()
    page.get_by_role("heading", name="Your coach profile").wait_for()
    assert page.get_by_role("button", name="Go live").is_disabled()
    assert_accessible(page)
    snap(page, "coach-live-1-checklist")

    page.get_by_label("Headline").fill("Career changes for engineers")
    page.get_by_label("About you (Markdown)").fill(BIO)
    page.get_by_label("Time zone").fill("Europe/Berlin")
    page.get_by_role("button", name="Save profile").click()
    page.get_by_text("Profile saved.").wait_for()
    page.get_by_label("Photo (JPEG, PNG or WebP, up to 5 MB)").set_input_files(
        {"name": "grace.jpg", "mimeType": "image/jpeg", "buffer": jpeg(900, 700)}
    )
    page.get_by_role("button", name="Upload photo").click()
    page.get_by_text("Photo saved.").wait_for()
    page.get_by_label("Account holder").fill("Grace Hopper")
    page.get_by_label("IBAN").fill("DE89 3704 0044 0532 0130 00")
    page.get_by_role("button", name="Save payout details").click()
    page.get_by_text("Payout details saved.").wait_for()

    page.get_by_role("link", name="At least one active session type with a price").click()
    page.get_by_role("heading", name="Session types").wait_for()
    page.get_by_label("Name").fill("Coaching session")
    page.get_by_label("Length (minutes)").fill("60")
    page.get_by_label("Price").fill("80")
    page.get_by_role("button", name="Add session type").click()
    page.get_by_text("Session type added.").wait_for()
    for day in WEEKDAYS:
        page.get_by_label(f"{day} window 1 from").fill("08:00")
        page.get_by_label(f"{day} window 1 until").fill("20:00")
    page.get_by_role("button", name="Save weekly hours").click()
    page.get_by_text("Weekly hours saved.").wait_for()

    page.goto(f"{base}/coach/profile")
    page.get_by_role("button", name="Go live").click()
    page.get_by_text("You are live: clients can now find and book you.").wait_for()
    assert page.locator("[data-listing]").inner_text() == "listed"
    assert_accessible(page)
    snap(page, "coach-live-2-live")
    page.get_by_role("button", name="Log out").click()

    client_login(page, base, client)
    page.goto(f"{base}/coaches")
    page.get_by_label("Keywords").fill("engineers")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Grace Hopper").click()
    page.get_by_role("img", name="Photo of Grace Hopper").wait_for()
    assert page.evaluate("document.querySelector('img.coach-photo').naturalWidth") == 400
    assert_accessible(page)
    snap(page, "coach-live-3-public-profile")
    page.get_by_role("link", name="Book Coaching session").click()
    page.get_by_role("button", name="Review booking").click()
    page.get_by_role("button", name="Hold this time and pay").click()
    page.get_by_role("button", name="Pay EUR 80.00").click()
    page.wait_for_load_state()
    page.goto(f"{base}/bookings")
    row = page.get_by_role("row").filter(has_text="Grace Hopper (coach)")
    row.wait_for()
    snap(page, "coach-live-4-booked")
    assert "confirmed" in row.inner_text()
