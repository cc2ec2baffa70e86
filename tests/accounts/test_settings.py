"""Account settings: name and time zone, password change (other sessions and API tokens end),
e-mail change by a link to the new address, optional mails, signed-in sessions."""

from __future__ import annotations

import re
from datetime import timedelta

from app.accounts.models import ApiToken, Role, User
from app.accounts.services import create_api_token
from app.booking.notifications import mail_both
from app.core.db import utcnow
from app.core.models import AuditLog, OutgoingMail
from app.extensions import db
from app.notifications.services import send_due_mails
from tests.accounts.flows import field_error, post_login
from tests.conftest import csrf_token_from
from tests.factories import PASSWORD, UserFactory
from tests.factories.booking import BookingFactory
from workers.bookings import send_reminder

NEW_PASSWORD = "a-much-longer-new-secret"


def _post(client, path: str, **data):
    return client.post(path, data={**data, "csrf_token": csrf_token_from(client, path)})


def _link(mail: OutgoingMail) -> str:
    match = re.search(r"http://localhost(/settings/email/confirm/[A-Za-z0-9_-]+)", mail.text_body)
    assert match, mail.text_body
    return match.group(1)


def test_name_and_time_zone_are_saved_and_a_zone_not_in_the_list_is_refused(client, login_as):
    user = UserFactory(first_name="Ana", timezone="UTC")
    login_as(user)
    page = client.get("/settings/profile").get_data(as_text=True)
    assert 'list="timezones"' in page and '<option value="Europe/Berlin">' in page  # the search box's list
    resp = _post(client, "/settings/profile", first_name="Ana", last_name="Lopez", timezone="Mars/Olympus")
    assert resp.status_code == 400
    assert "Pick a time zone" in field_error(resp.get_data(as_text=True), "timezone")
    assert db.session.get(User, user.id).timezone == "UTC"
    resp = _post(client, "/settings/profile", first_name="Anabel", last_name="Lopez", timezone="Europe/Berlin")
    assert resp.status_code == 302
    saved = db.session.get(User, user.id)
    assert (saved.first_name, saved.last_name, saved.timezone) == ("Anabel", "Lopez", "Europe/Berlin")
    assert AuditLog.query.filter_by(action="user.profile_changed").one().after["timezone"] == "Europe/Berlin"


def test_a_password_change_ends_every_other_session_and_every_api_token(app, client):
    user = UserFactory()
    laptop, phone = client, app.test_client()
    assert post_login(laptop, user.email).status_code == 302
    assert post_login(phone, user.email).status_code == 302
    _, plain = create_api_token(user, "script")
    bearer = {"Authorization": f"Bearer {plain}"}
    assert app.test_client().get("/api/me", headers=bearer).status_code == 200

    resp = _post(laptop, "/settings/password", current_password=PASSWORD, password=NEW_PASSWORD, confirm=NEW_PASSWORD)
    assert resp.status_code == 302
    assert "1 other session(s) signed out, 1 API token(s) revoked" in laptop.get(resp.location).get_data(as_text=True)
    assert laptop.get("/api/me").status_code == 200  # this browser carries on
    assert phone.get("/api/me").status_code == 401  # the other one is signed out
    assert app.test_client().get("/api/me", headers=bearer).status_code == 401
    assert ApiToken.query.one().revoked_at is not None
    mail = OutgoingMail.query.filter_by(to_address=user.email, template="password_changed").one()
    assert "was just changed" in mail.text_body
    assert post_login(app.test_client(), user.email, PASSWORD).status_code == 401
    assert post_login(app.test_client(), user.email, NEW_PASSWORD).status_code == 302
    audit = AuditLog.query.filter_by(action="user.password_changed").one()
    assert audit.after == {"sessions_ended": 1, "api_tokens_revoked": 1}


def test_a_wrong_current_password_changes_nothing(app, client):
    user = UserFactory()
    phone = app.test_client()
    assert post_login(client, user.email).status_code == 302
    assert post_login(phone, user.email).status_code == 302
    resp = _post(
        client, "/settings/password", current_password="not-it-at-all", password=NEW_PASSWORD, confirm=NEW_PASSWORD
    )
    assert resp.status_code == 400
    assert field_error(resp.get_data(as_text=True), "current_password") == "That is not your current password."
    assert phone.get("/api/me").status_code == 200
    assert post_login(app.test_client(), user.email, PASSWORD).status_code == 302
    assert not OutgoingMail.query.filter_by(template="password_changed").count()


def test_the_email_changes_only_through_the_link_sent_to_the_new_address(app, client, login_as):
    user = UserFactory(email="old@example.org")
    login_as(user)
    resp = _post(client, "/settings/email", email="New@Example.org", current_password=PASSWORD)
    assert resp.status_code == 302
    assert "We sent a link to new@example.org" in client.get(resp.location).get_data(as_text=True)
    assert db.session.get(User, user.id).email == "old@example.org"  # not yet
    link = _link(OutgoingMail.query.filter_by(to_address="new@example.org").one())

    stranger = app.test_client()  # the link works in any browser: the token is the credential
    page = stranger.get(link)
    assert page.status_code == 200 and "new@example.org" in page.get_data(as_text=True)
    assert db.session.get(User, user.id).email == "old@example.org"  # a GET (a mail scanner) changes nothing
    assert stranger.post(link, data={"csrf_token": csrf_token_from(stranger, link)}).status_code == 302
    assert db.session.get(User, user.id).email == "new@example.org"
    told = OutgoingMail.query.filter_by(to_address="old@example.org", template="email_changed").one()
    assert "new@example.org" in told.text_body
    assert stranger.get(link).status_code == 404  # single use
    assert AuditLog.query.filter_by(action="user.email_changed").one().before == {"email": "old@example.org"}


