"""A client pays a held booking with the offline test card; finance refunds part; the client sees it."""

import re

import pytest
from playwright.sync_api import expect

from app.accounts.models import Role
from tests.e2e.conftest import assert_accessible, client_login, snap, staff_login
from tests.factories import StaffFactory, UserFactory
from tests.factories.payments import HeldBookingFactory

pytestmark = pytest.mark.e2e


def _logout(page):
    page.get_by_role("button", name="Log out").click()
    page.wait_for_load_state()


def test_pay_refund_and_see_the_refund(page, base):
    client = UserFactory(first_name="Cleo", email="cleo@example.org")
    booking = HeldBookingFactory(client=client)
    finance = StaffFactory(roles=[Role.FINANCE], first_name="Fin")

    # The client pays with the test card that succeeds.
    client_login(page, base, client)
    page.goto(f"{base}/bookings/{booking.id}/pay")
    expect(page.get_by_role("note")).to_contain_text("Test mode")
    expect(page.get_by_test_id("amount")).to_have_text("EUR 90.00")
    assert_accessible(page)
    snap(page, "payments-checkout")
    page.get_by_label("4000 0000 0000 0002 — declined").check()
    page.get_by_role("button", name="Pay EUR 90.00").click()
    expect(page.get_by_text("Your card was declined.")).to_be_visible()
    snap(page, "payments-checkout-declined")
    page.get_by_label("Visa 4242 4242 4242 4242 — succeeds").check()
    page.get_by_role("button", name="Pay EUR 90.00").click()
    expect(page.get_by_text("Payment received. Thank you!")).to_be_visible()
    payment_url = page.url
    payment_id = int(re.search(r"/payments/(\d+)", payment_url).group(1))
    snap(page, "payments-client-paid")
    _logout(page)

    # Finance finds the payment by the client's e-mail and refunds part of it with a reason.
    staff_login(page, base, finance)
    page.goto(f"{base}/staff/finance/")
    page.get_by_label("Search").fill("cleo@example.org")
    page.get_by_role("button", name="Filter").click()
    assert_accessible(page)
    snap(page, "payments-finance-list")
    page.get_by_role("link", name=f"#{payment_id}").click()
    expect(page.get_by_test_id("refundable")).to_have_text("EUR 90.00")
    page.get_by_label("Amount to refund").fill("30.00")
    page.get_by_label("Reason").select_option("coach_no_show")
    page.get_by_label("Note (kept in the audit log)").fill("Coach joined 20 minutes late.")
    assert_accessible(page)
    snap(page, "payments-finance-payment")
    page.get_by_role("button", name="Review refund").click()
    expect(page.get_by_test_id("refund-amount")).to_have_text("EUR 30.00")
    assert_accessible(page)
    snap(page, "payments-finance-refund-confirm")
    page.get_by_role("button", name="Refund EUR 30.00").click()
    expect(page.get_by_text("Refund of EUR 30.00 succeeded.")).to_be_visible()
    expect(page.get_by_test_id("refundable")).to_have_text("EUR 60.00")
    snap(page, "payments-finance-refunded")
    _logout(page)

    # The client sees the refund on the payment's page.
    client_login(page, base, client)
    page.goto(payment_url.split("?")[0])
    expect(page.get_by_test_id("refunded")).to_have_text("EUR 30.00")
    expect(page.get_by_role("table")).to_contain_text("EUR 30.00")
    assert_accessible(page)
    snap(page, "payments-client-refund-visible")
