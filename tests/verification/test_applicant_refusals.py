"""What an applicant is refused, and that a refusal changes nothing already saved."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.core.db import utcnow
from app.core.errors import InvalidState, NotFound, ValidationFailed
from app.extensions import db
from app.verification import services
from app.verification.models import ApplicationStatus, CoachApplication
from tests.factories import UserFactory
from tests.factories.verification import ApplicationFactory


def _applications(user) -> list[tuple[int, str]]:
    """The user's applications as stored (read fresh)."""
    db.session.expire_all()
    rows = sa.select(CoachApplication.id, CoachApplication.status).where(CoachApplication.user_id == user.id)
    return [(i, s.value) for i, s in db.session.execute(rows.order_by(CoachApplication.id))]


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (ApplicationStatus.SUBMITTED, "You already have an application under review; see its status page."),
        (ApplicationStatus.INFO_REQUESTED, "You already have an application under review; see its status page."),
        (ApplicationStatus.APPROVED, "Your application was approved already; you are a coach."),
    ],
)
def test_no_second_application_while_one_is_open_or_approved(app, status, message):
    existing = ApplicationFactory(status=status)
    user = existing.user
    with pytest.raises(InvalidState) as refused:
        services.save_step(user, 1, {"first_name": "Grace", "last_name": "Hopper", "phone": "+49 30 1234567"})
    assert refused.value.message == message
    assert _applications(user) == [(existing.id, status.value)]


def test_a_rejected_applicant_waits_until_the_stated_day(app):
    until = utcnow() + timedelta(days=10)
    rejected = ApplicationFactory(status=ApplicationStatus.REJECTED, reapply_after=until)
    with pytest.raises(InvalidState) as refused:
        services.save_step(rejected.user, 1, {"first_name": "Grace"})
    assert refused.value.message == f"You may apply again from {until:%Y-%m-%d}."
    assert _applications(rejected.user) == [(rejected.id, "rejected")]


def test_a_rejected_applicant_may_start_again_once_the_wait_is_over(app):
    rejected = ApplicationFactory(status=ApplicationStatus.REJECTED, reapply_after=utcnow() - timedelta(minutes=1))
    services.save_step(rejected.user, 1, {"first_name": "Grace", "last_name": "Hopper", "phone": "+49 30 1234567"})
    assert [s for _, s in _applications(rejected.user)] == ["rejected", "draft"]


def test_submitting_without_a_draft_or_with_gaps_is_refused(app):
    with pytest.raises(InvalidState, match="There is no draft application to submit."):
        services.submit_application(UserFactory())
    draft = ApplicationFactory(status=ApplicationStatus.DRAFT, step=1, ipec_number=None, bio=None)
    with pytest.raises(ValidationFailed) as refused:
        services.submit_application(draft.user)
    assert refused.value.message.startswith("Step ") and refused.value.message.endswith(" is not complete yet.")
    assert "ipec_number" in refused.value.fields
    assert _applications(draft.user) == [(draft.id, "draft")]


def test_a_step_that_does_not_exist_is_refused(app):
    with pytest.raises(ValidationFailed) as refused:
        services.save_step(UserFactory(), 9, {})
    assert refused.value.fields["step"] == "Steps are 1 to 4."


def test_only_the_applicant_answers_and_only_when_asked(app):
    waiting = ApplicationFactory(status=ApplicationStatus.SUBMITTED)
    with pytest.raises(NotFound):
        services.answer_information_request(UserFactory(), waiting.id, "Here you are.", None)
    with pytest.raises(InvalidState, match="not waiting for your answer"):
        services.answer_information_request(waiting.user, waiting.id, "Here you are.", None)
    asked = ApplicationFactory(status=ApplicationStatus.INFO_REQUESTED)
    with pytest.raises(ValidationFailed) as refused:
        services.answer_information_request(asked.user, asked.id, "   ", None)
    assert refused.value.fields["answer"] == "Please write an answer."
    assert _applications(asked.user) == [(asked.id, "info_requested")]
