"""The moderators' console and API: queue, item page, claims, decisions, bulk, settings, access."""

from __future__ import annotations

import pyotp
import sqlalchemy as sa

from app.accounts.models import Role
from app.accounts.services import create_api_token
from app.community.models import PostVisibility
from app.core.models import AuditLog
from app.extensions import db
from app.moderation import rules
from app.moderation.models import ItemStatus, ModerationItem
from app.moderation.services import claim_item, flag_target
from tests.conftest import csrf_token_from
from tests.factories import StaffFactory
from tests.factories.community import OldUserFactory, ReplyFactory


def _flagged(n=1, reason="spam"):
    items = []
    for _ in range(n):
        reply = ReplyFactory(body_md="Cheap pills here")
        flag_target(OldUserFactory(), "reply", reply.id, reason, "advert")
        items.append(db.session.scalar(sa.select(ModerationItem).where(ModerationItem.target_id == reply.id)))
    return items


def test_queue_lists_items_with_reasons_counts_and_filters(client, login_as):
    spam = _flagged(2)
    rude = _flagged(1, "harassment")
    login_as(StaffFactory(roles=[Role.MODERATOR]))
    html = client.get("/staff/moderation/").get_data(as_text=True)
    assert html.count("data-href=") == 3 and "spam × 1" in html and "harassment × 1" in html
    filtered = client.get("/staff/moderation/?reason=harassment").get_data(as_text=True)
    assert filtered.count("data-href=") == 1 and f"reply #{rude[0].target_id}" in filtered
    assert client.get("/staff/moderation/?sort=age&hidden=no&assignee=none&status=all").status_code == 200
    assert spam


def test_queue_query_count_does_not_grow_with_page_size(client, login_as):
    login_as(StaffFactory(roles=[Role.MODERATOR]))
    statements = []

    def count(conn, cursor, statement, *args):
        if "browser_sessions" not in statement and "lock_timeout" not in statement:  # the session store's own
            statements.append(statement)

    _flagged(2)
    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        db.session.remove()
        client.get("/staff/moderation/")
        few = len(statements)
        sa.event.remove(db.engine, "before_cursor_execute", count)
        _flagged(12)
        statements.clear()
        sa.event.listen(db.engine, "before_cursor_execute", count)
        db.session.remove()
        client.get("/staff/moderation/")
        assert len(statements) == few
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)


def test_queue_and_decisions_are_for_moderators_only(client, login_as):
    [item] = _flagged()
    login_as(OldUserFactory())
    assert client.get("/staff/moderation/").status_code == 403
    member = OldUserFactory()
    _, token = create_api_token(member, "t")
    auth = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/moderation/queue", headers=auth).status_code == 403
    assert (
        client.post(f"/api/moderation/items/{item.id}/decision", json={"action": "keep"}, headers=auth).status_code
        == 403
    )


def test_api_queue_and_decision(client):
    [item] = _flagged()
    moderator = StaffFactory(roles=[Role.MODERATOR])
    _, token = create_api_token(moderator, "t")
    auth = {"Authorization": f"Bearer {token}"}
    body = client.get("/api/moderation/queue", headers=auth).get_json()
    assert body["counts"]["pending"] == 1
    [row] = body["items"]
    assert row["id"] == item.id and row["reasons"] == {"spam": 1} and row["target_type"] == "reply"
    resp = client.post(f"/api/moderation/items/{item.id}/decision", json={"action": "hide"}, headers=auth)
    assert resp.status_code == 400 and "reason" in resp.get_json()["error"]["fields"]
    resp = client.post(f"/api/moderation/items/{item.id}/decision",
                       json={"action": "suspend", "reason": "Spam", "suspend_days": 3}, headers=auth)  # fmt: skip
    assert resp.status_code == 200 and resp.get_json()["status"] == "hidden"
    again = client.post(f"/api/moderation/items/{item.id}/decision", json={"action": "keep"}, headers=auth)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_decided"


def test_item_page_shows_context_flags_and_who_holds_it(client, login_as):
    [item] = _flagged()
    holder = StaffFactory(roles=[Role.MODERATOR], first_name="Hanna", last_name="Holder")
    claim_item(holder, item)
    login_as(StaffFactory(roles=[Role.MODERATOR]))
    html = client.get(f"/staff/moderation/items/{item.id}").get_data(as_text=True)
    assert "Cheap pills here" in html and "advert" in html and "Hanna Holder" in html
    assert "Content in context" in html and "The author's record" in html
    token = csrf_token_from(client, f"/staff/moderation/items/{item.id}")
    resp = client.post(f"/staff/moderation/items/{item.id}/claim", data={"csrf_token": token}, follow_redirects=True)
    assert "Hanna Holder is working on this item" in resp.get_data(as_text=True)


