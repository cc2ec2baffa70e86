"""Issue 18's moderation fixes: excerpts in queue rows, a decision lands on the next item, the
reason sits right before "Record decision", select-all, the group filter as a list, honest empty tabs."""

from __future__ import annotations

import sqlalchemy as sa

from app.accounts.models import Role
from app.extensions import db
from app.moderation.models import ItemStatus, ModerationItem
from app.moderation.services import flag_target
from tests.conftest import csrf_token_from
from tests.factories import StaffFactory
from tests.factories.community import GroupFactory, OldUserFactory, ReplyFactory


def _flag(body: str, reason: str = "spam", flaggers: int = 1, **reply) -> ModerationItem:
    post = ReplyFactory(body_md=body, **reply)
    for _ in range(flaggers):
        flag_target(OldUserFactory(), "reply", post.id, reason, "")
    return db.session.scalar(sa.select(ModerationItem).where(ModerationItem.target_id == post.id))


def _row(html: str, marker: str) -> str:
    start = html.rindex("<tr", 0, html.index(marker))
    return html[start : html.index("</tr>", start)]


def test_queue_rows_show_an_excerpt_of_the_content(client, login_as):
    item = _flag("Buy **cheap** watches at example.test today")
    login_as(StaffFactory(roles=[Role.MODERATOR]))
    html = client.get("/staff/moderation/").get_data(as_text=True)
    row = _row(html, f"reply #{item.target_id}")
    assert "Buy cheap watches at example.test today" in row


def test_a_decision_lands_on_the_next_item(client, login_as):
    first = _flag("Spam one", flaggers=3)
    second = _flag("Spam two", flaggers=1)
    assert first.priority > second.priority
    login_as(StaffFactory(roles=[Role.MODERATOR]))
    token = csrf_token_from(client, f"/staff/moderation/items/{first.id}")
    resp = client.post(
        f"/staff/moderation/items/{first.id}/decision", data={"csrf_token": token, "action": "hide", "reason": "Spam"}
    )
    assert resp.headers["Location"].endswith(f"/staff/moderation/items/{second.id}")
    # The last one decided goes back to the (now empty) queue.
    token = csrf_token_from(client, f"/staff/moderation/items/{second.id}")
    resp = client.post(
        f"/staff/moderation/items/{second.id}/decision", data={"csrf_token": token, "action": "hide", "reason": "Spam"}
    )
    assert resp.headers["Location"].endswith("/staff/moderation/")
    assert db.session.get(ModerationItem, second.id, populate_existing=True).status == ItemStatus.HIDDEN


def test_record_decision_follows_the_reason_and_the_reason_has_a_suggestion(client, login_as):
    item = _flag("Spam")
    login_as(StaffFactory(roles=[Role.MODERATOR]))
    html = client.get(f"/staff/moderation/items/{item.id}").get_data(as_text=True)
    form = html[html.index('class="decision"') :]
    after_reason = form[form.index('id="reason"') :]
    assert after_reason.index("Record decision") < after_reason.index('id="edited_body"')
    assert after_reason.index("Record decision") < after_reason.index('id="author_action"')
    assert 'data-default="Reported for spam and taken down' in html


def test_bulk_has_select_all_and_the_group_filter_is_a_list_of_groups(client, login_as):
    group = GroupFactory(name="Career changers")
    item = _flag("In the group", discussion__group=group)
    _flag("Elsewhere")
    login_as(StaffFactory(roles=[Role.MODERATOR]))
    html = client.get("/staff/moderation/").get_data(as_text=True)
    assert 'data-select-all="item_ids"' in html and 'aria-label="Select all items on this page"' in html
    select = html[html.index('<select id="f-group"') : html.index("</select>", html.index('<select id="f-group"'))]
    assert f'value="{group.id}"' in select and "Career changers" in select
    filtered = client.get(f"/staff/moderation/?group={group.id}").get_data(as_text=True)
    assert filtered.count("data-href=") == 1 and f"reply #{item.target_id}" in filtered


def test_history_tabs_say_what_they_lack(client, login_as):
    login_as(StaffFactory(roles=[Role.MODERATOR]))
    assert "Nothing flagged waits for a decision." in client.get("/staff/moderation/").get_data(as_text=True)
    kept = client.get("/staff/moderation/?status=kept").get_data(as_text=True)
    assert "No kept items yet." in kept and "Well done" not in kept
