"""The questions an application answers about itself (issue 17): who may take which decision now,
who sees it, whether it is overdue. The review page, the services and the API ask the same."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.accounts.models import Role
from app.core.db import utcnow
from app.core.errors import Conflict, ValidationFailed
from app.extensions import db
from app.verification import claims, review
from app.verification.models import ApplicationStatus, CoachApplication
from tests.conftest import csrf_token_from
from tests.factories import StaffFactory, UserFactory
from tests.factories.verification import ApplicationFactory

DECISIONS = ("approve", "reject", "request_info", "reopen")


@pytest.fixture
def verifier(app):
    return StaffFactory(roles=[Role.VERIFIER], first_name="Vera", last_name="Verifier")


def _open_to(application: CoachApplication, user, now=None) -> set[str]:
    return {d for d in DECISIONS if application.can_be_decided_by(user, now or utcnow(), d)}


@pytest.mark.parametrize(
    "status, decisions",
    [
        (ApplicationStatus.DRAFT, set()),
        (ApplicationStatus.SUBMITTED, {"approve", "reject", "request_info"}),
        (ApplicationStatus.INFO_REQUESTED, {"reject"}),
        (ApplicationStatus.APPROVED, {"reopen"}),
        (ApplicationStatus.REJECTED, {"reopen"}),
    ],
)
def test_each_status_opens_the_decisions_the_services_take(app, verifier, status, decisions):
    application = ApplicationFactory(status=status)
    assert _open_to(application, verifier) == decisions
    assert application.can_be_decided_by(verifier, utcnow()) == ("reject" in decisions)
    admin = StaffFactory(roles=[Role.ADMIN])
    assert _open_to(application, admin) == decisions


def test_nobody_decides_their_own_application_and_only_reviewers_decide(app, verifier):
    own = ApplicationFactory(user=verifier)
    assert _open_to(own, verifier) == set() and not own.is_reviewable_by(verifier)
    application = ApplicationFactory()
    for outsider in (UserFactory(), StaffFactory(roles=[Role.MODERATOR]), StaffFactory(roles=[Role.FINANCE]), None):
        assert _open_to(application, outsider) == set()


def test_another_reviewers_live_claim_closes_the_decisions_but_not_reopening(app, verifier):
    application = ApplicationFactory()
    other = StaffFactory(roles=[Role.VERIFIER])
    claims.claim_application(application.id, other)
    application = db.session.get(CoachApplication, application.id)
    assert _open_to(application, verifier) == set()
    assert _open_to(application, other) == {"approve", "reject", "request_info"}
    later = application.claim_expires_at + timedelta(seconds=1)
    assert _open_to(application, verifier, later) == {"approve", "reject", "request_info"}
    # The service agrees with the model: the claim refuses the other reviewer.
    with pytest.raises(Conflict, match="is reviewing application"):
        review.approve_application(application.id, verifier)
    decided = ApplicationFactory(status=ApplicationStatus.REJECTED, claimed_by_id=other.id,
                                 claim_expires_at=utcnow() + timedelta(minutes=5))  # fmt: skip
    assert _open_to(decided, verifier) == {"reopen"}


def test_the_applicant_and_reviewers_see_an_application_and_nobody_else(app, verifier):
    application = ApplicationFactory()
    assert application.is_visible_to(application.user) and application.is_visible_to(verifier)
    assert not application.is_visible_to(UserFactory())
    assert not application.is_visible_to(StaffFactory(roles=[Role.MODERATOR]))


def test_overdue_is_only_an_application_awaiting_a_decision_past_the_target(app):
    now, target = utcnow(), timedelta(hours=48)
    late = ApplicationFactory(submitted_at=now - timedelta(hours=49))
    assert late.is_overdue(now, target)
    assert not ApplicationFactory(submitted_at=now - timedelta(hours=47)).is_overdue(now, target)
    waiting = ApplicationFactory(status=ApplicationStatus.INFO_REQUESTED, submitted_at=now - timedelta(hours=49))
    assert not waiting.is_overdue(now, target)


def test_decide_application_takes_a_decision_by_name_and_refuses_others(app, verifier):
    application = ApplicationFactory()
    for junk in ("approve_all", None, ["approve"], 1):
        with pytest.raises(ValidationFailed, match="decision must be approve, reject or request_info"):
            review.decide_application(application.id, verifier, junk, "x")
    review.decide_application(application.id, verifier, "request_info", "Which year?")
    assert db.session.get(CoachApplication, application.id).status == ApplicationStatus.INFO_REQUESTED


def test_the_review_page_offers_what_the_model_allows(app, client, login_as, verifier):
    waiting = ApplicationFactory(status=ApplicationStatus.INFO_REQUESTED)
    login_as(verifier)
    page = client.get(f"/staff/verification/{waiting.id}").get_data(as_text=True)
    assert 'id="reject-form"' in page and 'id="approve-form"' not in page and 'id="info-form"' not in page
    # One's own decided application: the decision is shown, Reopen is not offered (the service refuses it).
    own = ApplicationFactory(user=verifier, status=ApplicationStatus.REJECTED, decision_reason="Unreadable.")
    page = client.get(f"/staff/verification/{own.id}").get_data(as_text=True)
    assert "Decided: <strong>rejected</strong> — Unreadable." in page
    assert "/reopen" not in page and "another reviewer may reopen it" in page
    decided = ApplicationFactory(status=ApplicationStatus.APPROVED)
    page = client.get(f"/staff/verification/{decided.id}").get_data(as_text=True)
    assert f'action="/staff/verification/{decided.id}/reopen"' in page
    token = csrf_token_from(client, f"/staff/verification/{decided.id}")
    resp = client.post(f"/staff/verification/{decided.id}/reopen", data={"csrf_token": token, "reason": "Recheck."})
    assert resp.status_code == 302
    assert db.session.get(CoachApplication, decided.id).status == ApplicationStatus.SUBMITTED
