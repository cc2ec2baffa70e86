"""The questions groups and posts answer about themselves (issue 17): who reads a group, who admits
its members, who sees, edits and deletes a post. The services refuse what the models say no to, and
the pages offer only what they say yes to."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_login import AnonymousUserMixin

from app.accounts.models import Role
from app.community import services
from app.community.models import GroupMembership, MembershipStatus, PostVisibility
from app.core.db import utcnow
from app.core.errors import InvalidState, PermissionDenied
from app.extensions import db
from tests.factories import StaffFactory, UserFactory
from tests.factories.community import DiscussionFactory, GroupFactory, OldUserFactory, ReplyFactory, add_member

WINDOW = timedelta(minutes=30)  # the edit window's default setting


def _membership(group, user):
    return db.session.get(GroupMembership, (group.id, user.id))


def test_who_reads_a_private_group(app):
    group = GroupFactory(is_private=True)
    member, asking, moderator = OldUserFactory(), OldUserFactory(), StaffFactory(roles=[Role.MODERATOR])
    add_member(group, member)
    add_member(group, asking, MembershipStatus.PENDING)
    assert group.can_be_read_by(member, _membership(group, member))
    assert not group.can_be_read_by(asking, _membership(group, asking))
    assert group.can_be_read_by(moderator, None)
    assert not group.can_be_read_by(UserFactory(), None) and not group.can_be_read_by(AnonymousUserMixin(), None)
    assert GroupFactory().can_be_read_by(AnonymousUserMixin(), None)  # a public group
    # The service asks the same question with the user's own membership.
    assert [services.can_read(u, group) for u in (member, asking, moderator)] == [True, False, True]


def test_the_owner_and_moderators_admit_members(app):
    group = GroupFactory(is_private=True)
    member = add_member(group)
    assert group.can_be_managed_by(group.owner) and group.can_be_managed_by(StaffFactory(roles=[Role.ADMIN]))
    assert not group.can_be_managed_by(member) and not group.can_be_managed_by(AnonymousUserMixin())
    asking = add_member(group, status=MembershipStatus.PENDING)
    with pytest.raises(PermissionDenied, match="Only the group's owner or a moderator"):
        services.approve_membership(member, group, asking.id)


def test_who_edits_and_deletes_a_post_and_the_service_agrees(app):
    reply = ReplyFactory()
    author, now = reply.author, utcnow()
    assert reply.can_be_edited_by(author, now, WINDOW) and reply.can_be_deleted_by(author)
    other = OldUserFactory()
    assert not reply.can_be_edited_by(other, now, WINDOW) and not reply.can_be_deleted_by(other)
    assert not reply.can_be_edited_by(author, reply.created_at + WINDOW + timedelta(seconds=1), WINDOW)
    author.suspended_until = now + timedelta(days=1)
    assert not reply.can_be_edited_by(author, now, WINDOW) and reply.can_be_deleted_by(author)
    author.suspended_until = None
    reply.visibility = PostVisibility.HIDDEN
    assert not reply.can_be_edited_by(author, now, WINDOW) and reply.can_be_deleted_by(author)
    assert reply.is_visible_to(author) and not reply.is_visible_to(other)
    db.session.commit()
    with pytest.raises(InvalidState, match="can no longer be edited"):
        services.edit_post(author, reply, "Changed.")
    services.delete_post(author, reply)
    assert not reply.can_be_deleted_by(author) and not reply.is_visible_to(author)
    assert reply.is_visible_to(StaffFactory(roles=[Role.MODERATOR]))


def test_the_edit_window_closes_for_the_page_and_the_service_alike(app, client, login_as):
    discussion = DiscussionFactory(created_at=utcnow() - WINDOW - timedelta(minutes=1))
    login_as(discussion.author)
    page = client.get(f"/community/discussions/{discussion.id}").get_data(as_text=True)
    assert f"/community/posts/discussion/{discussion.id}/edit" not in page
    assert f'action="/community/posts/discussion/{discussion.id}/delete"' in page
    with pytest.raises(InvalidState, match="Posts can be edited for 30 minutes after posting"):
        services.edit_post(discussion.author, discussion, "Too late.")
    fresh = DiscussionFactory(author=discussion.author, group=discussion.group)
    page = client.get(f"/community/discussions/{fresh.id}").get_data(as_text=True)
    assert f"/community/posts/discussion/{fresh.id}/edit" in page
