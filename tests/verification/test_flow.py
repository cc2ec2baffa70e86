"""The whole flow, through the API and through the forms: apply → checks → request info →
answer → approve → coach role, with mails in the outbox and audit rows."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

from app.accounts import services as accounts
from app.accounts.models import Role, User
from app.coaches.models import CoachProfile
from app.core.models import AuditLog, OutgoingMail
from app.extensions import db
from app.verification.models import ApplicationStatus, CoachApplication
from tests.factories import StaffFactory, UserFactory
from tests.verification import files

CERT_DATE = (date.today() - timedelta(days=500)).isoformat()


def bearer(user) -> dict:
    _token, plain = accounts.create_api_token(user, "test")
    return {"Authorization": f"Bearer {plain}"}


def api_fields(**overrides) -> dict:
    data = {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "phone": "+44 20 7946 0000",
        "ipec_number": "IPEC-424242",
        "certification_level": "professional",
        "certification_date": CERT_DATE,
        "years_experience": "4",
        "specializations": ["career", "leadership"],
        "languages": ["en", "fr"],
        "hourly_rate": "9000",
        "currency": "EUR",
        "bio": "Analytical coach.",
    }
    data.update(overrides)
    return data


def test_api_flow_apply_request_info_answer_approve(app, client):
    applicant = UserFactory(first_name="Ada", last_name="Lovelace")
    verifier = StaffFactory(roles=[Role.VERIFIER])
    me, staff = bearer(applicant), bearer(verifier)
    data = api_fields(certificate=(io.BytesIO(files.certificate_pdf("Ada Lovelace")), "cert.pdf"))
    resp = client.post("/api/coaches/apply", data=data, headers=me, content_type="multipart/form-data")
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["status"] == "submitted"
    assert {c["name"]: c["result"] for c in body["checks"]}["name"] == "pass"
    assert len(body["checks"]) == 14
    app_id = body["id"]

    resp = client.get(f"/api/coaches/applications/{app_id}", headers=me)
    assert resp.status_code == 200
    assert [h["kind"] for h in resp.get_json()["history"]] == ["submitted"]

    resp = client.put(
        f"/api/coaches/{app_id}/verify",
        json={"decision": "request_info", "reason": "Please send page 2."},
        headers=staff,
    )
    assert resp.status_code == 200
    assert resp.get_json()["status"] == "info_requested"

    # the applicant answers through the status page form, with a replacement file
    from tests.conftest import csrf_token_from

    with client.session_transaction() as s:
        s["_user_id"] = str(applicant.id)
        s["_fresh"] = True
    token = csrf_token_from(client, "/become-a-coach/status")
    resp = client.post(
        "/become-a-coach/answer",
        data={
            "csrf_token": token,
            "answer": "Here is the full certificate.",
            "certificate": (io.BytesIO(files.certificate_pdf("Ada Lovelace", pages=2)), "full.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert resp.status_code == 302
    application = db.session.get(CoachApplication, app_id)
    assert application.status == ApplicationStatus.SUBMITTED
    assert len(application.documents) == 2

    with client.session_transaction() as s:
        s.clear()  # a session cookie would win over the Bearer token
    resp = client.put(f"/api/coaches/{app_id}/verify", json={"decision": "approve"}, headers=staff)
    assert resp.status_code == 200
    assert resp.get_json()["status"] == "approved"
    resp = client.put(f"/api/coaches/{app_id}/verify", json={"decision": "reject", "reason": "x"}, headers=staff)
    assert resp.status_code == 409
    assert resp.get_json()["error"]["code"] == "already_decided"

    db.session.expire_all()
    assert db.session.get(User, applicant.id).has_role(Role.COACH)
    assert CoachProfile.query.filter_by(user_id=applicant.id, is_active=False).count() == 1
    subjects = [m.subject for m in OutgoingMail.query.order_by(OutgoingMail.id)]
    assert subjects == [
        "We received your coach application",
        "We need more information",
        "Thanks, we received your answer",
        "You are now a Coach Connect coach",
    ]
    actions = [a.action for a in AuditLog.query.order_by(AuditLog.id) if a.action.startswith("application.")]
    assert actions == [
        "application.started",
        "application.submitted",
        "application.info_requested",
        "application.info_answered",
        "application.approved",
    ]


def test_api_apply_errors_name_the_fields(app, client):
    applicant = UserFactory()
    data = api_fields(ipec_number="nope", hourly_rate="-5", certificate=(io.BytesIO(files.executable()), "cert.pdf"))
    resp = client.post("/api/coaches/apply", data=data, headers=bearer(applicant), content_type="multipart/form-data")
    assert resp.status_code == 400
    fields = resp.get_json()["error"]["fields"]
    assert set(fields) == {"ipec_number", "hourly_rate", "certificate"}
    assert CoachApplication.query.count() == 0


def test_api_verify_is_for_verification_staff_only(app, client):
    applicant = UserFactory()
    resp = client.put("/api/coaches/1/verify", json={"decision": "approve"}, headers=bearer(applicant))
    assert resp.status_code == 403


def test_api_application_is_private_to_its_applicant(app, client):
    applicant, other = UserFactory(), UserFactory()
    data = api_fields(certificate=(io.BytesIO(files.certificate_pdf()), "cert.pdf"))
    app_id = client.post(
        "/api/coaches/apply", data=data, headers=bearer(applicant), content_type="multipart/form-data"
    ).get_json()["id"]
    assert client.get(f"/api/coaches/applications/{app_id}", headers=bearer(other)).status_code == 404


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def test_form_flow_four_steps_resume_submit_request_info_answer_approve(app, client, login, login_as):
    applicant = UserFactory(first_name="Grace", last_name="Hopper")
    verifier = StaffFactory(roles=[Role.VERIFIER])
    login(applicant)
    resp = client.get("/become-a-coach/")
    assert resp.status_code == 302 and resp.location.endswith("/become-a-coach/step/1")

    page = client.get("/become-a-coach/step/1").get_data(as_text=True)
    assert 'aria-current="step"' in page
    # a validation error is shown beside the field, nothing is lost
    resp = client.post("/become-a-coach/step/1", data={"csrf_token": _csrf(page), "first_name": "Grace", "phone": "x"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert 'id="last_name-err"' in html and "Please enter your last name." in html
    assert 'value="Grace"' in html
    token = _csrf(html)
    steps = {
        1: {"first_name": "Grace", "last_name": "Hopper", "phone": "+1 555 0100"},
        2: {
            "ipec_number": "IPEC-31337",
            "certification_level": "master",
            "certification_date": CERT_DATE,
            "certificate": (io.BytesIO(files.certificate_pdf("Grace Hopper")), "hopper.pdf"),
        },
        3: {"years_experience": "12", "specializations": "leadership, career"},
        4: {"hourly_rate_major": "120.50", "currency": "USD", "languages": "en"},
    }
    for number in (1, 2):
        resp = client.post(
            f"/become-a-coach/step/{number}",
            data={"csrf_token": token, **steps[number]},
            content_type="multipart/form-data",
        )
        assert resp.status_code == 302, resp.get_data(as_text=True)
    # leave and come back: the wizard resumes at step 3 with the earlier answers kept
    assert client.get("/become-a-coach/").location.endswith("/become-a-coach/step/3")
    assert 'value="IPEC-31337"' in client.get("/become-a-coach/step/2").get_data(as_text=True)
    for number in (3, 4):
        resp = client.post(f"/become-a-coach/step/{number}", data={"csrf_token": token, **steps[number]})
        assert resp.status_code == 302, resp.get_data(as_text=True)
    assert resp.location.endswith("/become-a-coach/submit")
    assert "USD 120.50" in client.get("/become-a-coach/submit").get_data(as_text=True)
    resp = client.post("/become-a-coach/submit", data={"csrf_token": token})
    assert resp.location.endswith("/become-a-coach/status")
    application = CoachApplication.query.one()
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.hourly_rate_amount == 12050

    # the verifier asks for more information through the review page
    client.post("/logout", data={"csrf_token": token})
    login(verifier)
    review_html = client.get(f"/staff/verification/{application.id}").get_data(as_text=True)
    assert "You hold this application until" in review_html
    assert "The certificate names “Grace Hopper”, matching the applicant Grace Hopper (similarity 100%)." in review_html
    token = _csrf(review_html)
    resp = client.post(
        f"/staff/verification/{application.id}/decide",
        data={"csrf_token": token, "decision": "request_info", "reason": "Which year did you start?"},
    )
    assert resp.status_code == 302
    client.post("/logout", data={"csrf_token": token})

    login(applicant)
    status_html = client.get("/become-a-coach/status").get_data(as_text=True)
    assert "Which year did you start?" in status_html
    resp = client.post("/become-a-coach/answer", data={"csrf_token": _csrf(status_html), "answer": "2012."})
    assert resp.status_code == 302
    client.post("/logout", data={"csrf_token": _csrf(status_html)})

    login_as(verifier)  # the same TOTP code cannot be used twice
    token = _csrf(client.get(f"/staff/verification/{application.id}").get_data(as_text=True))
    resp = client.post(
        f"/staff/verification/{application.id}/decide", data={"csrf_token": token, "decision": "approve"}
    )
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, applicant.id).has_role(Role.COACH)
    assert OutgoingMail.query.filter_by(to_address=applicant.email).count() == 4
    assert AuditLog.query.filter_by(action="application.approved", actor_id=verifier.id).count() == 1
    client.post("/logout", data={"csrf_token": token})
    login(applicant)
    assert "Approved — you are a Coach Connect coach." in client.get("/become-a-coach/status").get_data(as_text=True)


def test_rejected_applicant_sees_the_waiting_period(app, client, login):
    from app.verification import review
    from tests.factories.verification import ApplicationFactory

    applicant = UserFactory()
    application = ApplicationFactory(user=applicant)
    review.reject_application(application.id, StaffFactory(roles=[Role.VERIFIER]), "Not an iPEC certificate.")
    login(applicant)
    html = client.get("/become-a-coach/status").get_data(as_text=True)
    assert "You may apply again from" in html
    assert client.get("/become-a-coach/step/1").status_code == 302


def test_openapi_documents_the_verification_routes(app, client):
    spec = client.get("/api/openapi.json").get_json()
    assert "/api/coaches/apply" in spec["paths"]
    assert "/api/coaches/applications/{application_id}" in spec["paths"]
    assert "put" in spec["paths"]["/api/coaches/{application_id}/verify"]


def test_api_verify_answers_409_while_another_reviewer_holds_it(app, client):
    from app.verification import claims
    from tests.factories.verification import ApplicationFactory

    application = ApplicationFactory()
    holder = StaffFactory(roles=[Role.VERIFIER], first_name="Hold", last_name="Er")
    claims.claim_application(application.id, holder)
    other = StaffFactory(roles=[Role.VERIFIER])
    resp = client.put(f"/api/coaches/{application.id}/verify", json={"decision": "approve"}, headers=bearer(other))
    assert resp.status_code == 409
    error = resp.get_json()["error"]
    assert error["code"] == "claimed_by_other"
    assert error["message"].startswith(f"Hold Er is reviewing application #{application.id} until")
