"""Flask-Admin: truly read-only except reference data saved through the services, money formatted,
timestamps to the second, and markup the CSP allows (no inline handlers, no javascript: URLs)."""

from __future__ import annotations

import re

import sqlalchemy as sa

from app.accounts.models import Role
from app.coaches.models import Specialization
from app.core.models import AuditLog
from app.extensions import db
from app.payments.models import Payment
from app.verification.models import RejectionTemplate
from tests.conftest import csrf_token_from
from tests.factories import StaffFactory
from tests.factories.analytics import PaymentFactory, RefundFactory

PAGES = [
    "/admin/", "/admin/payment/", "/admin/payment/details/?id=1", "/admin/refund/", "/admin/booking/",
    "/admin/user/", "/admin/auditlog/", "/admin/specialization/", "/admin/specialization/new/",
    "/admin/rejectiontemplate/", "/admin/rejectiontemplate/new/", "/admin/coachapplication/",
]  # fmt: skip
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)


def _admin(client, login_as):
    admin = StaffFactory(roles=[Role.ADMIN])
    login_as(admin)
    return admin


def test_every_page_has_markup_the_csp_allows(client, login_as):
    payment = PaymentFactory(amount=123456)
    RefundFactory(payment=payment, amount=2500)
    _admin(client, login_as)
    for path in PAGES:
        resp = client.get(path)
        assert resp.status_code == 200, path
        html = resp.get_data(as_text=True)
        assert "javascript:" not in html, path
        assert not INLINE_HANDLER.search(html), (path, INLINE_HANDLER.search(html).group(0))
        assert '<html lang="en">' in html, path
        assert "js/admin-csp.js" in html, path


def test_money_is_formatted_and_timestamps_have_no_microseconds(client, login_as):
    payment = PaymentFactory(amount=123456)
    RefundFactory(payment=payment, amount=2500)
    _admin(client, login_as)
    listing = client.get("/admin/payment/").get_data(as_text=True)
    assert "EUR 1,234.56" in listing and "EUR 25.00" in listing and ">123456<" not in listing
    details = client.get(f"/admin/payment/details/?id={payment.id}").get_data(as_text=True)
    assert "EUR 1,234.56" in details
    assert "EUR 25.00" in client.get("/admin/refund/").get_data(as_text=True)
    for html in (listing, details):
        assert not re.search(r"\d\d:\d\d:\d\d\.\d{3,6}", html)
        assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [A-Z]{2,5}\s*<", html)  # the viewer's zone


def test_other_tables_cannot_be_edited_or_deleted(client, login_as):
    payment = PaymentFactory(amount=5000)
    _admin(client, login_as)
    token = csrf_token_from(client, "/admin/rejectiontemplate/new/")
    client.post(f"/admin/payment/edit/?id={payment.id}", data={"csrf_token": token, "amount": "1"})
    client.post("/admin/payment/delete/", data={"csrf_token": token, "id": str(payment.id)})
    client.post("/admin/payment/action/", data={"csrf_token": token, "action": "delete", "rowid": str(payment.id)})
    assert client.get("/admin/payment/new/").status_code == 302
    db.session.expire_all()
    assert db.session.get(Payment, payment.id).amount == 5000


def test_rejection_templates_are_saved_through_the_service(client, login_as):
    admin = _admin(client, login_as)
    token = csrf_token_from(client, "/admin/rejectiontemplate/new/")
    resp = client.post("/admin/rejectiontemplate/new/", data={"csrf_token": token, "title": "  Wrong issuer ",
                                                               "body": "Not an iPEC certificate."})  # fmt: skip
    assert resp.status_code == 302
    template = db.session.scalars(sa.select(RejectionTemplate)).one()
    assert template.title == "Wrong issuer"  # the service trims it
    entry = db.session.scalars(sa.select(AuditLog).where(AuditLog.action == "rejection_template.saved")).one()
    assert entry.actor_id == admin.id
    # The service's refusal is shown and nothing is saved.
    other = RejectionTemplate(title="Blurry scan", body="Please upload a sharper scan.")
    db.session.add(other)
    db.session.commit()
    page = client.post(f"/admin/rejectiontemplate/edit/?id={other.id}",
                       data={"csrf_token": token, "title": " Wrong issuer", "body": "x"}, follow_redirects=True)  # fmt: skip
    assert "Another template has this title." in page.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(RejectionTemplate, other.id).title == "Blurry scan"


def test_specializations_are_saved_through_the_service(client, login_as):
    _admin(client, login_as)
    token = csrf_token_from(client, "/admin/specialization/new/")
    client.post("/admin/specialization/new/", data={"csrf_token": token, "slug": "Life Transitions!", "name": "Life"})
    spec = db.session.scalars(sa.select(Specialization)).one()
    assert spec.slug == "life-transitions"
    page = client.post("/admin/specialization/new/", data={"csrf_token": token, "slug": "life transitions",
                                                            "name": "Again"}, follow_redirects=True)  # fmt: skip
    assert "Another specialization has the slug life-transitions." in page.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Specialization)) == 1
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(AuditLog).where(AuditLog.action == "specialization.saved")
        )
        == 1
    )


def test_deep_pages_are_capped_with_a_sentence(client, login_as):
    from app.staff.admin import MAX_PAGE

    _admin(client, login_as)
    html = client.get("/admin/flag/?page=19999").get_data(as_text=True)
    assert f"Only the first {MAX_PAGE} pages are listed" in html
    assert "Only the first" not in client.get("/admin/flag/?page=3").get_data(as_text=True)
