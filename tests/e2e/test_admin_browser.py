"""Flask-Admin under the site's CSP: every page loads without a console error and passes axe."""

from __future__ import annotations

import pytest

from app.accounts.models import Role
from tests.e2e.conftest import serious_violations, snap, staff_login
from tests.factories import StaffFactory
from tests.factories.analytics import PaymentFactory, RefundFactory

pytestmark = pytest.mark.e2e

PAGES = ["/admin/", "/admin/payment/", "/admin/user/", "/admin/auditlog/", "/admin/refund/", "/admin/booking/",
         "/admin/specialization/", "/admin/specialization/new/", "/admin/rejectiontemplate/",
         "/admin/rejectiontemplate/new/", "/admin/coachapplication/", "/admin/jobfailure/"]  # fmt: skip


def test_admin_pages_have_no_console_errors_and_pass_axe(page, base):
    payment = PaymentFactory(amount=123456)
    RefundFactory(payment=payment, amount=2500)
    admin = StaffFactory(roles=[Role.ADMIN])
    errors: list[str] = []
    page.on("console", lambda m: errors.append(f"{page.url}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"{page.url}: {e}"))
    staff_login(page, base, admin)
    problems = {}
    for path in PAGES + [f"/admin/payment/details/?id={payment.id}"]:
        page.goto(base + path)
        bad = serious_violations(page)
        if bad:
            problems[path] = bad
    # Its scripts work under the CSP: the filter menu adds a filter row and stays on the page.
    page.goto(f"{base}/admin/payment/")
    page.get_by_role("button", name="Add Filter").or_(page.get_by_text("Add Filter")).first.click()
    page.locator("a.filter", has_text="Status").first.click()
    page.locator(".filter-op").first.wait_for()
    assert page.url == f"{base}/admin/payment/"
    assert page.locator("html").get_attribute("lang") == "en"
    assert not errors, "\n".join(errors)
    assert not problems, problems
    snap(page, "admin-payments")
