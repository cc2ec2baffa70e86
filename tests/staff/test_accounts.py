"""/staff/users: admins create accounts, change roles, disable and enable them; all audited."""

from __future__ import annotations

import sqlalchemy as sa

from app.accounts.models import Role, User
from app.core.models import AuditLog
from app.extensions import db
from tests.conftest import csrf_token_from
from tests.factories import StaffFactory, UserFactory
from tests.html import attributes


def _audit(action: str) -> list[AuditLog]:
    return list(db.session.scalars(sa.select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)))


def _create(client, **data):
    form = {"email": "new@example.org", "first_name": "Nora", "last_name": "Neu", "password": "long-enough-pw", **data}
    form["csrf_token"] = csrf_token_from(client, "/staff/users")
    return client.post("/staff/users", data=form)


def test_admin_creates_a_staff_account_with_roles(login):
    admin = StaffFactory(roles=[Role.ADMIN])
    client = login(admin)
    resp = _create(client, email="Nora@Example.org", roles=["verifier", "moderator"])
    assert resp.status_code == 302
    user = db.session.scalars(sa.select(User).where(User.email == "nora@example.org")).one()
    assert user.roles == {Role.VERIFIER, Role.MODERATOR}
    assert (user.first_name, user.last_name) == ("Nora", "Neu")
    assert user.totp_secret and user.totp_enabled_at is None  # enrols at the first login
    assert resp.headers["Location"].endswith(f"/staff/users/{user.id}")
    (entry,) = _audit("user.created")
    assert (entry.actor_id, entry.object_type, entry.object_id) == (admin.id, "users", str(user.id))
    assert entry.after == {"email": "nora@example.org", "roles": ["moderator", "verifier"]}
    assert entry.ip_address == "127.0.0.1"
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Account nora@example.org created." in page and "Nora Neu" in page


def test_create_shows_errors_beside_the_fields_and_keeps_the_input(login_as):
    client = login_as(StaffFactory(roles=[Role.ADMIN]))
    resp = _create(client, email="not-an-address", password="short", roles=[])
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert attributes(html, "email")["aria-invalid"] == "true"
    assert 'id="email-err"' in html and "Invalid email address." in html
    assert 'id="password-err"' in html and "between 10 and 200 characters" in html
    assert "This field is required." in html  # roles
    assert 'value="Nora"' in html  # what was typed is kept
    assert _audit("user.created") == []


def test_duplicate_email_is_reported_on_the_field(login_as):
    UserFactory(email="taken@example.org")
    client = login_as(StaffFactory(roles=[Role.ADMIN]))
    resp = _create(client, email="TAKEN@example.org", roles=["client"])
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert 'id="email-err"' in html and "Already registered." in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 2


def test_users_list_searches_and_filters_by_role(login_as):
    UserFactory(email="coach.anna@example.org", last_name="Berg", roles=[Role.COACH])
    UserFactory(email="client.ben@example.org", last_name="Stone")
    client = login_as(StaffFactory(email="boss@example.org", roles=[Role.ADMIN]))
    page = client.get("/staff/users?q=berg").get_data(as_text=True)
    assert "coach.anna@example.org" in page and "client.ben@example.org" not in page
    page = client.get("/staff/users?role=client").get_data(as_text=True)
    assert "client.ben@example.org" in page and "coach.anna@example.org" not in page
    page = client.get("/staff/users?q=%25").get_data(as_text=True)  # a literal %, not a wildcard
    assert "No accounts match." in page


def test_admin_changes_roles_with_before_and_after(login_as):
    admin = StaffFactory(roles=[Role.ADMIN])
    user = UserFactory(roles=[Role.CLIENT])
    client = login_as(admin)
    token = csrf_token_from(client, f"/staff/users/{user.id}")
    resp = client.post(f"/staff/users/{user.id}", data={"roles": ["client", "finance"], "csrf_token": token})
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).roles == {Role.CLIENT, Role.FINANCE}
    assert db.session.get(User, user.id).totp_secret  # a staff role needs a second factor
    (entry,) = _audit("user.roles_changed")
    assert entry.before == {"roles": ["client"]} and entry.after == {"roles": ["client", "finance"]}
    assert entry.actor_id == admin.id

    token = csrf_token_from(client, f"/staff/users/{user.id}")
    client.post(f"/staff/users/{user.id}", data={"roles": ["finance"], "csrf_token": token})
    db.session.expire_all()
    assert db.session.get(User, user.id).roles == {Role.FINANCE}


