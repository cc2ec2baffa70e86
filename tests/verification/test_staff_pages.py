"""The verification console: queue filters, counts, overdue marking, pagination, query counts,
the review page (claim banner, preview, download), shortcuts and the home summary."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.accounts.models import Role
from app.core.db import utcnow
from app.core.storage import storage
from app.extensions import db
from app.verification import check_runs, claims, review
from app.verification.models import CoachApplication
from tests.factories import StaffFactory, UserFactory
from tests.factories.verification import ApplicationFactory, DocumentFactory
from tests.sql_log import count_queries
from tests.verification import files


@pytest.fixture
def verifier(app):
    return StaffFactory(roles=[Role.VERIFIER], first_name="Vera", last_name="Verifier")


def test_queue_is_for_verification_staff(app, client, login_as):
    login_as(UserFactory())
    assert client.get("/staff/verification/").status_code == 403
    login_as(StaffFactory(roles=[Role.MODERATOR]))
    assert client.get("/staff/verification/").status_code == 403


def test_queue_oldest_first_with_counts_age_and_overdue(app, client, login_as, verifier):
    old = ApplicationFactory(first_name="Zelda", submitted_at=utcnow() - timedelta(hours=72))
    new = ApplicationFactory(first_name="Yorick", submitted_at=utcnow() - timedelta(hours=2))
    ApplicationFactory(status="approved")
    login_as(verifier)
    html = client.get("/staff/verification/").get_data(as_text=True)
    assert html.index("Zelda") < html.index("Yorick")
    assert "Awaiting decision: <strong>2</strong>" in html
    assert "Waiting for applicant: <strong>0</strong>" in html
    assert 'class="overdue-row"' in html and "overdue</span>" in html
    assert html.count('class="overdue-row"') == 1
    assert f'data-href="/staff/verification/{old.id}"' in html and "data-queue" in html
    newest = client.get("/staff/verification/?sort=newest").get_data(as_text=True)
    assert newest.index("Yorick") < newest.index("Zelda")
    overdue = client.get("/staff/verification/?age=overdue").get_data(as_text=True)
    assert "Zelda" in overdue and "Yorick" not in overdue
    assert new.id


def test_queue_filters_level_failing_assignee(app, client, login_as, verifier):
    ApplicationFactory(first_name="Masha", certification_level="master", has_failing_checks=True)
    claimed = ApplicationFactory(first_name="Claire")
    claims.claim_application(claimed.id, verifier)
    login_as(verifier)
    html = client.get("/staff/verification/?level=master").get_data(as_text=True)
    assert "Masha" in html and "Claire" not in html
    html = client.get("/staff/verification/?failing=yes").get_data(as_text=True)
    assert "Masha" in html and "Claire" not in html
    html = client.get("/staff/verification/?assignee=me").get_data(as_text=True)
    assert "Claire" in html and "Masha" not in html and "Vera Verifier" in html
    html = client.get("/staff/verification/?assignee=none").get_data(as_text=True)
    assert "Masha" in html and "Claire" not in html


def test_queue_keyset_pages_and_query_count_does_not_grow(app, client, login_as, verifier):
    for n in range(30):
        ApplicationFactory(first_name=f"P{n:02d}", submitted_at=utcnow() - timedelta(hours=100 - n))
    login_as(verifier)
    client.get("/staff/verification/?limit=5")  # warm up
    with count_queries() as small:
        first = client.get("/staff/verification/?limit=5").get_data(as_text=True)
    with count_queries() as large:
        client.get("/staff/verification/?limit=30")
    assert len(small) == len(large)
    assert "P00" in first and "P05" not in first
    import re

    cursor = re.search(r'href="([^"]*after=[^"]+)"', first).group(1).replace("&amp;", "&")
    second = client.get(cursor).get_data(as_text=True)
    assert "P05" in second and "P00" not in second


def test_review_page_claims_shows_checks_preview_and_download(app, client, login_as, verifier):
    applicant = UserFactory(first_name="Ada", last_name="Lovelace")
    application = ApplicationFactory(user=applicant)
    data = files.certificate_pdf("Ada Lovelace")
    doc = DocumentFactory(application=application, data=data, original_filename="ada cert.pdf")
    storage().put(doc.storage_key, data, "application/pdf")
    check_runs.run_checks(application.id)
    login_as(verifier)
    html = client.get(f"/staff/verification/{application.id}").get_data(as_text=True)
    assert "You hold this application until" in html
    assert f'src="/staff/verification/documents/{doc.id}/preview"' in html
    assert "The certificate names “Ada Lovelace”, matching the applicant Ada Lovelace (similarity 100%)." in html
    assert 'data-shortcut="a"' in html and 'data-shortcut="r"' in html and 'data-shortcut="i"' in html
    assert "<kbd>a</kbd></dt><dd>Approve" in html
    db.session.expire_all()
    assert db.session.get(CoachApplication, application.id).claimed_by_id == verifier.id
    preview = client.get(f"/staff/verification/documents/{doc.id}/preview")
    assert preview.status_code == 200 and preview.mimetype == "image/png"
    download = client.get(f"/staff/verification/documents/{doc.id}/download")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "ada cert.pdf" in download.headers["Content-Disposition"]
    assert download.data == data
    login_as(UserFactory())
    assert client.get(f"/staff/verification/documents/{doc.id}/download").status_code == 403


def test_second_reviewer_sees_who_holds_it_and_cannot_decide(app, client, login_as, verifier):
    application = ApplicationFactory()
    claims.claim_application(application.id, verifier)
    other = StaffFactory(roles=[Role.VERIFIER])
    login_as(other)
    html = client.get(f"/staff/verification/{application.id}").get_data(as_text=True)
    assert "Vera Verifier is reviewing application" in html
    assert 'id="approve-button"' not in html
    token = __import__("re").search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    resp = client.post(
        f"/staff/verification/{application.id}/decide", data={"csrf_token": token, "decision": "approve"}
    )
    assert resp.status_code == 302
    follow = client.get(resp.location).get_data(as_text=True)
    assert "Vera Verifier is reviewing application" in follow
    db.session.expire_all()
    assert db.session.get(CoachApplication, application.id).status.value == "submitted"


def test_release_beacon_and_reject_with_template(app, client, login_as, verifier):
    application = ApplicationFactory()
    review.save_rejection_template(verifier, None, "Not iPEC", "The certificate is not from iPEC.")
    login_as(verifier)
    html = client.get(f"/staff/verification/{application.id}").get_data(as_text=True)
    assert 'data-body="The certificate is not from iPEC."' in html
    token = __import__("re").search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    resp = client.post(f"/staff/verification/{application.id}/release", data={"csrf_token": token, "beacon": "1"})
    assert resp.status_code == 204
    db.session.expire_all()
    assert db.session.get(CoachApplication, application.id).claimed_by_id is None


def test_home_shows_the_queue_summary(app, client, login_as, verifier):
    ApplicationFactory()
    login_as(verifier)
    html = client.get("/staff/").get_data(as_text=True)
    assert "Coach verification" in html and '<p class="big-number">1</p>' in html
