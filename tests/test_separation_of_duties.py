"""Separation of duties (issue 22): nobody decides their own coach application, moderates their own
content or a flag they raised, or issues or decides a refund paid to themselves; admins included.
Each refusal changes nothing and is in the audit log, through the services, the API and the console."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.accounts.services import create_api_token
from app.core.duties import OwnInterest
from app.core.models import AuditLog
from app.extensions import db
from app.moderation import sanctions
from app.moderation import services as moderation
from app.moderation.models import ItemStatus, ModerationItem
from app.payments import refunds
from app.payments.models import Refund, RefundStatus
from app.verification import claims, review
from app.verification.models import ApplicationStatus, CoachApplication
from tests.conftest import csrf_token_from
from tests.factories import StaffFactory
from tests.factories.community import OldUserFactory, ReplyFactory
from tests.factories.payments import PaidPaymentFactory
from tests.factories.verification import ApplicationFactory, DocumentFactory


def _refusals(actor, action: str) -> list[AuditLog]:
    db.session.expire_all()
    return db.session.scalars(
        sa.select(AuditLog).where(AuditLog.actor_id == actor.id, AuditLog.action == f"refused.{action}")
    ).all()


def _console_post(client, page: str, route: str, **fields) -> str:
    """Submit a form of `page` (its CSRF token) to page/route; the text of the page it ends on."""
    token = csrf_token_from(client, page)
    return client.post(f"{page}/{route}", data={"csrf_token": token, **fields}, follow_redirects=True).get_data(
        as_text=True
    )


def _bearer(user) -> dict:
    _, token = create_api_token(user, "duties")
    return {"Authorization": f"Bearer {token}"}


# Coach applications ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.VERIFIER, Role.ADMIN])
def test_a_reviewer_cannot_approve_their_own_application_through_the_api(client, role):
    reviewer = StaffFactory(roles=[role])
    application = ApplicationFactory(user=reviewer)
    resp = client.put(f"/api/coaches/{application.id}/verify", json={"decision": "approve"}, headers=_bearer(reviewer))
    assert resp.status_code == 403
    assert resp.get_json()["error"] == {
        "code": "own_interest",
        "message": "This is your own application: another reviewer must handle it.",
        "fields": {},
    }
    db.session.expire_all()
    assert db.session.get(CoachApplication, application.id).status == ApplicationStatus.SUBMITTED
    assert not reviewer.has_role(Role.COACH)
    [entry] = _refusals(reviewer, "application.approve")
    assert (entry.object_type, entry.object_id) == ("coach_applications", str(application.id))


@pytest.mark.parametrize(
    "decide",
    [
        lambda a, actor: claims.claim_application(a.id, actor),
        lambda a, actor: review.reject_application(a.id, actor, "No."),
        lambda a, actor: review.request_information(a.id, actor, "More?"),
        lambda a, actor: review.decide_document(DocumentFactory(application=a).id, actor, "accepted"),
    ],
    ids=["claim", "reject", "request_info", "document"],
)
def test_no_decision_on_ones_own_application_in_the_services(app, decide):
    admin = StaffFactory(roles=[Role.ADMIN])
    application = ApplicationFactory(user=admin)
    with pytest.raises(OwnInterest):
        decide(application, admin)
    db.session.expire_all()
    assert db.session.get(CoachApplication, application.id).claimed_by_id is None
    assert db.session.scalar(sa.select(sa.func.count()).where(AuditLog.action.like("refused.%"))) == 1


def test_an_admin_cannot_reopen_their_own_rejection_or_hand_it_to_the_applicant(app):
    admin, other = StaffFactory(roles=[Role.ADMIN]), StaffFactory(roles=[Role.VERIFIER])
    rejected = ApplicationFactory(user=admin)
    review.reject_application(rejected.id, other, "Certificate unreadable.")
    with pytest.raises(OwnInterest):
        review.reopen_application(rejected.id, db.session.merge(admin), "Please look again.")
    assert db.session.get(CoachApplication, rejected.id).status == ApplicationStatus.REJECTED
    pending = ApplicationFactory(user=other)
    with pytest.raises(OwnInterest, match="That reviewer is the applicant"):
        claims.reassign_claim(pending.id, db.session.merge(admin), other.id)
    assert _refusals(admin, "application.reopen") and _refusals(admin, "application.reassign")


def test_the_review_console_refuses_ones_own_application_with_the_reason(client, login_as):
    verifier = StaffFactory(roles=[Role.VERIFIER])
    application = ApplicationFactory(user=verifier)
    login_as(verifier)
    page = _console_post(client, f"/staff/verification/{application.id}", "decide", decision="approve", reason="")
    assert "This is your own application: another reviewer must handle it." in page
    assert db.session.get(CoachApplication, application.id).status == ApplicationStatus.SUBMITTED
    assert _refusals(verifier, "application.approve")


# Moderation --------------------------------------------------------------------------------------


def _item(target_author=None, reporter=None) -> ModerationItem:
    reply = ReplyFactory(author=target_author or OldUserFactory(), body_md="Cheap pills here")
    moderation.flag_target(reporter or OldUserFactory(), "reply", reply.id, "spam", "advert")
    return db.session.scalar(sa.select(ModerationItem).where(ModerationItem.target_id == reply.id))


@pytest.mark.parametrize("role", [Role.MODERATOR, Role.ADMIN])
def test_a_moderator_cannot_decide_on_their_own_content_through_the_api(client, role):
    moderator = StaffFactory(roles=[role])
    item = _item(target_author=moderator)
    resp = client.post(f"/api/moderation/items/{item.id}/decision", json={"action": "keep"}, headers=_bearer(moderator))
    assert resp.status_code == 403 and resp.get_json()["error"]["code"] == "own_interest"
    assert "your own content" in resp.get_json()["error"]["message"]
    db.session.expire_all()
    assert db.session.get(ModerationItem, item.id).status == ItemStatus.PENDING
    assert _refusals(moderator, "moderation.keep")


def test_a_moderator_cannot_decide_or_claim_a_flag_they_raised(app):
    admin = StaffFactory(roles=[Role.ADMIN])
    item = _item(reporter=admin)
    with pytest.raises(OwnInterest, match="You flagged this item"):
        moderation.decide(admin, item, "remove", "Spam")
    with pytest.raises(OwnInterest, match="You flagged this item"):
        moderation.claim_item(db.session.merge(admin), db.session.merge(item))
    db.session.expire_all()
    assert db.session.get(ModerationItem, item.id).status == ItemStatus.PENDING
    assert _refusals(admin, "moderation.remove") and _refusals(admin, "moderation.claim")


def test_the_moderation_console_refuses_ones_own_content_and_bulk_names_it(client, login_as):
    moderator = StaffFactory(roles=[Role.MODERATOR])
    own, other = _item(target_author=moderator), _item()
    login_as(moderator)
    page = _console_post(client, f"/staff/moderation/items/{own.id}", "decision", action="hide", reason="x")
    assert "This is your own content: another moderator must decide it." in page
    result = moderation.bulk_decide(db.session.merge(moderator), [own.id, other.id], "remove", "Spam")
    assert result == {
        "done": [other.id],
        "failed": {own.id: "This is your own content: another moderator must decide it."},
    }
    db.session.expire_all()
    assert db.session.get(ModerationItem, own.id).status == ItemStatus.PENDING
    assert len(_refusals(moderator, "moderation.hide")) == len(_refusals(moderator, "moderation.remove")) == 1


def test_nobody_sanctions_themselves(app):
    admin = StaffFactory(roles=[Role.ADMIN])
    with pytest.raises(OwnInterest, match="You cannot sanction yourself"):
        sanctions.sanction_user(admin, admin, "warn", "Testing")
    assert _refusals(admin, "moderation.user_warn")


# Refunds -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.FINANCE, Role.ADMIN])
def test_nobody_issues_a_refund_of_their_own_payment_through_the_api(client, role):
    staff = StaffFactory(roles=[role])
    payment = PaidPaymentFactory(booking__client=staff)
    body = {"payment_id": payment.id, "amount": 100, "reason": "goodwill"}
    resp = client.post("/api/payments/refund", json=body, headers=_bearer(staff))
    assert resp.status_code == 403 and resp.get_json()["error"]["code"] == "own_interest"
    assert "This payment is yours" in resp.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Refund.id))) == 0
    [entry] = _refusals(staff, "refund.request")
    assert (entry.object_type, entry.object_id) == ("payments", str(payment.id))


def test_nobody_approves_or_rejects_a_refund_to_themselves(app, monkeypatch):
    monkeypatch.setitem(app.config, "REFUND_APPROVAL_THRESHOLD", 1000)
    admin, finance = StaffFactory(roles=[Role.ADMIN]), StaffFactory(roles=[Role.FINANCE])
    payment = PaidPaymentFactory(booking__client=admin, amount=9000)
    refund = refunds.request_refund(finance, payment.id, 5000, "goodwill")
    assert refund.status == RefundStatus.PENDING_APPROVAL
    for decide, action in ((refunds.approve_refund, "refund.approve"), (refunds.reject_refund, "refund.reject")):
        with pytest.raises(OwnInterest, match="This payment is yours"):
            decide(db.session.merge(admin), refund.id)
        [entry] = _refusals(admin, action)
        assert (entry.object_type, entry.object_id) == ("refunds", str(refund.id))
    assert db.session.get(Refund, refund.id).status == RefundStatus.PENDING_APPROVAL


def test_approving_a_refund_one_requested_is_refused_and_audited(app, monkeypatch):
    monkeypatch.setitem(app.config, "REFUND_APPROVAL_THRESHOLD", 1000)
    finance = StaffFactory(roles=[Role.FINANCE])
    refund = refunds.request_refund(finance, PaidPaymentFactory(amount=9000).id, 5000, "goodwill")
    with pytest.raises(OwnInterest, match="different finance user"):
        refunds.approve_refund(db.session.merge(finance), refund.id)
    assert _refusals(finance, "refund.approve")


def test_the_finance_console_refuses_ones_own_refund_approval(client, login_as, monkeypatch, app):
    monkeypatch.setitem(app.config, "REFUND_APPROVAL_THRESHOLD", 1000)
    finance, other = StaffFactory(roles=[Role.FINANCE]), StaffFactory(roles=[Role.FINANCE])
    payment = PaidPaymentFactory(booking__client=finance, amount=9000)
    refund = refunds.request_refund(other, payment.id, 5000, "goodwill")
    login_as(finance)
    token = csrf_token_from(client, "/staff/finance/approvals")
    resp = client.post(f"/staff/finance/refunds/{refund.id}/approve", data={"csrf_token": token}, follow_redirects=True)
    assert "This payment is yours: another finance user must handle its refund." in resp.get_data(as_text=True)
    assert db.session.get(Refund, refund.id).status == RefundStatus.PENDING_APPROVAL
    assert _refusals(finance, "refund.approve")