def test_unticking_every_role_removes_them_all(login_as):
    user = UserFactory(roles=[Role.CLIENT, Role.COACH])
    client = login_as(StaffFactory(roles=[Role.ADMIN]))
    token = csrf_token_from(client, f"/staff/users/{user.id}")
    client.post(f"/staff/users/{user.id}", data={"csrf_token": token})
    db.session.expire_all()
    assert db.session.get(User, user.id).roles == set()


def test_admin_cannot_remove_own_admin_role(login_as):
    admin = StaffFactory(roles=[Role.ADMIN, Role.FINANCE])
    client = login_as(admin)
    token = csrf_token_from(client, f"/staff/users/{admin.id}")
    resp = client.post(f"/staff/users/{admin.id}", data={"roles": ["finance"], "csrf_token": token})
    assert "You cannot remove your own admin role." in resp.get_data(as_text=True)
    db.session.expire_all()
    assert Role.ADMIN in db.session.get(User, admin.id).roles
    assert _audit("user.roles_changed") == []


def test_disable_and_enable_an_account(login_as, client):
    admin = StaffFactory(roles=[Role.ADMIN])
    user = UserFactory()
    login_as(admin)
    token = csrf_token_from(client, f"/staff/users/{user.id}")
    resp = client.post(f"/staff/users/{user.id}/enabled", data={"enable": "0", "csrf_token": token})
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).is_enabled is False
    page = client.get(f"/staff/users/{user.id}").get_data(as_text=True)
    assert "Account disabled." in page and "Enable account" in page

    token = csrf_token_from(client, f"/staff/users/{user.id}")
    client.post(f"/staff/users/{user.id}/enabled", data={"enable": "1", "csrf_token": token})
    db.session.expire_all()
    assert db.session.get(User, user.id).is_enabled is True
    (off,) = _audit("user.disabled")
    (on,) = _audit("user.enabled")
    assert (off.before, off.after) == ({"is_enabled": True}, {"is_enabled": False})
    assert (on.before, on.after) == ({"is_enabled": False}, {"is_enabled": True})


def test_disabled_user_cannot_log_in(client):
    user = UserFactory(is_enabled=False)
    token = csrf_token_from(client, "/login")
    resp = client.post("/login", data={"email": user.email, "password": "correct-horse-battery", "csrf_token": token})
    assert resp.status_code == 401
    assert "Wrong e-mail address or password." in resp.get_data(as_text=True)
    assert client.get("/dashboard").headers["Location"].startswith("/login")


def test_admin_cannot_disable_self(login_as):
    admin = StaffFactory(roles=[Role.ADMIN])
    client = login_as(admin)
    token = csrf_token_from(client, f"/staff/users/{admin.id}")
    resp = client.post(
        f"/staff/users/{admin.id}/enabled", data={"enable": "0", "csrf_token": token}, follow_redirects=True
    )
    assert "You cannot disable your own account." in resp.get_data(as_text=True)
    assert db.session.get(User, admin.id).is_enabled is True


def test_account_pages_are_for_admins_only(login_as):
    user = UserFactory()
    client = login_as(StaffFactory(roles=[Role.VERIFIER, Role.FINANCE, Role.MODERATOR]))
    assert client.get("/staff/users").status_code == 403
    assert client.get(f"/staff/users/{user.id}").status_code == 403
    token = csrf_token_from(client, "/staff/")
    assert client.post(f"/staff/users/{user.id}/enabled", data={"enable": "0", "csrf_token": token}).status_code == 403
    assert login_as(StaffFactory(roles=[Role.ADMIN])).get("/staff/users/999999").status_code == 404
