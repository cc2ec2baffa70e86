"""Posting rules: suspension and bans on every posting route, rate limits, watched words, edits."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.accounts.services import create_api_token
from app.community import services
from app.community.models import Discussion, Group, PostRevision, PostVisibility, Reply, WatchedWord
from app.core.db import utcnow
from app.core.errors import InvalidState, PermissionDenied, RateLimited
from app.extensions import db
from app.moderation import rules
from app.moderation.models import Flag, FlagReason, ModerationItem
from tests.conftest import csrf_token_from
from tests.factories import UserFactory
from tests.factories.community import (
    DiscussionFactory,
    GroupFactory,
    OldUserFactory,
    ReplyFactory,
    add_member,
    set_setting,
)


def _suspend(user, days=3, reason="Rude replies"):
    user.suspended_until = utcnow() + timedelta(days=days)
    user.suspension_reason = reason
    db.session.commit()
    return rules.format_until(user.suspended_until)


@pytest.fixture
def world(client):
    group = GroupFactory()
    author = add_member(group, OldUserFactory())
    discussion = DiscussionFactory(group=group)
    reply = ReplyFactory(discussion=discussion, author=author)
    _, token = create_api_token(author, "t")
    return group, author, discussion, reply, {"Authorization": f"Bearer {token}"}


def test_suspended_user_is_refused_on_every_posting_route_with_the_end_date(client, login_as, world):
    group, author, discussion, reply, auth = world
    until = _suspend(author)
    login_as(author)
    token = csrf_token_from(client, f"/community/groups/{group.slug}")
    form_routes = [
        (f"/community/groups/{group.slug}/new", {"title": "t", "body": "b"}),
        (f"/community/discussions/{discussion.id}/replies", {"body": "b"}),
        (f"/community/posts/reply/{reply.id}/edit", {"body": "b"}),
        ("/community/groups/new", {"name": "Mine"}),
    ]
    for path, data in form_routes:
        resp = client.post(path, data={**data, "csrf_token": token})
        assert resp.status_code == 403, path
        assert until in resp.get_data(as_text=True), path
    api_routes = [
        (f"/api/groups/{group.id}/discussions", {"title": "t", "body": "b"}),
        (f"/api/discussions/{discussion.id}/replies", {"body": "b"}),
        ("/api/groups", {"name": "Mine"}),
    ]
    for path, data in api_routes:
        resp = client.post(path, json=data, headers=auth)
        assert resp.status_code == 403, path
        error = resp.get_json()["error"]
        assert error["code"] == "suspended" and until in error["message"], path
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Reply)) == 1
    # The suspended author can still read, and sees the notice with the end date.
    page = client.get(f"/community/discussions/{discussion.id}").get_data(as_text=True)
    assert "Your account is suspended until" in page


def test_suspension_ends_on_time(world):
    group, author, discussion, reply, auth = world
    author.suspended_until = utcnow() + timedelta(seconds=1)
    db.session.commit()
    with pytest.raises(PermissionDenied):
        services.post_reply(author, discussion, "too early")
    author.suspended_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert services.post_reply(author, discussion, "back again").visibility == PostVisibility.VISIBLE


def test_banned_user_cannot_post(world):
    group, author, discussion, reply, auth = world
    author.banned_at = utcnow()
    db.session.commit()
    with pytest.raises(PermissionDenied, match="banned"):
        services.post_reply(author, discussion, "hello")


def test_new_accounts_are_rate_limited_sooner_with_a_clear_message(client, world):
    group, *_ = world
    newcomer = add_member(group, UserFactory())
    veteran = add_member(group, OldUserFactory())
    set_setting(rules.RATE_LIMIT, {"window_seconds": 600, "max_posts": 5, "new_account_days": 7, "new_max_posts": 2})
    d = DiscussionFactory(group=group)
    for _ in range(2):
        services.post_reply(newcomer, d, "hi")
    with pytest.raises(RateLimited, match="New accounts can post 2 times per 10 minutes") as exc:
        services.post_reply(newcomer, d, "one more")
    assert 0 < exc.value.retry_after <= 600
    for _ in range(5):
        services.post_reply(veteran, d, "hi")
    with pytest.raises(RateLimited):
        services.post_reply(veteran, d, "one more")


def test_rate_limit_through_the_api_is_429_with_retry_after(client, world):
    group, author, discussion, reply, auth = world
    set_setting(rules.RATE_LIMIT, {"window_seconds": 600, "max_posts": 2, "new_account_days": 7, "new_max_posts": 2})
    assert client.post(f"/api/discussions/{discussion.id}/replies", json={"body": "a"}, headers=auth).status_code == 201
    resp = client.post(f"/api/discussions/{discussion.id}/replies", json={"body": "b"}, headers=auth)
    assert resp.status_code == 429
    assert "posting too fast" in resp.get_json()["error"]["message"]
    assert int(resp.headers["Retry-After"]) > 0


def test_watched_word_holds_the_post_for_review(world):
    group, author, discussion, reply, auth = world
    db.session.add(WatchedWord(word="crypto"))
    db.session.commit()
    r = services.post_reply(author, discussion, "Buy CRYPTO now!")
    assert r.visibility == PostVisibility.PENDING_REVIEW
    flag = db.session.scalars(sa.select(Flag)).one()
    assert flag.reason == FlagReason.WATCHED_WORD and flag.reporter_id is None and "crypto" in flag.note
    item = db.session.scalars(sa.select(ModerationItem)).one()
    assert (item.target_type.value, item.target_id, item.is_hidden) == ("reply", r.id, True)
    assert discussion.reply_count == 1  # the held reply is not counted
    clean = services.post_reply(author, discussion, "cryptography is a fine word")
    assert clean.visibility == PostVisibility.VISIBLE


def test_held_posts_are_not_shown_to_others(client, login_as, world):
    group, author, discussion, reply, auth = world
    db.session.add(WatchedWord(word="casino"))
    db.session.commit()
    held = services.post_discussion(author, group, "Casino night", "Come along")
    other = add_member(group, OldUserFactory())
    login_as(other)
    assert client.get(f"/community/discussions/{held.id}").status_code == 404
    assert "Casino night" not in client.get(f"/community/groups/{group.slug}").get_data(as_text=True)
    login_as(author)
    page = client.get(f"/community/discussions/{held.id}").get_data(as_text=True)
    assert "waiting for a moderator" in page


def test_edit_keeps_a_revision_and_closes_after_the_window(world):
    group, author, discussion, reply, auth = world
    services.edit_post(author, reply, "Edited text")
    rev = db.session.scalars(sa.select(PostRevision)).one()
    assert (rev.target_type, rev.target_id, rev.body_md) == ("reply", reply.id, "I agree.")
    assert "Edited text" in reply.body_html and reply.edited_at is not None
    reply.created_at = utcnow() - timedelta(minutes=31)
    db.session.commit()
    with pytest.raises(InvalidState, match="30 minutes"):
        services.edit_post(author, reply, "Too late")
    other = OldUserFactory()
    with pytest.raises(PermissionDenied):
        services.edit_post(other, discussion, "Not mine")


def test_soft_delete_hides_from_members_but_not_moderators(client, login_as, world):
    from app.accounts.models import Role
    from tests.factories import StaffFactory

    group, author, discussion, reply, auth = world
    services.delete_post(author, reply)
    assert reply.deleted_at is not None and discussion.reply_count == 0
    login_as(author)
    assert "I agree." not in client.get(f"/community/discussions/{discussion.id}").get_data(as_text=True)
    login_as(StaffFactory(roles=[Role.MODERATOR]))
    page = client.get(f"/community/discussions/{discussion.id}").get_data(as_text=True)
    assert "I agree." in page and "deleted by author" in page


def test_private_groups_are_not_readable_by_non_members(client, login_as):
    group = GroupFactory(is_private=True, name="Inner circle")
    d = DiscussionFactory(group=group, title="Secret plans")
    member = add_member(group, OldUserFactory())
    outsider = OldUserFactory()
    pending = add_member(group, OldUserFactory(), status="pending")
    for who in (None, outsider, pending):
        login_as(who)
        assert client.get(f"/community/groups/{group.slug}").status_code == 404
        assert client.get(f"/community/discussions/{d.id}").status_code == 404
        assert client.get(f"/community/discussions/{d.id}/replies.json").status_code == 404
        assert client.get(f"/api/groups/{group.id}/discussions").status_code == 404
        assert client.get(f"/api/discussions/{d.id}/replies").status_code == 404
    login_as(member)
    assert "Secret plans" in client.get(f"/community/groups/{group.slug}").get_data(as_text=True)


def test_join_request_is_approved_by_the_owner(client, login_as):
    group = GroupFactory(is_private=True)
    asker = OldUserFactory()
    m = services.join_group(asker, group)
    assert m.status.value == "pending"
    with pytest.raises(PermissionDenied):
        services.approve_membership(asker, group, asker.id)
    login_as(group.owner)
    page = client.get(f"/community/groups/{group.slug}").get_data(as_text=True)
    assert "Join requests" in page and asker.full_name in page
    token = csrf_token_from(client, f"/community/groups/{group.slug}")
    resp = client.post(f"/community/groups/{group.slug}/members/{asker.id}/approve", data={"csrf_token": token})
    assert resp.status_code == 302
    assert services.can_read(asker, group)


def test_group_page_lists_newest_activity_first_with_reply_counts_and_constant_queries(client, world):
    group, author, discussion, reply, auth = world
    slug, group_id = group.slug, group.id
    DiscussionFactory(group=group, title="Older", last_activity_at=utcnow() - timedelta(days=2))
    DiscussionFactory(group=group, title="Newer", last_activity_at=utcnow() + timedelta(minutes=1))
    html = client.get(f"/community/groups/{group.slug}").get_data(as_text=True)
    assert html.index("Newer") < html.index(discussion.title) < html.index("Older")
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        db.session.remove()
        client.get(f"/community/groups/{slug}")
        few = len(statements)
        group = db.session.get(Group, group_id)
        for _ in range(20):
            DiscussionFactory(group=group, author=OldUserFactory())
        statements.clear()
        db.session.remove()
        client.get(f"/community/groups/{slug}")
        assert len(statements) == few
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)


def test_polling_endpoint_returns_only_newer_replies(client, world):
    group, author, discussion, reply, auth = world
    later = services.post_reply(author, discussion, "A **new** reply")
    data = client.get(f"/community/discussions/{discussion.id}/replies.json?after={reply.id}").get_json()
    assert data["count"] == 1 and data["last_id"] == later.id and data["reply_count"] == 2
    assert "<strong>new</strong>" in data["html"]
    assert client.get(f"/community/discussions/{discussion.id}/replies.json?after={later.id}").get_json()["count"] == 0


def test_discussions_api_paginates_by_cursor(client, world):
    group, *_ = world
    for i in range(30):
        DiscussionFactory(group=group, last_activity_at=utcnow() - timedelta(minutes=i))
    first = client.get(f"/api/groups/{group.id}/discussions").get_json()
    assert len(first["items"]) == 25 and first["next_cursor"]
    second = client.get(f"/api/groups/{group.id}/discussions?after={first['next_cursor']}").get_json()
    assert len(second["items"]) == 6 and second["next_cursor"] is None
    assert not {d["id"] for d in first["items"]} & {d["id"] for d in second["items"]}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Discussion)) == 31
