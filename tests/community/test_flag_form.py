"""Flagging from the discussion page: reasons, "you flagged this", duplicates, API docs."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.moderation.models import Flag
from tests.conftest import csrf_token_from
from tests.factories.community import OldUserFactory, ReplyFactory


def test_member_flags_a_reply_and_sees_that_they_flagged_it(client, login_as):
    reply = ReplyFactory(body_md="Buy my course")
    d = reply.discussion
    member = OldUserFactory()
    login_as(member)
    page = client.get(f"/community/discussions/{d.id}").get_data(as_text=True)
    assert "Why are you flagging this reply?" in page and "You flagged this" not in page
    token = csrf_token_from(client, f"/community/discussions/{d.id}")
    data = {"csrf_token": token, "target_type": "reply", "target_id": reply.id, "reason": "spam",
            "note": "advert", "next": f"/community/discussions/{d.id}"}  # fmt: skip
    resp = client.post("/community/flags", data=data, follow_redirects=True)
    html = resp.get_data(as_text=True)
    assert "The moderators will review it" in html and "You flagged this" in html
    again = client.post("/community/flags", data=data, follow_redirects=True).get_data(as_text=True)
    assert "You have already flagged this" in again
    flag = db.session.scalars(sa.select(Flag)).one()
    assert (flag.reporter_id, flag.reason.value, flag.note) == (member.id, "spam", "advert")


def test_flag_form_refuses_outside_redirects(client, login_as):
    reply = ReplyFactory()
    login_as(OldUserFactory())
    token = csrf_token_from(client, f"/community/discussions/{reply.discussion_id}")
    resp = client.post("/community/flags", data={"csrf_token": token, "target_type": "reply", "target_id": reply.id,
                                                 "reason": "spam", "next": "https://evil.example/"})  # fmt: skip
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/community/")


def test_every_community_and_moderation_api_route_is_documented(app, client):
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.split(".")[0] in ("community_api", "moderation_api")]
    assert len(rules) == 9
    assert all(getattr(app.view_functions[r.endpoint], "openapi", None) for r in rules)
    spec = client.get("/api/openapi.json").get_json()
    for path in ("/api/groups", "/api/groups/{group_id}/discussions", "/api/discussions/{discussion_id}/replies",
                 "/api/flags", "/api/moderation/queue", "/api/moderation/items/{item_id}/decision"):  # fmt: skip
        assert path in spec["paths"], path


def test_ids_beyond_the_integer_range_are_not_found(client, login_as):
    from tests.factories import StaffFactory

    huge = 2**40
    assert client.get(f"/community/discussions/{huge}").status_code == 404
    assert client.get(f"/api/discussions/{huge}/replies").status_code == 404
    assert client.get(f"/api/groups/{huge}/discussions").status_code == 404
    from app.accounts.models import Role

    login_as(StaffFactory(roles=[Role.MODERATOR]))
    assert client.get(f"/staff/moderation/items/{huge}").status_code == 404
