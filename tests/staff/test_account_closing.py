"""An admin closes a coach's or a staff member's account: /staff/users/<id>/close.

Coaches and staff cannot close their own accounts (tests/accounts/test_deletion.py); an admin does,
with a reason kept in the audit log. The person's data goes as in a self-closed account, a coach's
listing comes down with its headline, bio and photo files, and the books stay under a tombstone.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from app.accounts.models import Role, User
from app.booking.models import Booking, BookingStatus
from app.coaches.models import CoachProfile
from app.core.db import utcnow
from app.core.models import AuditLog
from app.extensions import db
from tests.accounts.flows import current_code, field_error, post_code, post_login
from tests.coaches import images
from tests.coaches.test_photos import stored_files, upload
from tests.conftest import csrf_token_from
from tests.factories import StaffFactory
from tests.factories.booking import BookingFactory
from tests.factories.coaches import CoachFactory


def _hour(days: int):
    return (utcnow() + timedelta(days=days)).replace(minute=0, second=0, microsecond=0)


def _close(client, user_id: int, reason: str, confirm_email: str):
    token = csrf_token_from(client, f"/staff/users/{user_id}")
    data = {"reason": reason, "confirm_email": confirm_email, "csrf_token": token}
    return client.post(f"/staff/users/{user_id}/close", data=data)


def _fresh(model, row_id: int):
    db.session.expire_all()
    return db.session.get(model, row_id)


def test_an_admin_closes_a_listed_coach_and_the_listing_comes_down(app, client, login):
    coach = CoachFactory(is_active=False, headline="Career coach in Berlin", user__email="coach@example.org")
    past = BookingFactory(coach=coach, starts_at=_hour(-3), status=BookingStatus.COMPLETED)
    coach_browser = app.test_client()
    assert post_login(coach_browser, "coach@example.org").status_code == 302
    assert upload(coach_browser, images.jpeg(), "me.jpg", "image/jpeg").status_code == 302
    key = _fresh(CoachProfile, coach.id).photo_key
    assert [f for f in stored_files(app) if f.startswith(key)]
    _fresh(CoachProfile, coach.id).is_active = True
    db.session.commit()
    assert app.test_client().get(f"/coaches/{coach.id}").status_code == 200

    admin = StaffFactory(roles=[Role.ADMIN])
    login(admin)
    resp = _close(client, coach.user_id, "Certificate withdrawn by iPEC", "Coach@Example.org")
    assert resp.status_code == 302 and resp.location.endswith(f"/staff/users/{coach.user_id}")
    page = client.get(resp.location).get_data(as_text=True)
    assert "Account closed" in page and "the personal data is removed" in page and "Close account</button>" not in page

    row = _fresh(CoachProfile, coach.id)
    assert (row.is_active, row.headline, row.bio, row.photo_key) == (False, "", "", None)
    assert not [f for f in stored_files(app) if f.startswith(key)]  # the photo files are deleted
    assert app.test_client().get(f"/coaches/{coach.id}").status_code == 404
    assert "Career coach" not in app.test_client().get("/coaches?q=career").get_data(as_text=True)
    user = _fresh(User, coach.user_id)
    assert (user.email, user.full_name, user.deleted_at is not None) == (
        f"deleted-{user.id}@deleted.invalid",
        "Deleted user",
        True,
    )
    assert coach_browser.get("/api/me").status_code == 401  # the coach's session ended at once
    assert post_login(app.test_client(), "coach@example.org").status_code == 401
    assert _fresh(Booking, past.id).coach_id == coach.id  # the books stay
    entry = db.session.scalars(sa.select(AuditLog).where(AuditLog.action == "user.closed")).one()
    assert (entry.actor_id, entry.object_id) == (admin.id, str(coach.user_id))
    assert entry.after == {"tombstone": True, "reason": "Certificate withdrawn by iPEC"}
    assert entry.before["listed"] is True and entry.before["roles"] == ["coach"]


def test_a_staff_account_is_closed_and_its_sessions_end(app, client, login):
    moderator = StaffFactory(roles=[Role.MODERATOR], email="mod@example.org")
    their_browser = login(moderator)
    admin_browser = app.test_client()
    admin = StaffFactory(roles=[Role.ADMIN])
    _walk_staff_login(admin_browser, admin)
    assert their_browser.get("/staff/moderation/").status_code == 200
    resp = _close(admin_browser, moderator.id, "Left the company", "mod@example.org")
    assert resp.status_code == 302
    assert their_browser.get("/staff/moderation/").status_code == 302  # back to the login page
    assert post_login(app.test_client(), "mod@example.org").status_code == 401
    assert _fresh(User, moderator.id).totp_secret is None


def test_nothing_is_closed_without_a_reason_the_address_or_with_sessions_ahead(app, client, login):
    coach = CoachFactory(user__email="busy@example.org")
    BookingFactory(coach=coach, starts_at=_hour(4))
    admin = StaffFactory(roles=[Role.ADMIN])
    login(admin)

    resp = _close(client, coach.user_id, "", "busy@example.org")
    assert resp.status_code == 400 and field_error(resp.get_data(as_text=True), "reason")
    resp = _close(client, coach.user_id, "Asked by the coach", "someone@example.org")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and "exactly" in field_error(html, "confirm_email")
    assert "Asked by the coach</textarea>" in html  # what was typed is kept
    resp = _close(client, coach.user_id, "Asked by the coach", "busy@example.org")
    assert resp.status_code == 409 and "1 upcoming session" in resp.get_data(as_text=True)
    resp = _close(client, admin.id, "Leaving", admin.email)
    assert resp.status_code == 403 and "ask another admin" in resp.get_data(as_text=True)
    assert "Close account</button>" not in client.get(f"/staff/users/{admin.id}").get_data(as_text=True)
    for person in (coach.user_id, admin.id):
        assert _fresh(User, person).deleted_at is None
    assert _fresh(CoachProfile, coach.id).is_active is True
    assert (
        db.session.scalar(sa.select(sa.func.count()).select_from(AuditLog).where(AuditLog.action == "user.closed")) == 0
    )


def _walk_staff_login(browser, user) -> None:
    assert post_login(browser, user.email).status_code == 302
    assert post_code(browser, "/login/verify", current_code(user)).status_code == 302
