"""Finance resolves a difference with Stripe (issue 16): how and why, audited, role checked; a
resolved item leaves the queue (page and inbox) and stays in the history tab; a missing note is
refused beside the field with the typed text kept; an accepted difference is not listed again
while both sides stay the same, a "corrected" one that is still there is."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.core.db import utcnow
from app.core.errors import InvalidState, PermissionDenied, ValidationFailed
from app.core.models import AuditLog
from app.extensions import db
from app.payments import services
from app.payments.bookkeeping import ReconciliationItem, ReconciliationResolution
from app.payments.reconciliation import reconcile_payments
from app.payments.reconciliation_items import resolve_item
from tests.conftest import csrf_token_from
from tests.factories import StaffFactory, UserFactory
from tests.factories.payments import HeldBookingFactory, PaidPaymentFactory


def _item(hours_ago: float = 2, kind: str = "payment_amount") -> ReconciliationItem:
    payment = PaidPaymentFactory()
    item = ReconciliationItem(
        payment_id=payment.id,
        kind=kind,
        ours={"status": "succeeded", "amount": 8000, "currency": "EUR", "refunded": 0},
        theirs={"status": "succeeded", "amount": 9000, "currency": "EUR", "refunded": 0},
        found_at=utcnow() - timedelta(hours=hours_ago),
    )
    db.session.add(item)
    db.session.commit()
    return item


def test_finance_resolves_from_the_inbox_and_the_item_moves_to_the_history(app, client, login):
    finance = StaffFactory(roles=[Role.FINANCE], first_name="Fiona", last_name="Ledger")
    first, second = _item(hours_ago=3), _item(hours_ago=1)
    login(finance)
    inbox = client.get("/staff/").get_data(as_text=True)
    assert f"/staff/finance/reconciliation/{first.id}" in inbox and "Payment #" in inbox

    token = csrf_token_from(client, f"/staff/finance/reconciliation/{first.id}")
    resp = client.post(
        f"/staff/finance/reconciliation/{first.id}/resolve",
        data={"csrf_token": token, "resolution": "stripe_corrected", "note": "Refunded the 10.00 at Stripe"},
    )
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/reconciliation/{second.id}")
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "resolved (Corrected at Stripe). Here is the next one." in page

    db.session.expire_all()
    done = db.session.get(ReconciliationItem, first.id)
    assert (done.resolution, done.resolution_note, done.resolved_by_id) == (
        ReconciliationResolution.STRIPE_CORRECTED,
        "Refunded the 10.00 at Stripe",
        finance.id,
    )
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "reconciliation.resolved"))
    assert (entry.actor_id, entry.object_id) == (finance.id, str(first.id))
    assert entry.after["resolution"] == "stripe_corrected" and entry.after["note"] == "Refunded the 10.00 at Stripe"

    inbox = client.get("/staff/").get_data(as_text=True)
    assert f'/staff/finance/reconciliation/{first.id}"' not in inbox
    assert f"/staff/finance/reconciliation/{second.id}" in inbox
    open_page = client.get("/staff/finance/reconciliation").get_data(as_text=True)
    assert "Open (1)" in open_page and f">#{first.id}<" not in open_page and f">#{second.id}<" in open_page
    history = client.get("/staff/finance/reconciliation?show=resolved").get_data(as_text=True)
    assert f">#{first.id}<" in history and f">#{second.id}<" not in history
    assert "Corrected at Stripe by Fiona Ledger" in history and "Refunded the 10.00 at Stripe" in history
    item_page = client.get(f"/staff/finance/reconciliation/{first.id}").get_data(as_text=True)
    assert "Resolved" in item_page and 'name="note"' not in item_page

    resp = client.post(
        f"/staff/finance/reconciliation/{second.id}/resolve",
        data={"csrf_token": token, "resolution": "accepted", "note": "Coupon applied at Stripe"},
    )
    assert resp.headers["Location"].endswith("/staff/finance/reconciliation")  # the queue is empty


def test_a_missing_note_is_refused_beside_the_field_and_the_choice_kept(app, client, login):
    item = _item()
    login(StaffFactory(roles=[Role.ADMIN]))
    token = csrf_token_from(client, f"/staff/finance/reconciliation/{item.id}")
    resp = client.post(
        f"/staff/finance/reconciliation/{item.id}/resolve",
        data={"csrf_token": token, "resolution": "ours_corrected", "note": "   "},
    )
    page = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert re.search(r'id="note-err">A note is required', page)
    assert re.search(r'value="ours_corrected"[^>]*checked|checked[^>]*value="ours_corrected"', page)
    db.session.expire_all()
    assert db.session.get(ReconciliationItem, item.id).is_open
    assert db.session.scalar(sa.select(sa.func.count()).where(AuditLog.action == "reconciliation.resolved")) == 0


def test_only_finance_resolves_and_only_once(app):
    item = _item()
    for role in (Role.MODERATOR, Role.VERIFIER):
        with pytest.raises(PermissionDenied):
            resolve_item(StaffFactory(roles=[role]), item.id, "accepted", "fine")
    with pytest.raises(PermissionDenied):
        resolve_item(UserFactory(), item.id, "accepted", "fine")
    finance = StaffFactory(roles=[Role.FINANCE])
    with pytest.raises(ValidationFailed):
        resolve_item(finance, item.id, "deleted", "fine")
    resolve_item(finance, item.id, "accepted", "Known coupon")
    with pytest.raises(InvalidState, match="already resolved by"):
        resolve_item(StaffFactory(roles=[Role.FINANCE]), item.id, "ours_corrected", "again")
    assert db.session.scalar(sa.select(sa.func.count()).where(AuditLog.action == "reconciliation.resolved")) == 1


def test_a_client_or_moderator_gets_403_on_the_resolve_route(app, client, login_as):
    item = _item()
    for user in (UserFactory(), StaffFactory(roles=[Role.MODERATOR])):
        login_as(user)
        resp = client.post(f"/staff/finance/reconciliation/{item.id}/resolve", data={"resolution": "accepted"})
        assert resp.status_code in (400, 403)  # no CSRF token (400) or no role (403): never resolved
    db.session.expire_all()
    assert db.session.get(ReconciliationItem, item.id).is_open


def test_accepted_stays_quiet_and_corrected_but_still_different_comes_back(stripe_app):
    finance = StaffFactory(roles=[Role.FINANCE])
    payments = []
    for _ in range(2):
        booking = HeldBookingFactory(amount=9000)
        intent = services.create_intent(booking.client, booking.id)
        payment = services.confirm_payment(booking.client, intent.payment.id, "pm_card_visa")
        payment.amount = 8000  # our books say 80.00, Stripe charged 90.00
        payments.append(payment)
    db.session.commit()
    assert reconcile_payments(7) == 2
    accepted, corrected = (
        db.session.scalar(sa.select(ReconciliationItem).where(ReconciliationItem.payment_id == p.id)) for p in payments
    )
    resolve_item(finance, accepted.id, "accepted", "Agreed with the coach")
    resolve_item(finance, corrected.id, "ours_corrected", "Fixed, I think")
    assert reconcile_payments(7) == 1  # only the "corrected" one, still different, is listed again
    open_ = db.session.scalars(sa.select(ReconciliationItem).where(ReconciliationItem.resolved_at.is_(None))).all()
    assert [i.payment_id for i in open_] == [payments[1].id]
