"""Issue 18's verification fixes: Retry for checks that failed to run, a reopened application is
undecided again, approval accepts the certificate, and the rejection templates page."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.core.models import AuditLog
from app.extensions import db
from app.verification import review
from app.verification.models import (
    ApplicationDocument,
    ChecksState,
    CoachApplication,
    DocumentDecision,
    RejectionTemplate,
)
from tests.conftest import csrf_token_from
from tests.factories import StaffFactory
from tests.factories.verification import ApplicationFactory, DocumentFactory


@pytest.fixture
def verifier(app):
    return StaffFactory(roles=[Role.VERIFIER], first_name="Vera", last_name="Verifier")


def test_checks_that_failed_to_run_offer_retry_in_the_queue_and_queue_again(app, client, login_as, verifier):
    application = ApplicationFactory(first_name="Carla", checks_state=ChecksState.FAILED)
    DocumentFactory(application=application)
    login_as(verifier)
    queue = client.get("/staff/verification/").get_data(as_text=True)
    row = queue[queue.index("Carla") :]
    row = row[: row.index("</tr>")]
    assert "checks failed to run" in row and ">Retry</button>" in row
    token = csrf_token_from(client, "/staff/verification/")
    resp = client.post(
        f"/staff/verification/{application.id}/checks/retry", data={"csrf_token": token, "back": "queue"}
    )
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/staff/verification/")
    # Inline jobs in tests: the checks ran again at the commit and finished.
    fresh = db.session.get(CoachApplication, application.id, populate_existing=True)
    assert fresh.checks_state == ChecksState.DONE
    assert db.session.scalar(sa.select(AuditLog.actor_id).where(AuditLog.action == "application.checks_retried")) == (
        verifier.id
    )


def test_retry_is_refused_when_the_checks_did_not_fail(app, verifier):
    application = ApplicationFactory(checks_state=ChecksState.DONE)
    DocumentFactory(application=application)
    from app.core.errors import InvalidState

    with pytest.raises(InvalidState, match="nothing to retry"):
        review.retry_checks(application.id, verifier)


def test_a_reopened_application_no_longer_says_decided_by(app, client, login_as, verifier):
    application = ApplicationFactory()
    review.reject_application(application.id, verifier, "Unreadable.")
    login_as(verifier)
    assert "decided" in client.get(f"/staff/verification/{application.id}").get_data(as_text=True)
    review.reopen_application(application.id, verifier, "The applicant sent a better scan by mail.")
    page = client.get(f"/staff/verification/{application.id}").get_data(as_text=True)
    header = page[page.index("<h1>") : page.index("</p>", page.index("<h1>"))]
    assert "submitted" in header and "decided" not in header and "by Vera Verifier" not in header
    assert "reopened" in page  # the history keeps what happened


def test_approval_accepts_the_certificate_it_was_approved_on(app, verifier):
    application = ApplicationFactory()
    doc = DocumentFactory(application=application)
    review.approve_application(application.id, verifier)
    fresh = db.session.get(ApplicationDocument, doc.id, populate_existing=True)
    assert fresh.decision == DocumentDecision.ACCEPTED and fresh.decided_by_id == verifier.id


def test_templates_page_lists_templates_with_an_empty_state(app, client, login_as, verifier):
    login_as(verifier)
    empty = client.get("/staff/verification/templates").get_data(as_text=True)
    assert "No templates yet." in empty
    db.session.add(RejectionTemplate(title="Name does not match", body="The names differ."))
    db.session.commit()
    page = client.get("/staff/verification/templates").get_data(as_text=True)
    listing = page[page.index('id="template-list"') : page.index("</table>")]
    assert "Name does not match" in listing and "The names differ." in listing and "No templates yet." not in page


def test_the_review_page_offers_the_templates_to_the_r_shortcut(app, client, login_as, verifier):
    db.session.add(RejectionTemplate(title="Unreadable", body="We could not read it."))
    db.session.commit()
    application = ApplicationFactory()
    login_as(verifier)
    page = client.get(f"/staff/verification/{application.id}").get_data(as_text=True)
    assert 'data-shortcut="r" data-focus="reject-template"' in page
    assert 'data-body="We could not read it."' in page


def test_the_demo_seeds_rejection_templates_once(app):
    from app.seed.demo_applications import REJECTION_TEMPLATES, seed_rejection_templates

    for _ in range(2):
        seed_rejection_templates()
        db.session.commit()
    titles = db.session.scalars(sa.select(RejectionTemplate.title)).all()
    assert sorted(titles) == sorted(t for t, _ in REJECTION_TEMPLATES)


def test_empty_queue_tabs_say_what_is_empty(app, client, login_as, verifier):
    login_as(verifier)
    assert "No applications awaiting a decision." in client.get("/staff/verification/").get_data(as_text=True)
    rejected = client.get("/staff/verification/?status=rejected").get_data(as_text=True)
    assert "No rejected applications." in rejected and "Well done" not in rejected
