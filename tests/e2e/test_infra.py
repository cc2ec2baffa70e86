"""The outbox shows a mail's HTML in a sandboxed frame; the jobs page shows a failure to retry."""

import pytest

from app.accounts.models import Role
from app.core.effects import commit
from app.core.mail import queue_mail
from app.core.models import JobFailure
from app.extensions import db
from tests.e2e.conftest import assert_accessible, snap, staff_login
from tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.e2e


def test_outbox_mail_renders_in_a_sandboxed_frame(page, base):
    admin = StaffFactory(roles=[Role.ADMIN])
    user = UserFactory(first_name="Grace", email="grace@example.org")
    mail = queue_mail(user.email, "welcome", "Welcome to Coach Connect", {"user": user, "login_url": f"{base}/login"})
    commit()
    staff_login(page, base, admin)
    page.goto(f"{base}/staff/outbox")
    page.get_by_role("link", name="Welcome to Coach Connect").click()
    page.wait_for_url(f"{base}/staff/outbox/{mail.id}")
    frame = page.frame_locator("iframe.mail-frame")
    frame.get_by_text("Hello Grace,").wait_for()
    assert frame.get_by_role("link", name="Log in to Coach Connect").count() == 1
    assert page.locator("iframe.mail-frame").get_attribute("sandbox") == ""
    assert_accessible(page)
    snap(page, "staff-outbox-mail")


def test_jobs_page_lists_a_failure_with_retry(page, base):
    admin = StaffFactory(roles=[Role.ADMIN])
    db.session.add(
        JobFailure(queue="mail", func="workers.mail.deliver_mail", args=[999], error="Traceback\nOSError: refused")
    )
    db.session.commit()
    staff_login(page, base, admin)
    page.goto(f"{base}/staff/jobs")
    page.get_by_text("OSError: refused", exact=True).wait_for()
    page.get_by_role("button", name="Retry").click()
    page.get_by_text("Job workers.mail.deliver_mail queued again.").wait_for()
    assert page.get_by_text("Retried").count() >= 1
    assert_accessible(page)
    snap(page, "staff-jobs")
