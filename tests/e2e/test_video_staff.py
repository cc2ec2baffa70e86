"""Staff's video queue in the browser: finance finds a technical failure, reads its attendance
timeline and refunds the client in full; the client's booking page then says so. Axe clean;
screenshots in tests/e2e/artifacts/."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.extensions import db
from app.payments.models import Payment, Refund
from app.video import outcomes
from app.video.attendance import record_heartbeat
from tests.e2e.conftest import assert_accessible, client_login, snap, staff_login
from tests.factories import StaffFactory
from tests.video.helpers import FAR_START, paid_booking

pytestmark = pytest.mark.e2e


def test_finance_decides_a_technical_failure_and_the_client_sees_the_refund(page, base):
    booking = paid_booking(amount=9000)
    for user in (booking.client, booking.coach.user):
        for n in range(20):  # five minutes each in the room, media never flowing
            record_heartbeat(booking, user, FAR_START + timedelta(seconds=15 * n), media=False)
    outcomes.decide_due(FAR_START + timedelta(minutes=75))
    row = outcomes.outcome_of(booking.id)

    staff_login(page, base, StaffFactory(roles=[Role.FINANCE]))
    page.goto(f"{base}/staff/video/")
    assert_accessible(page)
    page.get_by_role("link", name=f"#{booking.id}").click()
    page.wait_for_url(f"**/staff/video/{row.id}")
    assert page.get_by_role("table", name="Attendance timeline").locator("tbody tr").count() == 2
    assert_accessible(page)
    snap(page, "video-staff-outcome")
    page.get_by_label("Refund the client in full").check()
    page.get_by_label("Note (mailed to both parties and kept in the audit log)").fill("The call never connected.")
    page.get_by_role("button", name="Decide").click()
    page.wait_for_url("**/staff/video/")
    assert "Refund the client in full" in page.content() and "Nothing awaits a decision." in page.content()

    db.session.expire_all()
    payment = db.session.scalars(sa.select(Payment).where(Payment.booking_id == booking.id)).one()
    assert [r.amount for r in db.session.scalars(sa.select(Refund).where(Refund.payment_id == payment.id))] == [9000]

    page.context.clear_cookies()
    client_login(page, base, booking.client)
    page.goto(f"{base}/bookings/{booking.id}")
    text = page.locator("#session-outcome").locator("..").inner_text()
    assert "sound and video never flowed" in text and "Our staff decided: the client is refunded in full." in text
    assert_accessible(page)
    snap(page, "video-booking-outcome")
