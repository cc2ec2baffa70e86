"""An applicant completes the four steps with a PDF; a verifier logs in with TOTP, previews the
certificate, approves it from the keyboard; the applicant sees the approval."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.accounts.models import Role
from tests.e2e.conftest import assert_accessible, client_login, snap, staff_login
from tests.factories import StaffFactory, UserFactory
from tests.verification import files

pytestmark = pytest.mark.e2e


def test_apply_review_approve(page, base):
    applicant = UserFactory(first_name="Ada", last_name="Lovelace")
    verifier = StaffFactory(roles=[Role.VERIFIER], first_name="Vera", last_name="Verifier")

    client_login(page, base, applicant)
    page.goto(f"{base}/become-a-coach/")
    page.get_by_role("heading", name="Step 1 of 4: Personal information").wait_for()
    assert_accessible(page)
    page.get_by_label("Phone").fill("+44 20 7946 0000")
    page.get_by_role("button", name="Save and continue").click()

    page.get_by_role("heading", name="Step 2 of 4: Certification").wait_for()
    page.get_by_label("iPEC certification number").fill("IPEC-424242")
    page.get_by_label("Certification level").select_option("professional")
    page.get_by_label("Certification date").fill((date.today() - timedelta(days=400)).isoformat())
    page.get_by_label("Certificate (PDF, PNG or JPEG, up to 10 MB)").set_input_files(
        {"name": "certificate.pdf", "mimeType": "application/pdf", "buffer": files.certificate_pdf("Ada Lovelace")}
    )
    snap(page, "verification-01-step2")
    page.get_by_role("button", name="Save and continue").click()

    page.get_by_role("heading", name="Step 3 of 4: Experience").wait_for()
    page.get_by_label("Years of coaching experience").fill("4")
    page.get_by_label("Specializations (comma separated)").fill("career, leadership")
    page.get_by_role("button", name="Save and continue").click()

    page.get_by_role("heading", name="Step 4 of 4: Business").wait_for()
    page.get_by_label("Hourly rate").fill("90")
    page.get_by_label("Languages (two-letter codes, comma separated)").fill("en")
    page.get_by_role("button", name="Save and review").click()
    page.get_by_role("heading", name="Review and submit").wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="Submit application").click()
    page.get_by_text("your application is submitted").wait_for()
    assert_accessible(page)
    snap(page, "verification-02-submitted")

    staff = page.context.browser.new_context()
    spage = staff.new_page()
    spage.set_default_timeout(10_000)
    try:
        staff_login(spage, base, verifier)
        spage.goto(f"{base}/staff/verification/")
        spage.get_by_role("link", name="Ada Lovelace").wait_for()
        assert_accessible(spage)
        snap(spage, "verification-03-queue")
        spage.keyboard.press("j")
        spage.keyboard.press("Enter")
        spage.get_by_role("heading", name="Application #").wait_for()
        preview = spage.get_by_role("img", name="First page of the certificate certificate.pdf")
        preview.wait_for()
        assert spage.evaluate("document.getElementById('certificate-preview').naturalWidth") > 100
        spage.get_by_text("You hold this application until").wait_for()
        spage.get_by_role("button", name="Zoom in").click()
        spage.get_by_role("button", name="Reset").click()
        assert_accessible(spage)
        snap(spage, "verification-04-review")
        spage.keyboard.press("a")
        assert spage.evaluate("document.activeElement.id") == "approve-button"
        spage.keyboard.press("Enter")
        spage.get_by_text("Approved: application #").wait_for()
        snap(spage, "verification-05-approved")
    finally:
        staff.close()

    page.goto(f"{base}/become-a-coach/status")
    page.get_by_text("Approved — you are a Coach Connect coach.").wait_for()
    assert_accessible(page)
    snap(page, "verification-06-applicant-approved")


def test_review_page_outlines_on_a_scan_where_each_value_was_read(page, base):
    from app.core.storage import storage
    from app.verification import check_runs
    from tests.factories.verification import ApplicationFactory, DocumentFactory

    verifier = StaffFactory(roles=[Role.VERIFIER], first_name="Vera", last_name="Verifier")
    application = ApplicationFactory(user=UserFactory(first_name="Grace", last_name="Hopper"))
    scan = files.rasterise(files.certificate_for(application, number="IPEC-424242"), "PNG")
    doc = DocumentFactory(application=application, data=scan, original_filename="scan.png", content_type="image/png")
    storage().put(doc.storage_key, scan, "image/png")
    check_runs.run_checks(application.id)

    staff_login(page, base, verifier)
    page.goto(f"{base}/staff/verification/{application.id}")
    page.get_by_role("img", name="First page of the certificate scan.png").wait_for()
    page.get_by_text("By OCR (Tesseract), mean word confidence").wait_for()
    figure = page.locator("#certificate-figure").bounding_box()
    number = page.locator('[data-evidence="certificate_number"]').bounding_box()
    # The number is printed 600 pt up an 842 pt page: its outline is in the second quarter from the top.
    assert figure["y"] + figure["height"] / 4 < number["y"] < figure["y"] + figure["height"] / 2
    assert page.locator('[data-evidence="certificate_number"]').get_attribute("class") == "evidence-box evidence-fail"
    assert_accessible(page)
    snap(page, "verification-07-evidence")