def test_decision_form_hides_and_suspends(client, login, login_as):
    [item] = _flagged()
    moderator = StaffFactory(roles=[Role.MODERATOR])
    login(moderator)
    token = csrf_token_from(client, f"/staff/moderation/items/{item.id}")
    resp = client.post(
        f"/staff/moderation/items/{item.id}/decision",
        data={"csrf_token": token, "action": "hide", "reason": "Advertising", "author_action": "suspend",
              "suspend_days": "5"},
    )  # fmt: skip
    assert resp.status_code == 302
    db.session.expire_all()
    item = db.session.get(ModerationItem, item.id)
    assert item.status == ItemStatus.HIDDEN and item.author.is_suspended()
    assert pyotp  # staff walked the TOTP step in login()


def test_bulk_decision_reports_each_item(client, login_as):
    items = _flagged(3)
    other = StaffFactory(roles=[Role.MODERATOR], first_name="Olga", last_name="Other")
    claim_item(other, items[2])
    login_as(StaffFactory(roles=[Role.MODERATOR]))
    token = csrf_token_from(client, "/staff/moderation/")
    resp = client.post("/staff/moderation/bulk", data={"csrf_token": token, "action": "remove", "reason": "Spam",
                                                       "item_ids": [str(i.id) for i in items]},
                       follow_redirects=True)  # fmt: skip
    html = resp.get_data(as_text=True)
    assert "2 item(s) decided" in html and "Olga Other is working on this item" in html
    db.session.expire_all()
    statuses = [db.session.get(ModerationItem, i.id).status for i in items]
    assert statuses == [ItemStatus.REMOVED, ItemStatus.REMOVED, ItemStatus.PENDING]
    from app.community.models import Reply

    assert db.session.get(Reply, items[0].target_id).visibility == PostVisibility.REMOVED


def test_settings_page_saves_words_and_threshold_with_audit(client, login_as):
    login_as(StaffFactory(roles=[Role.MODERATOR]))
    token = csrf_token_from(client, "/staff/moderation/settings")
    resp = client.post("/staff/moderation/settings", data={"csrf_token": token, "words": "Casino\ncrypto\n",
                                                           "threshold": "4"})  # fmt: skip
    assert resp.status_code == 302
    assert rules.watched_words() == ["casino", "crypto"] and rules.get_setting(rules.AUTO_HIDE_THRESHOLD) == 4
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditLog).where(
        AuditLog.action.in_(["moderation.watched_words_changed", "moderation.threshold_changed"]))) == 2  # fmt: skip


def test_console_home_shows_the_moderation_queue(client, login_as):
    _flagged(2)
    login_as(StaffFactory(roles=[Role.MODERATOR]))
    html = client.get("/staff/").get_data(as_text=True)
    assert "Moderation" in html and "/staff/moderation/" in html


def test_api_queue_filters_sorts_and_pages(client):
    items = _flagged(3) + _flagged(2, "harassment")
    moderator = StaffFactory(roles=[Role.MODERATOR])
    _, token = create_api_token(moderator, "t")
    auth = {"Authorization": f"Bearer {token}"}
    rude = client.get("/api/moderation/queue?reason=harassment", headers=auth).get_json()["items"]
    assert {i["id"] for i in rude} == {i.id for i in items[3:]}
    by_age = client.get("/api/moderation/queue?sort=age&target_type=reply", headers=auth).get_json()["items"]
    assert [i["id"] for i in by_age] == sorted(i.id for i in items)
    db.session.expire_all()
    claim_item(moderator, db.session.get(ModerationItem, items[0].id))
    mine = client.get("/api/moderation/queue?assignee=me", headers=auth).get_json()["items"]
    assert [i["id"] for i in mine] == [items[0].id] and mine[0]["claimed_by"] == moderator.id
    from app.moderation import queries
    from app.moderation.queries import QueueFilters

    first = queries.queue_page(QueueFilters(), moderator.id, None, limit=2)
    second = queries.queue_page(QueueFilters(), moderator.id, first.next_cursor, limit=2)
    third = queries.queue_page(QueueFilters(), moderator.id, second.next_cursor, limit=2)
    seen = [i.id for i in first.items + second.items + third.items]
    assert sorted(seen) == sorted(i.id for i in items) and third.next_cursor is None