def test_an_address_that_has_an_account_gets_no_link_and_the_page_says_the_same(client, login_as):
    user, other = UserFactory(), UserFactory(email="taken@example.org")
    login_as(user)
    resp = _post(client, "/settings/email", email="taken@example.org", current_password=PASSWORD)
    assert resp.status_code == 302
    assert "We sent a link to taken@example.org" in client.get(resp.location).get_data(as_text=True)
    mail = OutgoingMail.query.filter_by(to_address=other.email).one()
    assert mail.template == "email_change_taken" and "/settings/email/confirm/" not in mail.text_body


def test_the_email_form_needs_the_current_password(client, login_as):
    user = UserFactory()
    login_as(user)
    resp = _post(client, "/settings/email", email="new@example.org", current_password="guess-guess")
    assert resp.status_code == 400
    assert field_error(resp.get_data(as_text=True), "current_password") == "That is not your current password."
    assert not OutgoingMail.query.count()


def test_a_message_mail_turned_off_is_not_sent_and_one_left_on_is(client, login_as):
    coach = UserFactory(roles=[Role.COACH])
    buyer = UserFactory()
    login_as(coach)
    assert _post(client, "/settings/notifications", wanted=["booking_reminder"]).status_code == 302
    assert db.session.get(User, coach.id).muted_mails == ["message_received"]
    page = client.get("/settings/notifications").get_data(as_text=True)
    assert re.search(r'<input checked[^>]*value="booking_reminder"', page)
    assert not re.search(r'<input checked[^>]*value="message_received"', page)
    login_as(buyer)
    assert _post(client, f"/messages/new/{coach.id}", body="Hello there").status_code == 302
    send_due_mails(utcnow() + timedelta(minutes=3))  # the notification's mail, once its delay passed
    assert not OutgoingMail.query.filter_by(to_address=coach.email).count()
    login_as(coach)
    thread_path = client.get("/messages").get_data(as_text=True)
    thread_id = re.search(r'href="/messages/(\d+)"', thread_path).group(1)
    assert _post(client, f"/messages/{thread_id}", body="Hi, welcome").status_code == 302
    send_due_mails(utcnow() + timedelta(minutes=3))
    assert OutgoingMail.query.filter_by(to_address=buyer.email, template="notification").count() == 1


def test_the_sessions_page_lists_this_and_another_browser_and_ends_the_other(app, client):
    user = UserFactory()
    phone = app.test_client()
    assert post_login(phone, user.email, headers={"User-Agent": "PhoneBrowser/1.0"}).status_code == 302
    assert post_login(client, user.email, headers={"User-Agent": "LaptopBrowser/2.0"}).status_code == 302
    page = client.get("/settings/sessions").get_data(as_text=True)
    assert "PhoneBrowser/1.0" in page and "This browser" in page
    path = re.search(r'action="(/settings/sessions/\d+/end)"', page).group(1)
    assert client.post(path, data={"csrf_token": csrf_token_from(client, "/settings/sessions")}).status_code == 302
    assert phone.get("/api/me").status_code == 401
    assert client.get("/api/me").status_code == 200
    assert "PhoneBrowser" not in client.get("/settings/sessions").get_data(as_text=True)


def test_sign_up_marks_the_time_zone_for_the_browser_zone_script(client):
    page = client.get("/register").get_data(as_text=True)
    assert re.search(
        r'<select[^>]*data-timezone-prefill[^>]*name="timezone"|<select[^>]*name="timezone"[^>]*data-timezone-prefill',
        page,
    )
    assert "/static/js/timezone-prefill.js" in page
    assert client.get("/static/js/timezone-prefill.js").status_code == 200


def test_a_link_for_an_account_disabled_since_changes_nothing(app, client, login_as):
    user = UserFactory(email="was@example.org")
    login_as(user)
    _post(client, "/settings/email", email="next@example.org", current_password=PASSWORD)
    link = _link(OutgoingMail.query.filter_by(to_address="next@example.org").one())
    db.session.get(User, user.id).is_enabled = False
    db.session.commit()
    stranger = app.test_client()
    assert stranger.get(link).status_code == 404
    assert stranger.post(link, data={"csrf_token": csrf_token_from(stranger, "/login")}).status_code == 404
    assert db.session.get(User, user.id).email == "was@example.org"


def test_a_reminder_turned_off_goes_only_to_the_other_side_and_a_confirmation_still_goes(client, login_as):
    booking = BookingFactory()
    login_as(booking.client)
    assert _post(client, "/settings/notifications", wanted=["message_received"]).status_code == 302
    send_reminder(booking.id, booking.starts_at.isoformat())
    reminded = OutgoingMail.query.filter_by(template="booking_reminder").all()
    assert [m.to_address for m in reminded] == [booking.coach.user.email]
    mail_both(db.session.get(type(booking), booking.id), "booking_confirmed", "Booked", ics=False)
    db.session.commit()
    confirmed = {m.to_address for m in OutgoingMail.query.filter_by(template="booking_confirmed")}
    assert confirmed == {booking.client.email, booking.coach.user.email}  # not optional: always sent
