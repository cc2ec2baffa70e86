"""Issue 21, item 9: the edit page of a post refuses everyone but its author, and a Bearer token
(even the author's) never works on it: tokens are for /api only."""

from __future__ import annotations

import pytest

from app.community.models import Discussion
from app.extensions import db
from tests.conftest import csrf_token_from
from tests.factories import StaffFactory, UserFactory
from tests.factories.community import DiscussionFactory, GroupFactory, OldUserFactory, add_member
from tests.security_clients import bearer_for


@pytest.fixture
def discussion(client):
    group = GroupFactory()
    author = add_member(group, OldUserFactory())
    return DiscussionFactory(group=group, author=author, body_md="The original text.")


def _body(discussion_id: int) -> str:
    db.session.expire_all()
    return db.session.get(Discussion, discussion_id).body_md


@pytest.mark.parametrize("who", ["author", "other client", "admin"])
def test_a_bearer_post_to_the_edit_page_changes_nothing(app, discussion, who):
    user = {"author": lambda: discussion.author, "other client": UserFactory, "admin": lambda: StaffFactory()}[who]()
    headers = bearer_for(user)
    resp = app.test_client().post(
        f"/community/posts/discussion/{discussion.id}/edit",
        headers=headers,
        data={"title": "Taken over", "body": "Changed by a token."},
    )
    assert resp.status_code == 403 and resp.get_json()["error"]["code"] == "token_not_accepted"
    assert _body(discussion.id) == "The original text."


def test_another_signed_in_user_gets_403_on_the_edit_page_and_changes_nothing(client, login_as, discussion):
    login_as(UserFactory())
    path = f"/community/posts/discussion/{discussion.id}/edit"
    assert client.get(path).status_code == 403
    token = csrf_token_from(client, "/community/")
    resp = client.post(path, data={"title": "Mine now", "body": "Changed by someone else.", "csrf_token": token})
    assert resp.status_code == 403
    assert _body(discussion.id) == "The original text."
