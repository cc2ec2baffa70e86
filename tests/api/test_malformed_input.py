"""Malformed input (issue 22, item 4): each root cause answers 400 with its field, or a page that says why.

Every case here answered 500 before the shared input layer (app/core/inputs.py and the safe JSON decoder).
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.community.models import Discussion, Group
from app.core.db import utcnow
from app.extensions import db
from app.moderation.models import ModerationItem
from app.moderation.services import flag_target
from tests.conftest import csrf_token_from
from tests.factories import StaffFactory
from tests.factories.booking import BookingFactory
from tests.factories.community import DiscussionFactory, GroupFactory, OldUserFactory, ReplyFactory
from tests.factories.verification import ApplicationFactory
from tests.html import flashes
from tests.security_clients import bearer_for, make_user, prepare_session

JSON = {"Content-Type": "application/json"}
NESTED = "[" * 5000 + "]" * 5000  # 10 KB


@pytest.fixture
def admin(app):
    """Bearer headers of an admin (every staff role's door)."""
    return {**bearer_for(make_user("admin")), **JSON}


@pytest.fixture
def console(app):
    """A browser logged in as an admin (the staff pages take no token)."""
    browser = app.test_client()
    prepare_session(app, browser, make_user("admin"))
    return browser


def _error(resp) -> dict:
    assert resp.status_code == 400, resp.get_data(as_text=True)[:300]
    return resp.get_json()["error"]


def _write_endpoints() -> list[tuple[str, str, str]]:
    """(method, path, who) of the 12 JSON write endpoints, with real objects behind their ids."""
    booking = BookingFactory()
    group, discussion, application = GroupFactory(), DiscussionFactory(), ApplicationFactory()
    return [
        ("POST", "/api/bookings", "admin"),
        ("PUT", f"/api/bookings/{booking.id}/cancel", booking.client),
        ("PUT", f"/api/bookings/{booking.id}/reschedule", booking.client),
        ("PUT", f"/api/coaches/{application.id}/verify", "admin"),
        ("POST", "/api/groups", "admin"),
        ("POST", f"/api/groups/{group.id}/discussions", "admin"),
        ("POST", f"/api/discussions/{discussion.id}/replies", "admin"),
        ("POST", "/api/flags", "admin"),
        ("POST", f"/api/moderation/items/{_item().id}/decision", "admin"),
        ("POST", "/api/payments/create-intent", "admin"),
        ("POST", "/api/payments/confirm", "admin"),
        ("POST", "/api/payments/refund", "admin"),
    ]


def _item() -> ModerationItem:
    reply = ReplyFactory(body_md="Buy cheap pills at example.test")
    flag_target(OldUserFactory(), "reply", reply.id, "spam")
    return db.session.scalars(sa.select(ModerationItem).order_by(ModerationItem.id.desc())).first()


@pytest.mark.parametrize(
    "body", [NESTED, "[1, 2]", '"text"', "17", "null"], ids=["nested", "list", "str", "int", "null"]
)
def test_a_body_that_is_not_an_object_is_refused_on_every_json_write(client, admin, body):
    answers = {}
    for method, path, who in _write_endpoints():
        headers = admin if who == "admin" else {**bearer_for(who), **JSON}
        resp = client.open(path, method=method, data=body, headers=headers)
        answers[f"{method} {path}"] = (resp.status_code, resp.get_json()["error"]["message"])
    assert set(answers.values()) == {(400, "Send a JSON object.")}, answers


@pytest.mark.parametrize("number", ["Infinity", "-Infinity", "NaN", "1e999"])
def test_a_non_finite_number_as_an_id_is_refused(client, admin, number):
    starts = (utcnow() + timedelta(days=3)).isoformat()
    booking = f'{{"coach_id": {number}, "session_type_id": 1, "starts_at": "{starts}"}}'
    flag = f'{{"target_type": "discussion", "target_id": {number}, "reason": "spam"}}'
    for path, body in (("/api/bookings", booking), ("/api/flags", flag)):
        assert _error(client.post(path, data=body, headers=admin))["message"] == "Send a JSON object."


def test_a_lone_surrogate_is_refused_and_nothing_is_written(client, admin):
    group, discussion = GroupFactory(), DiscussionFactory()
    bodies = {
        "/api/groups": {"name": "Runners \ud800"},
        f"/api/groups/{group.id}/discussions": {"title": "Hi \udfff", "body": "Text"},
        f"/api/discussions/{discussion.id}/replies": {"body": "\ud800"},
        "/api/payments/refund": {"payment_id": 1, "amount": 100, "reason": "other", "note": "\ud83d"},
    }
    counts = [_error(client.post(p, data=json.dumps(b), headers=admin))["code"] for p, b in bodies.items()]
    assert counts == ["validation_failed"] * 4
    db.session.expire_all()
    groups = db.session.scalar(sa.select(sa.func.count()).select_from(Group))
    discussions = db.session.scalar(sa.select(sa.func.count()).select_from(Discussion))
    assert (groups, discussions) == (2, 1)  # the factories' own: the discussion's group and `group`


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_an_extreme_date_in_a_booking_or_reschedule_names_starts_at(client, admin, day):
    booking = BookingFactory()
    own = {**bearer_for(booking.client), **JSON}
    for moment in (f"{day}T00:00:00+00:00", f"{day}T23:59:00-14:00", f"{day}T00:00:00+14:00"):
        create = {"coach_id": booking.coach_id, "session_type_id": booking.session_type_id, "starts_at": moment}
        assert "starts_at" in _error(client.post("/api/bookings", data=json.dumps(create), headers=admin))["fields"]
        move = client.put(f"/api/bookings/{booking.id}/reschedule", data=json.dumps({"starts_at": moment}), headers=own)
        assert "starts_at" in _error(move)["fields"]


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_an_extreme_date_in_availability_and_analytics_names_the_filter(client, admin, day):
    coach = BookingFactory().coach
    assert "from" in _error(client.get(f"/api/coaches/{coach.id}/availability?from={day}", headers=admin))["fields"]
    assert "to" in _error(client.get(f"/api/coaches/{coach.id}/availability?to={day}", headers=admin))["fields"]
    for arg in ("from", "to"):
        resp = client.get(f"/api/analytics/metrics?metric=revenue&{arg}={day}", headers=admin)
        assert _error(resp)["fields"] == {arg: "A date (YYYY-MM-DD) between 1900-01-01 and 2999-12-31."}


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_an_extreme_date_on_the_finance_and_analytics_pages_is_a_page(console, day):
    finance = console.get(f"/staff/finance/?date_from={day}&date_to={day}")
    export = console.get(f"/staff/finance/export.csv?date_from={day}&date_to={day}")
    charts = console.get(f"/staff/analytics/?from={day}&to={day}")
    header = export.get_data(as_text=True).splitlines()[0]
    assert (finance.status_code, export.status_code, header.split(",")[0]) == (200, 200, "payment_id")
    assert charts.status_code == 200
    assert "between 1900-01-01 and 2999-12-31" in " ".join(flashes(charts))


def test_an_unknown_analytics_level_is_refused_by_the_api_and_flashed_by_the_page(client, admin, console):
    assert _error(client.get("/api/analytics/metrics?metric=revenue&level=grandmaster", headers=admin))["fields"] == {
        "level": "Unknown level."
    }
    page = console.get("/staff/analytics/?level=grandmaster")
    assert (page.status_code, flashes(page)) == (200, ["level must be a certification level."])


@pytest.mark.parametrize("digit", ["²", "٣", "１"])
def test_unicode_digits_in_filters_are_not_ids(client, admin, console, digit):
    api = client.get(f"/api/moderation/queue?group={digit}&assignee={digit}&status=all", headers=admin)
    assert (api.status_code, api.get_json()["items"]) == (200, [])
    for page in (
        f"/staff/moderation/?group={digit}&assignee={digit}",
        f"/staff/verification/?assignee={digit}",
        f"/staff/finance/?q={digit}",
        f"/staff/finance/?q=%23{digit}",
    ):
        assert console.get(page).status_code == 200, page


def test_unicode_digits_as_suspend_days_are_refused_with_the_field(client, admin):
    item = _item()
    body = {"action": "suspend", "reason": "Spam", "suspend_days": "²"}
    resp = client.post(f"/api/moderation/items/{item.id}/decision", data=json.dumps(body), headers=admin)
    assert _error(resp)["fields"] == {"suspend_days": "1 to 365 days."}


def test_unicode_digits_as_bulk_ids_select_nothing(client, login, app):
    login(StaffFactory(roles=[Role.MODERATOR]))
    token = csrf_token_from(client, "/staff/moderation/")
    resp = client.post(
        "/staff/moderation/bulk",
        data={"item_ids": ["²", "٣"], "action": "keep", "csrf_token": token},
        follow_redirects=True,
    )
    assert (resp.status_code, flashes(resp)) == (200, ["Select items and a decision."])


def test_a_huge_free_within_is_refused_by_the_search(client):
    resp = client.get("/api/coaches/search?free_within=99999999999999999999")
    assert _error(resp)["fields"] == {"free_within": "must be a whole number from 0 to 366"}
    assert client.get("/coaches?free_within=99999999999999999999").status_code == 200


@pytest.mark.parametrize("value", ["zzz", "²"])
def test_an_invalid_flask_admin_filter_is_flashed(console, value):
    resp = console.get(f"/admin/payment/?flt0_0={value}&flt1_1={value}")
    assert (resp.status_code, resp.get_data(as_text=True).count(f"Invalid Filter Value: {value}")) == (200, 2)
