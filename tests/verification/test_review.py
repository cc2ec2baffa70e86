"""Reviewer services: claims, decisions, conflicts between two reviewers on real PostgreSQL."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from app.accounts.models import Role, User
from app.coaches.models import CoachProfile
from app.core.db import utcnow
from app.core.errors import Conflict, PermissionDenied, ValidationFailed
from app.core.models import AuditLog, OutgoingMail
from app.extensions import db
from app.verification import claims, review
from app.verification.models import ApplicationEvent, ApplicationStatus, CoachApplication
from tests.factories import StaffFactory, UserFactory
from tests.factories.verification import ApplicationFactory


@pytest.fixture
def reviewers(app):
    return StaffFactory(roles=[Role.VERIFIER], first_name="Vera"), StaffFactory(
        roles=[Role.VERIFIER], first_name="Walt"
    )


def _in_thread(app, barrier, fn, application_id, user_id, results, key):
    """Run one reviewer's call in its own app context, session and connection."""
    with app.app_context():
        actor = db.session.get(User, user_id)
        barrier.wait()
        try:
            fn(application_id, actor)
            results[key] = "ok"
        except Conflict as exc:
            results[key] = exc.message
        finally:
            db.session.remove()


def test_two_reviewers_deciding_at_once_record_exactly_one_decision(app, reviewers):
    a, b = reviewers
    application = ApplicationFactory()
    results: dict = {}
    barrier = threading.Barrier(2)
    approve = review.approve_application
    reject = lambda app_id, actor: review.reject_application(app_id, actor, "Certificate unreadable.")  # noqa: E731
    threads = [
        threading.Thread(target=_in_thread, args=(app, barrier, approve, application.id, a.id, results, "a")),
        threading.Thread(target=_in_thread, args=(app, barrier, reject, application.id, b.id, results, "b")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(results.values()).count("ok") == 1, results
    loser = next(v for v in results.values() if v != "ok")
    assert f"Application #{application.id} was already decided" in loser
    db.session.expire_all()
    fresh = db.session.get(CoachApplication, application.id)
    assert fresh.status in (ApplicationStatus.APPROVED, ApplicationStatus.REJECTED)
    decisions = AuditLog.query.filter(AuditLog.action.in_(["application.approved", "application.rejected"])).count()
    assert decisions == 1
    assert ApplicationEvent.query.filter(ApplicationEvent.kind.in_(["approved", "rejected"])).count() == 1


def test_two_reviewers_claiming_at_once_get_one_claim(app, reviewers):
    a, b = reviewers
    application = ApplicationFactory()
    results: dict = {}
    barrier = threading.Barrier(2)
    threads = [
        threading.Thread(
            target=_in_thread, args=(app, barrier, claims.claim_application, application.id, u.id, results, k)
        )
        for k, u in (("a", a), ("b", b))
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert list(results.values()).count("ok") == 1, results
    db.session.expire_all()
    holder = db.session.get(CoachApplication, application.id).claimed_by
    loser = next(v for v in results.values() if v != "ok")
    assert loser.startswith(f"{holder.full_name} is reviewing application #{application.id} until")


def test_a_claim_blocks_others_until_it_expires(app, reviewers):
    a, b = reviewers
    application = ApplicationFactory()
    claims.claim_application(application.id, a)
    with pytest.raises(Conflict) as err:
        review.approve_application(application.id, b)
    assert "you cannot decide it at the same time" in err.value.message
    assert err.value.status == 409
    # the claim runs out by itself
    db.session.get(CoachApplication, application.id).claim_expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    review.approve_application(application.id, b)
    assert db.session.get(CoachApplication, application.id).status == ApplicationStatus.APPROVED


def test_release_and_reassign(app, reviewers):
    a, b = reviewers
    application = ApplicationFactory()
    claims.claim_application(application.id, a)
    claims.release_claim(application.id, a)
    assert db.session.get(CoachApplication, application.id).claimed_by_id is None
    claims.claim_application(application.id, a)
    claims.reassign_claim(application.id, a, b.id)
    assert db.session.get(CoachApplication, application.id).claimed_by_id == b.id
    assert AuditLog.query.filter_by(action="application.claim_reassigned").count() == 1


def test_only_verification_staff_decide(app):
    application = ApplicationFactory()
    for user in (UserFactory(), StaffFactory(roles=[Role.MODERATOR])):
        with pytest.raises(PermissionDenied):
            review.approve_application(application.id, user)


def test_approval_grants_coach_role_and_inactive_profile(app, reviewers):
    a, _ = reviewers
    application = ApplicationFactory()
    review.approve_application(application.id, a)
    user = db.session.get(User, application.user_id)
    assert user.has_role(Role.COACH)
    profile = CoachProfile.query.filter_by(user_id=user.id).one()
    assert profile.is_active is False
    assert profile.ipec_number == application.ipec_number
    assert [lang.code for lang in profile.languages] == ["en"]
    mail = OutgoingMail.query.filter_by(to_address=user.email).one()
    assert mail.subject == "You are now a Coach Connect coach"
    assert AuditLog.query.filter_by(action="application.approved").count() == 1


def test_reject_needs_a_reason_and_sets_the_waiting_period(app, reviewers):
    a, _ = reviewers
    application = ApplicationFactory()
    with pytest.raises(ValidationFailed):
        review.reject_application(application.id, a, "  ")
    review.reject_application(application.id, a, "The certificate is not an iPEC certificate.")
    fresh = db.session.get(CoachApplication, application.id)
    assert fresh.status == ApplicationStatus.REJECTED
    assert fresh.reapply_after > utcnow() + timedelta(days=29)
    mail = OutgoingMail.query.one()
    assert "The certificate is not an iPEC certificate." in mail.text_body
    assert "You may apply again from" in mail.text_body


def test_a_second_decision_gets_a_clear_conflict(app, reviewers):
    a, b = reviewers
    application = ApplicationFactory()
    review.approve_application(application.id, a)
    with pytest.raises(Conflict) as err:
        review.reject_application(application.id, b, "no")
    assert err.value.message.startswith(f"Application #{application.id} was already decided: it is approved (by Vera")


def test_reopen_withdraws_the_coach_role_and_is_audited(app, reviewers):
    a, b = reviewers
    application = ApplicationFactory()
    review.approve_application(application.id, a)
    review.reopen_application(application.id, b, "The iPEC registry does not list this number.")
    fresh = db.session.get(CoachApplication, application.id)
    assert fresh.status == ApplicationStatus.SUBMITTED
    assert not db.session.get(User, application.user_id).has_role(Role.COACH)
    entry = AuditLog.query.filter_by(action="application.reopened").one()
    assert entry.after["reason"] == "The iPEC registry does not list this number."


def test_notes_are_staff_only(app, reviewers):
    a, _ = reviewers
    application = ApplicationFactory()
    review.add_note(application.id, a, "Called iPEC, number confirmed.")
    event = ApplicationEvent.query.filter_by(kind="note").one()
    assert event.is_staff_only is True
