"""The verification console's Flask-WTF forms (issue 17): a refused template save keeps what was
typed beside its error, a save with nothing typed is only told so, and a decision the console does
not know is refused before anything happens."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.core.models import AuditLog
from app.extensions import db
from app.verification.models import ApplicationStatus, CoachApplication, RejectionTemplate
from tests.conftest import csrf_token_from
from tests.factories import StaffFactory
from tests.factories.verification import ApplicationFactory

TEMPLATES = "/staff/verification/templates"


@pytest.fixture
def verifier(app):
    return StaffFactory(roles=[Role.VERIFIER], first_name="Vera", last_name="Verifier")


def _field(page: str, field_id: str) -> str:
    """The .field block of one input, its error included."""
    start = page.rindex('<div class="field', 0, page.index(f'id="{field_id}"'))
    return page[start : page.index("</div>", page.index(f'id="{field_id}"'))]


def test_a_template_without_text_is_shown_again_with_the_title_kept(app, client, login_as, verifier):
    login_as(verifier)
    token = csrf_token_from(client, TEMPLATES)
    resp = client.post(TEMPLATES, data={"csrf_token": token, "title": "Blurry scan", "body": "   "})
    assert resp.status_code == 400
    page = resp.get_data(as_text=True)
    assert "A template needs a title and a text." in page
    assert 'value="Blurry scan"' in _field(page, "new-title") and "Required." not in _field(page, "new-title")
    assert "Required." in _field(page, "new-body") and 'aria-invalid="true"' in _field(page, "new-body")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RejectionTemplate)) == 0


def test_a_title_in_use_keeps_the_edit_typed_in_its_own_form(app, client, login_as, verifier):
    kept = RejectionTemplate(title="Wrong issuer", body="Not an iPEC certificate.")
    edited = RejectionTemplate(title="Blurry scan", body="Please upload a sharper scan.")
    db.session.add_all([kept, edited])
    db.session.commit()
    login_as(verifier)
    token = csrf_token_from(client, TEMPLATES)
    resp = client.post(
        TEMPLATES,
        data={"csrf_token": token, "template_id": str(edited.id), "title": "Wrong issuer", "body": "A new text."},
    )
    assert resp.status_code == 409
    page = resp.get_data(as_text=True)
    edit = page[page.index(f'id="edit-{edited.id}"') : page.index("</form>", page.index(f'id="edit-{edited.id}"'))]
    assert 'value="Wrong issuer"' in edit and "A new text.</textarea>" in edit and "In use by another template." in edit
    new = page[page.index('<h2 id="new">') : page.index("</form>", page.index('<h2 id="new">'))]
    assert "A new text." not in new and "In use" not in new
    db.session.expire_all()
    assert db.session.get(RejectionTemplate, edited.id).body == "Please upload a sharper scan."


def test_a_save_with_nothing_typed_is_told_so_and_saves_nothing(app, client, login_as, verifier):
    login_as(verifier)
    token = csrf_token_from(client, TEMPLATES)
    resp = client.post(TEMPLATES, data={"csrf_token": token})
    assert resp.status_code == 302 and resp.headers["Location"].endswith(TEMPLATES)
    assert "A template needs a title and a text." in client.get(TEMPLATES).get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RejectionTemplate)) == 0


def test_a_template_is_added_and_edited_through_the_forms(app, client, login_as, verifier):
    login_as(verifier)
    token = csrf_token_from(client, TEMPLATES)
    resp = client.post(TEMPLATES, data={"csrf_token": token, "title": " Blurry scan ", "body": "Sharper, please."})
    assert resp.status_code == 302
    template = db.session.scalars(sa.select(RejectionTemplate)).one()
    page = client.get(TEMPLATES).get_data(as_text=True)
    assert f'name="template_id" type="hidden" value="{template.id}"' in page
    assert f'id="t{template.id}-title"' in page and f'for="t{template.id}-title"' in page
    client.post(TEMPLATES, data={"csrf_token": token, "template_id": str(template.id), "title": "Blurry scan",
                                 "body": "A sharper scan, please."})  # fmt: skip
    db.session.expire_all()
    assert db.session.get(RejectionTemplate, template.id).body == "A sharper scan, please."
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RejectionTemplate)) == 1


def test_an_unknown_decision_is_refused_and_changes_nothing(app, client, login_as, verifier):
    application = ApplicationFactory()
    login_as(verifier)
    page = f"/staff/verification/{application.id}"
    token = csrf_token_from(client, page)
    resp = client.post(f"{page}/decide", data={"csrf_token": token, "decision": "approve_all", "reason": "x"})
    assert resp.status_code == 400
    db.session.expire_all()
    assert db.session.get(CoachApplication, application.id).status == ApplicationStatus.SUBMITTED


def test_the_review_page_forms_post_what_the_services_need(app, client, login_as, verifier):
    application = ApplicationFactory()
    other = StaffFactory(roles=[Role.VERIFIER], first_name="Otto", last_name="Other")
    login_as(verifier)
    page = f"/staff/verification/{application.id}"
    html = client.get(page).get_data(as_text=True)
    assert "csrf_token()" not in html and len(re.findall(r'id="csrf_token"', html)) <= 1
    token = csrf_token_from(client, page)
    # A junk reviewer id is read as none and the service says what to do.
    resp = client.post(f"{page}/reassign", data={"csrf_token": token, "assignee_id": "Otto"}, follow_redirects=True)
    assert "Choose a verification reviewer." in resp.get_data(as_text=True)
    client.post(f"{page}/note", data={"csrf_token": token, "note": "Called the issuer."})
    client.post(f"{page}/reassign", data={"csrf_token": token, "assignee_id": str(other.id)})
    db.session.expire_all()
    assert db.session.get(CoachApplication, application.id).claimed_by_id == other.id
    actions = db.session.scalars(sa.select(AuditLog.action).order_by(AuditLog.id)).all()
    assert "application.note_added" in actions and "application.claim_reassigned" in actions
